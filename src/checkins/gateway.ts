import type { CheckinDefinitions } from './bottlenecks.js';
import type { PlannedCheckin } from './plan.js';
import type { Language } from '../core/vocabulary.js';

/** A planned check-in as a messaging gateway receives it: questions in the student's language, never the reason. */
export interface GatewayRecord {
  student_id: string;
  given_name: string | null;
  language: Language;
  unit: string;
  question_set: string;
  questions: { id: string; answer: string; text: string }[];
}

export function gatewayRecord(c: PlannedCheckin, defs: CheckinDefinitions): GatewayRecord {
  const questions = defs.question_sets[c.question_set]!.questions.map((q) => ({ id: q.id, answer: q.answer, text: q.text[c.language] }));
  return { student_id: c.student_id, given_name: c.given_name, language: c.language, unit: c.unit, question_set: c.question_set, questions };
}

/** JSON lines for the gateway, one check-in per line. */
export function gatewayJsonl(checkins: readonly PlannedCheckin[], defs: CheckinDefinitions): string {
  return checkins.map((x) => JSON.stringify(gatewayRecord(x, defs))).join('\n') + (checkins.length ? '\n' : '');
}
