import { z } from 'zod';
import { maySee } from '../core/roles.js';
import type { FeatureSpec, Language } from '../features/index.js';
import type { RiskReason } from './score.js';

const reasonSchema = z.object({
  feature: z.string().min(1),
  family: z.string(),
  sensitivity: z.enum(['ordinary', 'welfare']),
  contribution: z.number(),
});

/**
 * A score's stored reasons (the JSON text of `risk_scores.reasons`, or already parsed), validated:
 * the one reader of that column. Entries that are not reasons are left out, never shown half.
 */
export function parseReasons(stored: unknown): RiskReason[] {
  let value = stored;
  if (typeof stored === 'string') {
    try {
      value = JSON.parse(stored);
    } catch {
      return [];
    }
  }
  if (!Array.isArray(value)) return [];
  return value.flatMap((r) => {
    const ok = reasonSchema.safeParse(r);
    return ok.success ? [ok.data] : [];
  });
}

/**
 * Plain sentences for a score's reasons in one language. Welfare-class reasons (from
 * student-welfare data) are left out unless the reader's role may see them (Student Welfare
 * Act 1287/2013); what remains says what happened, never a diagnosis.
 */
export function reasonSentences(reasons: readonly RiskReason[], features: readonly FeatureSpec[], lang: Language, opts: { welfareVisible: boolean }): string[] {
  const byName = new Map(features.map((f) => [f.name, f]));
  return reasons
    .filter((r) => opts.welfareVisible || r.sensitivity !== 'welfare')
    .map((r) => byName.get(r.feature)?.reason?.[lang])
    .filter((s): s is string => Boolean(s));
}

/**
 * The one rule for who learns a student's risk band: roles that may see risk scores
 * (DOMAIN.md: counsellors, special-needs teachers, data coordinators), and only when the band
 * is raised or high — a low band is not news about a student. With it, the reasons this reader
 * may see. Null for everyone else.
 */
export function visibleRisk(
  roles: readonly string[],
  score: { band: string | null; reasons: unknown } | null | undefined,
  features: readonly FeatureSpec[],
  lang: Language,
): { band: string; reasons: string[] } | null {
  if (!score?.band || score.band === 'low' || !maySee(roles, 'risk_score')) return null;
  return { band: score.band, reasons: reasonSentences(parseReasons(score.reasons), features, lang, { welfareVisible: maySee(roles, 'welfare') }) };
}
