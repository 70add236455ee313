import { facts, languages, type TriggerRule } from '../triggers/index.js';
import type { FeatureSpec } from '../features/index.js';
import { welfareRoles } from '../core/roles.js';

/**
 * Strings that may only ever reach welfare roles: welfare fact names, welfare rule ids and
 * titles, welfare reason sentences and the welfare role names, in every language.
 */
export function welfareMarkers(rules: readonly TriggerRule[], features: readonly FeatureSpec[]): string[] {
  const welfareRules = rules.filter((r) => r.visibility === 'welfare');
  return [
    ...welfareRoles,
    ...facts.filter((f) => f.visibility === 'welfare').map((f) => f.name),
    ...welfareRules.flatMap((r) => [r.id, ...languages.map((l) => r.title[l])]),
    ...features.filter((f) => f.sensitivity === 'welfare').flatMap((f) => languages.flatMap((l) => (f.reason ? [f.reason[l]] : []))),
  ];
}
