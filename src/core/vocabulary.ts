/**
 * kiinni's owned vocabulary (DOMAIN.md, "Canonical values"): each list is written once here and
 * every stage asks for it — in TypeScript as a typed tuple, in SQL through `sqlList`.
 */

/** Languages staff and leadership read kiinni in. */
export const languages = ['fi', 'sv', 'en'] as const;
export type Language = (typeof languages)[number];

/** A staff member's or reader's language, or `fallback` for anything else. */
export function languageOr(value: unknown, fallback: Language = 'fi'): Language {
  return (languages as readonly unknown[]).includes(value) ? (value as Language) : fallback;
}

/** What can happen to a study right (KOSKI states map onto these). */
export const studyRightEvents = ['started', 'paused', 'resumed', 'transferred', 'resigned', 'deemed_resigned', 'graduated'] as const;
/** Events that end a study right. */
export const exitEvents = ['resigned', 'deemed_resigned', 'transferred', 'graduated'] as const;
/** A negative exit (negatiivinen ero: opintojen keskeyttäminen): the outcome the model predicts. A transfer or graduation is not one. */
export const negativeExits = ['resigned', 'deemed_resigned'] as const;

/** What a student asking for help needs help with (the Annie pattern's routing). */
export const needCategories = ['studies', 'wellbeing', 'health', 'life_situation'] as const;
export type NeedCategory = (typeof needCategories)[number];

/** Course progress states. */
export const courseStatuses = ['planned', 'in_progress', 'completed', 'failed', 'interrupted'] as const;

/** Risk bands of a score. */
export const riskBands = ['low', 'raised', 'high'] as const;

/** A list of vocabulary as SQL string literals, e.g. `event IN (${sqlList(negativeExits)})`. Vocabulary only: never values from data. */
export function sqlList(values: readonly string[]): string {
  return values.map((v) => `'${v.replace(/'/g, "''")}'`).join(', ');
}

/** Well-being questions kiinni knows by name (a source may send others; they are shown as they are). */
export const wellbeingItems = ['mood', 'sleep', 'stress', 'loneliness', 'study_motivation', 'health', 'finances', 'housing'] as const;

/** Kinds of support offered in the workspace (a provider's own kinds arrive through files or the CLI). */
export const interventionTypes = ['meeting', 'contact', 'study_plan_revision', 'referral', 'health_check', 'group_session'] as const;

/** Whom a support record is about: one student, or a whole group. */
export const interventionScopes = ['individual', 'group'] as const;

/** How urgent a trigger is. */
export const severities = ['high', 'medium', 'low'] as const;

/** What came of a trigger when it was resolved. */
export const resolutionOutcomes = ['supported', 'referred', 'no_action_needed', 'could_not_reach'] as const;
export type ResolutionOutcome = (typeof resolutionOutcomes)[number];
