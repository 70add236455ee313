import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ErrorCode, KiinniError } from '../core/errors.js';
import type { Language } from '../core/vocabulary.js';
import { catalogueText } from '../i18n/index.js';
import { packageRoot } from '../core/package-root.js';
import { Warehouse } from '../db/warehouse.js';
import { factByName, factsRead, factsVisibleTo, predicateBindProblem, predicateShapeProblem } from '../triggers/index.js';

const text = z.strictObject({ fi: z.string().min(1), sv: z.string().min(1), en: z.string().min(1) });
const question = z.strictObject({ id: z.string().regex(/^[a-z][a-z0-9_]*$/), answer: z.enum(['scale_1_5', 'need_category', 'yes_no']), text: text.optional() });
const fileSchema = z.strictObject({
  question_sets: z.record(z.string().regex(/^[a-z][a-z0-9_]*$/), z.strictObject({ questions: z.array(question).min(1) })),
  bottlenecks: z
    .array(
      z.strictObject({
        id: z.string().regex(/^[a-z][a-z0-9_]*$/),
        priority: z.number().int().min(1).max(99),
        condition: z.string().min(1),
        question_set: z.string(),
        title: text.optional(),
      }),
    )
    .min(1),
});
type Worded<T, K extends string> = Omit<T, K> & Record<K, Record<Language, string>>;
type ParsedFile = z.infer<typeof fileSchema>;
/** The question sets and bottlenecks, each with its words in fi, sv and en. */
export interface CheckinDefinitions {
  question_sets: Record<string, { questions: Worded<ParsedFile['question_sets'][string]['questions'][number], 'text'>[] }>;
  bottlenecks: Worded<ParsedFile['bottlenecks'][number], 'title'>[];
}
export type Bottleneck = CheckinDefinitions['bottlenecks'][number];

/** Columns a bottleneck condition may read beside the ordinary facts. */
export const extraCheckinFacts = [
  { name: 'days_to_planned_end', type: 'INTEGER' },
  { name: 'back_from_break', type: 'BOOLEAN' },
] as const;

export function checkinsFile(): string {
  return path.join(packageRoot(), 'models', 'checkins', 'bottlenecks.yaml');
}

/**
 * Loads and checks the bottleneck rules and question sets: every set ends by asking whether the
 * student wants to be contacted, every condition binds against the facts, and no condition reads
 * a fact other than an ordinary one (the plan leaves kiinni for a messaging gateway).
 */
export async function loadBottlenecks(file = checkinsFile()): Promise<CheckinDefinitions> {
  const r = fileSchema.safeParse(parseYaml(readFileSync(file, 'utf8')));
  const fail = (where: string, msg: string): never => {
    throw new KiinniError(ErrorCode.ConfigInvalid, `${file}: ${where}: ${msg}`);
  };
  if (!r.success) return fail(r.error.issues[0]!.path.join('.'), `${r.error.issues[0]!.message}.`);
  // The shipped questions' and bottlenecks' words live in the message catalogue (question.<id>,
  // bottleneck.<id>.title); a provider's own give theirs in fi, sv and en.
  const words = (given: Record<Language, string> | undefined, key: string, where: string) =>
    given ?? catalogueText(key) ?? fail(where, 'missing: give it in fi, sv and en (the message catalogue has no text for this id).');
  const defs: CheckinDefinitions = {
    question_sets: Object.fromEntries(
      Object.entries(r.data.question_sets).map(([id, set]) => [id, { questions: set.questions.map((q) => ({ ...q, text: words(q.text, `question.${q.id}`, `question_sets.${id}, question ${q.id}, field text`) })) }]),
    ),
    bottlenecks: r.data.bottlenecks.map((b) => ({ ...b, title: words(b.title, `bottleneck.${b.id}.title`, `bottleneck ${b.id}, field title`) })),
  };
  for (const [id, set] of Object.entries(defs.question_sets)) {
    if (set.questions.at(-1)!.answer !== 'need_category') fail(`question_sets.${id}`, 'the last question must ask whether the student wants to be contacted (answer: need_category).');
  }
  const db = await Warehouse.open(':memory:');
  try {
    const ordinary = factsVisibleTo('ordinary');
    await db.run(`CREATE TEMP TABLE _checkin_facts (student_id VARCHAR, ${[...ordinary.map((f) => `${f.name} ${f.type}`), ...extraCheckinFacts.map((f) => `${f.name} ${f.type}`)].join(', ')})`);
    for (const b of defs.bottlenecks) {
      if (!defs.question_sets[b.question_set]) fail(`bottleneck ${b.id}, field question_set`, `no question set "${b.question_set}".`);
      const shape = predicateShapeProblem(b.condition);
      if (shape) fail(`bottleneck ${b.id}, field condition`, shape);
      // The table holds ordinary facts only (as the planner's view does): a condition that reads
      // any other fact, however spelled, fails to bind.
      const problem = await predicateBindProblem(db, '_checkin_facts', b.condition);
      if (problem) {
        const welfare = factsRead(b.condition).filter((n) => factByName.get(n)!.visibility !== 'ordinary');
        fail(`bottleneck ${b.id}, field condition`, welfare.length ? `reads ${welfare.join(', ')} (not ordinary); a check-in plan may only use ordinary facts.` : `${problem} (a check-in plan may only use ordinary facts).`);
      }
    }
  } finally {
    db.close();
  }
  return defs;
}
