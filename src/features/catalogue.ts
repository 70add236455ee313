import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ErrorCode, KiinniError } from '../core/errors.js';
import { packageRoot } from '../core/package-root.js';

const text = z.strictObject({ fi: z.string().min(1), sv: z.string().min(1), en: z.string().min(1) });
const featureSchema = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9_]*$/),
  /** The national model's metric families, and context: the date's circumstances, not the student's. */
  family: z.enum(['background', 'performance', 'wellbeing', 'engagement', 'context']),
  sensitivity: z.enum(['ordinary', 'welfare']),
  sql: z.string().min(1),
  /** The values are category codes 0, 1, 2 … (at most 254), not amounts: boosting splits them by sets of categories. */
  categorical: z.boolean().optional(),
  description: text.optional(),
  reason: text.optional(),
});
const catalogueSchema = z.strictObject({ features: z.array(featureSchema).min(1) });

/**
 * One feature of the catalogue: what it means, how it is computed as of a date, and its reason
 * sentence. A context feature has none: it is the same for every student on a date, so it is
 * never given as a reason for one student's risk.
 */
export type FeatureSpec = Omit<z.infer<typeof featureSchema>, 'description' | 'reason'> & { description: Record<Language, string>; reason: Record<Language, string> | null };
import type { Language } from '../core/vocabulary.js';
import { catalogueText } from '../i18n/index.js';
export type { Language };

/** The shipped catalogue (models/features.yaml). */
export function catalogueFile(): string {
  return path.join(packageRoot(), 'models', 'features.yaml');
}

/** Loads and validates a feature catalogue; errors name the feature and field. */
export function loadCatalogue(file = catalogueFile()): FeatureSpec[] {
  const doc = parseYaml(readFileSync(file, 'utf8'));
  const result = catalogueSchema.safeParse(doc);
  if (!result.success) {
    const i = result.error.issues[0]!;
    const idx = typeof i.path[1] === 'number' ? i.path[1] : undefined;
    const name = idx !== undefined ? (doc as { features: { name?: string }[] }).features[idx]?.name : undefined;
    throw new KiinniError(ErrorCode.ConfigInvalid, `${file}: ${name ? `feature ${name}: ` : ''}${i.path.slice(2).join('.') || i.path.join('.')}: ${i.message}.`);
  }
  const seen = new Set<string>();
  for (const f of result.data.features) {
    if (seen.has(f.name)) throw new KiinniError(ErrorCode.ConfigInvalid, `${file}: feature ${f.name} is defined twice.`);
    seen.add(f.name);
  }
  // The shipped features' words live in the message catalogue (feature.<name>.description,
  // feature.<name>.reason); a provider's own feature gives them in fi, sv and en.
  return result.data.features.map((f) => {
    if (f.family === 'context' && f.reason) throw new KiinniError(ErrorCode.ConfigInvalid, `${file}: feature ${f.name}: reason: a context feature is the same for every student on a date and is never a reason; leave reason out.`);
    const words = (field: 'description' | 'reason') => {
      const t = f[field] ?? catalogueText(`feature.${f.name}.${field}`);
      if (!t) throw new KiinniError(ErrorCode.ConfigInvalid, `${file}: feature ${f.name}: ${field}: missing: give it in fi, sv and en (the message catalogue has no text for this feature).`);
      return t;
    };
    return { ...f, description: words('description'), reason: f.family === 'context' ? null : words('reason') };
  });
}
