import { createHmac } from 'node:crypto';
import { ErrorCode, KiinniError } from '../core/errors.js';

/**
 * Keyed pseudonyms made at the edge: what identifies a person (an identity code, an oppija OID,
 * an opiskeluoikeus OID) is turned into an id by HMAC-SHA256 with the provider's key before
 * anything is written, and the original is dropped. The same key gives the same pseudonyms every
 * night; another key gives unrelated ones (rotate it only with a re-pseudonymisation).
 */
export interface Pseudonymiser {
  /** `prefix` + 15 letters (60 bits) of the keyed hash of `parts`. */
  of(prefix: string, ...parts: string[]): string;
}

/** The provider's key from KIINNI_PSEUDONYM_KEY (at least 16 characters), or a clear refusal. */
export function pseudonymiser(env: NodeJS.ProcessEnv = process.env): Pseudonymiser {
  const key = env['KIINNI_PSEUDONYM_KEY'];
  if (!key || key.length < 16) {
    throw new KiinniError(
      ErrorCode.ConfigInvalid,
      'KIINNI_PSEUDONYM_KEY is not set (or shorter than 16 characters): KOSKI documents carry identity codes and OIDs, which kiinni turns into pseudonyms with the provider\'s key before storing anything.',
      'Generate a key once (e.g. openssl rand -hex 32), keep it with the other secrets, and set KIINNI_PSEUDONYM_KEY for every run: the same key gives the same pseudonyms every night (README, "KOSKI").',
    );
  }
  return {
    of: (prefix, ...parts) => prefix + lettersOnly(createHmac('sha256', key).update(parts.join('\u001f')).digest().subarray(0, 8)).slice(0, 15),
  };
}

/**
 * Bytes as letters g–v, one per half byte. Letters only: hexadecimal can spell something of an
 * identity code's shape (six digits, a century sign A–F, three digits and a check character),
 * and ingest would then refuse kiinni's own pseudonym as one.
 */
function lettersOnly(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += String.fromCharCode(103 + (b >> 4), 103 + (b & 15));
  return out;
}
