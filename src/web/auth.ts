import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../core/config.js';
import { textList, textListSql } from '../db/sql.js';
import { isWriteConflict, type Warehouse } from '../db/warehouse.js';
import type { Language } from '../core/vocabulary.js';

/**
 * Password-free sign-in. A sign-in link carries a token `<random>.<expiry>.<signature>`: the
 * signature (HMAC-SHA256 with the server's secret over random, expiry and staff id) rejects a
 * forged or altered link before the warehouse is asked; the warehouse keeps only the token's
 * hash, and using it marks it used in the same statement, so a link works once and only until
 * it expires. A session is a random id in an HttpOnly cookie; the warehouse keeps its hash.
 * The provider's OpenID Connect sign-in (oidc.ts) ends the same way, in
 * `startSession(db, staffId, 'oidc', …)`.
 */

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** The signing secret: KIINNI_WEB_SECRET, or one generated once into the data directory (mode 600). */
export function webSecret(dataDir: string, env: NodeJS.ProcessEnv = process.env): Buffer {
  if (env['KIINNI_WEB_SECRET']) return Buffer.from(env['KIINNI_WEB_SECRET']);
  const file = path.join(dataDir, 'web-secret');
  if (!existsSync(file)) {
    writeFileSync(file, randomBytes(32).toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
    chmodSync(file, 0o600);
  }
  return Buffer.from(readFileSync(file, 'utf8').trim());
}

const sign = (secret: Buffer, random: string, expires: number, staffId: string) => createHmac('sha256', secret).update(`${random}.${expires}.${staffId}`).digest('base64url');

export type LinkPurpose = 'sign_in_page' | 'digest';

/**
 * Sign-in links for the daily digests, when the workspace's address is configured
 * (`web.base_url`): the digest stage asks for a batch of recipients' links at a time
 * (DigestEffects.signInLinks), stored in one statement before any of those messages leaves.
 */
export function digestSignInLinks(config: Config, dataDir: string, clock: () => Date): ((db: Warehouse, staffIds: readonly string[]) => Promise<Map<string, { url: string; hours: number }>>) | undefined {
  const base = config.web.baseUrl;
  if (!base) return undefined;
  const secret = webSecret(dataDir);
  const hours = config.web.digestLinkHours;
  return async (db, staffIds) => {
    const tokens = await createSignInTokens(db, secret, staffIds, 'digest', hours * 60, clock());
    return new Map([...tokens].map(([staffId, token]) => [staffId, { url: `${base}/auth/link?token=${encodeURIComponent(token)}`, hours }]));
  };
}

/** A new single-use sign-in link token for a staff member. */
export async function createSignInToken(db: Warehouse, secret: Buffer, staffId: string, purpose: LinkPurpose, validMinutes: number, now: Date): Promise<string> {
  return (await createSignInTokens(db, secret, [staffId], purpose, validMinutes, now)).get(staffId)!;
}

/** New single-use sign-in link tokens, one per staff member, stored in one statement. */
export async function createSignInTokens(db: Warehouse, secret: Buffer, staffIds: readonly string[], purpose: LinkPurpose, validMinutes: number, now: Date): Promise<Map<string, string>> {
  const expires = Math.floor(now.getTime() / 1000) + validMinutes * 60;
  const tokens = new Map<string, string>();
  for (const staffId of staffIds) {
    const random = randomBytes(24).toString('base64url');
    tokens.set(staffId, `${random}.${expires}.${sign(secret, random, expires, staffId)}`);
  }
  if (!tokens.size) return tokens;
  // Hashes and staff ids as two joined parameters (neither can hold the separator: hex, and ids the ingest checked).
  await db.run(
    `INSERT INTO web_links SELECT l.hash, l.staff, $purpose, $now::TIMESTAMP, $expires::TIMESTAMP, NULL
     FROM (SELECT ${textListSql('hashes')} AS hash, ${textListSql('staff')} AS staff) l`,
    { hashes: textList([...tokens.values()].map(sha256)), staff: textList([...tokens.keys()]), purpose, now: now.toISOString(), expires: new Date(expires * 1000).toISOString() },
  );
  return tokens;
}

export type LinkProblem = 'malformed' | 'expired' | 'unknown' | 'used';

/** Checks a token without using it: the staff member it signs in, or why not. */
export async function checkSignInToken(db: Warehouse, secret: Buffer, token: string, now: Date): Promise<{ staffId: string } | { problem: LinkProblem }> {
  const parts = token.split('.');
  if (parts.length !== 3 || !/^\d{9,12}$/.test(parts[1]!)) return { problem: 'malformed' };
  const expires = Number(parts[1]);
  const row = await db.one(`SELECT staff_id, used_at IS NOT NULL AS used FROM web_links WHERE token_hash = $hash`, { hash: sha256(token) });
  if (!row) return { problem: 'unknown' };
  const staffId = String(row['staff_id']);
  const expected = Buffer.from(sign(secret, parts[0]!, expires, staffId));
  const given = Buffer.from(parts[2]!);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { problem: 'unknown' };
  if (expires * 1000 <= now.getTime()) return { problem: 'expired' };
  if (row['used']) return { problem: 'used' };
  return { staffId };
}

/** Uses a token: the staff member it signs in, or why not. Of two concurrent uses, one wins. */
export async function useSignInToken(db: Warehouse, secret: Buffer, token: string, now: Date): Promise<{ staffId: string } | { problem: LinkProblem }> {
  const checked = await checkSignInToken(db, secret, token, now);
  if ('problem' in checked) return checked;
  const used = await db.run(`UPDATE web_links SET used_at = $now::TIMESTAMP WHERE token_hash = $hash AND used_at IS NULL AND expires_at > $now::TIMESTAMP`, { hash: sha256(token), now: now.toISOString() });
  return used === 1 ? checked : { problem: 'used' };
}

/** Sign-in links asked for one staff member in the last `minutes` (the per-address rate limit). */
export async function recentLinkRequests(db: Warehouse, staffId: string, minutes: number, now: Date): Promise<number> {
  const row = await db.one(`SELECT count(*) AS n FROM web_links WHERE staff_id = $staff AND purpose = 'sign_in_page' AND created_at > $now::TIMESTAMP - to_minutes($m::INTEGER)`, {
    staff: staffId, now: now.toISOString(), m: minutes,
  });
  return Number(row?.['n'] ?? 0);
}

export interface SignedIn {
  staffId: string;
  name: string;
  email: string;
  language: Language;
  roles: string[];
}

/** Starts a session; returns the id for the cookie (only its hash is stored). */
export async function startSession(db: Warehouse, staffId: string, method: 'magic_link' | 'oidc', now: Date): Promise<string> {
  const id = randomBytes(32).toString('base64url');
  await db.run(`INSERT INTO web_sessions VALUES ($hash, $staff, $method, $now::TIMESTAMP, $now::TIMESTAMP, NULL)`, { hash: sha256(id), staff: staffId, method, now: now.toISOString() });
  return id;
}

/** The signed-in staff member of a session id, or undefined (unknown, ended, idle too long, staff gone). */
export async function sessionStaff(db: Warehouse, sessionId: string, idleHours: number, now: Date): Promise<SignedIn | undefined> {
  const row = await db.one(
    `SELECT s.staff_id, st.name, st.email, st.language, st.roles, s.last_seen_at < $now::TIMESTAMP - INTERVAL 5 MINUTE AS stale
     FROM web_sessions s JOIN staff st USING (staff_id)
     WHERE s.session_hash = $hash AND s.ended_at IS NULL AND s.last_seen_at > $now::TIMESTAMP - to_hours($h::INTEGER)`,
    { hash: sha256(sessionId), now: now.toISOString(), h: idleHours },
  );
  if (!row) return undefined;
  // Touch at most every five minutes: a write per page view would cost more than the page.
  if (row['stale']) {
    try {
      await db.run(`UPDATE web_sessions SET last_seen_at = $now::TIMESTAMP WHERE session_hash = $hash`, { hash: sha256(sessionId), now: now.toISOString() });
    } catch (err) {
      // A request of the same session beside this one touched it first: touched either way.
      if (!isWriteConflict(err)) throw err;
    }
  }
  const lang = String(row['language']);
  return { staffId: String(row['staff_id']), name: String(row['name']), email: String(row['email']), language: lang === 'sv' || lang === 'en' ? lang : 'fi', roles: (row['roles'] as string[]) ?? [] };
}

export async function endSession(db: Warehouse, sessionId: string, now: Date): Promise<void> {
  await db.run(`UPDATE web_sessions SET ended_at = $now::TIMESTAMP WHERE session_hash = $hash AND ended_at IS NULL`, { hash: sha256(sessionId), now: now.toISOString() });
}
