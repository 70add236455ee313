import { createHash } from 'node:crypto';

/**
 * kiinni's own ids: 12 letters g–v from a hash of `parts` (the SQL twin is in run.ts). Letters only,
 * so an id never spells an identity code's shape and an export holding it is never refused.
 */
export function letterId(parts: readonly string[]): string {
  const hex = createHash('sha256').update(parts.join('|')).digest('hex').slice(0, 12);
  return hex.replace(/[0-9a-f]/g, (c) => 'ghijklmnopqrstuv'[parseInt(c, 16)]!);
}
