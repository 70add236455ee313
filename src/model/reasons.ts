import type { FeatureSpec, Language } from '../features/index.js';
import type { RiskReason } from './score.js';

/**
 * Plain sentences for a score's reasons in one language. Welfare-class reasons (from
 * student-welfare data) are left out unless the reader's role may see them (Student Welfare
 * Act 1287/2013); what remains says what happened, never a diagnosis.
 */
export function reasonSentences(reasons: readonly RiskReason[], features: readonly FeatureSpec[], lang: Language, opts: { welfareVisible: boolean }): string[] {
  const byName = new Map(features.map((f) => [f.name, f]));
  return reasons
    .filter((r) => opts.welfareVisible || r.sensitivity !== 'welfare')
    .map((r) => byName.get(r.feature)?.reason[lang])
    .filter((s): s is string => Boolean(s));
}
