import { ErrorCode, KiinniError } from '../core/errors.js';
import { isWelfareRole, maySee, type Visibility } from '../core/roles.js';
import type { Warehouse } from '../db/warehouse.js';
import { containsIdentityCode } from '../ingest/index.js';
import { letterId } from './ids.js';
import type { StoredTrigger, Viewer } from './visibility.js';

/** Longest note kept: what was done, in a sentence or two — not a case file. */
export const noteMaxLength = 500;

/** A short note on what was done for a student, readable by exactly who may read what it answers. */
export interface SupportNote {
  note_id: string;
  student_id: string;
  trigger_id: string | null;
  intervention_id: string | null;
  staff_id: string;
  role: string;
  visibility: Visibility;
  written_at: string;
  text: string;
}

/**
 * Keeps a note written when a trigger is resolved or support is recorded. It takes the
 * visibility of the trigger it answers (a note on a nurse's trigger is welfare data); support
 * without a trigger is welfare when written in a welfare role, else ordinary. An empty note is
 * no note; one over 500 characters, or holding an identity code, is refused (never stored, never
 * echoed). Notes never reach reports, digests or logs; subject-access export and retention
 * include them like every table with a student_id.
 */
export async function addNote(
  db: Warehouse,
  n: { student_id: string; staff_id: string; role: string; trigger?: StoredTrigger | null; intervention_id?: string | null; text: string },
  now: Date,
): Promise<SupportNote | null> {
  const text = cleanNote(n.text);
  if (!text) return null;
  const visibility: Visibility = n.trigger ? n.trigger.visibility : isWelfareRole(n.role) ? 'welfare' : 'ordinary';
  const note: SupportNote = {
    note_id: 'N-' + letterId([n.student_id, n.staff_id, n.trigger?.trigger_id ?? '', n.intervention_id ?? '', now.toISOString(), text]),
    student_id: n.student_id,
    trigger_id: n.trigger?.trigger_id ?? null,
    intervention_id: n.intervention_id ?? null,
    staff_id: n.staff_id,
    role: n.role,
    visibility,
    written_at: now.toISOString(),
    text,
  };
  await db.run(`INSERT INTO support_notes VALUES ($id, $student, $trigger, $intervention, $staff, $role, $visibility, $at::TIMESTAMP, $text)`, {
    id: note.note_id, student: note.student_id, trigger: note.trigger_id, intervention: note.intervention_id, staff: note.staff_id, role: note.role, visibility, at: note.written_at, text,
  });
  return note;
}

/** A note as it will be kept (control characters out, trimmed), '' for none; refuses one too long or holding an identity code. Check before changing anything else. */
export function cleanNote(raw: string): string {
  const text = raw.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '').trim();
  if (text.length > noteMaxLength) throw new KiinniError(ErrorCode.Usage, `note: at most ${noteMaxLength} characters.`);
  if (containsIdentityCode(text)) throw new KiinniError(ErrorCode.Usage, 'note: holds something shaped like a personal identity code; leave it out.');
  return text;
}

/** A student's notes this viewer may read (their visibility class), newest first; optionally those answering one trigger. */
export async function notesFor(db: Warehouse, viewer: Viewer, studentId: string, triggerId?: string): Promise<SupportNote[]> {
  const rows = await db.all(
    `SELECT note_id, student_id, trigger_id, intervention_id, staff_id, role, visibility, strftime(written_at, '%Y-%m-%d') AS written_at, text
     FROM support_notes WHERE student_id = $id ${triggerId ? 'AND trigger_id = $trigger' : ''} ORDER BY written_at DESC`,
    triggerId ? { id: studentId, trigger: triggerId } : { id: studentId },
  );
  return (rows as unknown as SupportNote[]).filter((r) => maySee(viewer.roles, r.visibility));
}
