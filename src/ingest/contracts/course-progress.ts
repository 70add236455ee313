import type { Contract } from './types.js';
import { courseStatuses } from './enums.js';

/** Course progress (suoritusdata): one row per student and course or qualification unit. */
export const courseProgress: Contract = {
  kind: 'course_progress',
  title: 'Course progress (suoritusdata)',
  description: 'State of each course / qualification unit in the study plan (HOKS or lukio plan).',
  key: ['student_id', 'course_id'],
  versionColumn: 'updated_at',
  // KOSKI's evaluations and the register's study plan fill one row together (planned dates come
  // only from the plan): what the newer row does not know is kept from the older.
  keepKnown: true,
  columns: [
    { name: 'student_id', type: 'string', required: true, sensitivity: 'ordinary', references: { kind: 'students', column: 'student_id' }, description: 'Student.' },
    { name: 'course_id', type: 'string', required: true, sensitivity: 'ordinary', maxLength: 100, description: 'Course or qualification unit (tutkinnon osa).' },
    { name: 'credits', type: 'decimal', required: false, sensitivity: 'ordinary', min: 0, max: 200, description: 'Credits: osaamispiste (vocational, 180 per qualification) or op (lukio, 150).' },
    { name: 'planned_start', type: 'date', planned: true, required: false, sensitivity: 'ordinary', description: 'Planned start in the study plan.' },
    { name: 'planned_end', type: 'date', planned: true, required: false, sensitivity: 'ordinary', description: 'Planned completion in the study plan.' },
    { name: 'status', type: 'string', required: true, sensitivity: 'ordinary', values: courseStatuses, description: 'planned, in_progress, completed, failed or interrupted.' },
    { name: 'grade', type: 'string', required: false, sensitivity: 'ordinary', maxLength: 10, description: 'Grade as given (1–5, 4–10, S, H, hyväksytty …).' },
    { name: 'completed_on', type: 'date', required: false, sensitivity: 'ordinary', description: 'Date completed (required when status is completed).' },
    { name: 'updated_at', type: 'timestamp', required: true, sensitivity: 'ordinary', description: 'When the register last changed this row; a newer row wins.' },
  ],
  rules: [
    { column: 'planned_end', predicate: 'planned_end >= planned_start', reason: 'planned_end must not be before planned_start' },
    { column: 'completed_on', predicate: "status <> 'completed' OR completed_on IS NOT NULL", reason: 'a completed course needs completed_on' },
  ],
};
