import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { defaultConfig, type Config } from '../core/config.js';
import { dataDirLayout } from '../core/data-dir.js';
import { createLogger, silentLogger } from '../core/log.js';
import { Warehouse } from '../db/warehouse.js';
import { acquireWriterLock } from '../db/lock.js';
import { composeContext, outboxMailer, sendDigests, sendOptions } from '../digest/index.js';
import { readFileSync } from 'node:fs';
import { simpleParser } from 'mailparser';
import { schoolStaff } from '../testing/school.js';
import { welfareMarkers } from '../testing/welfare.js';
import { linkFromOutbox, workspaceSchool } from '../testing/workspace.js';
import { buildWorkspace, digestSignInLinks, listAudit, webSecret } from './index.js';
import { loadRules } from '../triggers/index.js';
import { loadCatalogue } from '../features/index.js';

/** A browser without JavaScript: cookies, forms with their CSRF token, no redirects followed. */
class Client {
  private cookies = new Map<string, string>();
  csrf = '';
  constructor(private readonly base: string) {}
  private async request(method: string, url: string, form?: Record<string, string>): Promise<{ status: number; html: string; location: string | null }> {
    const res = await fetch(this.base + url, {
      method,
      redirect: 'manual',
      headers: { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '), ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      body: form ? new URLSearchParams(form).toString() : undefined,
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const [k, ...v] = pair!.split('=');
      if (/Expires=Thu, 01 Jan 1970/i.test(c)) this.cookies.delete(k!);
      else this.cookies.set(k!, v.join('='));
    }
    const html = await res.text();
    const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
    if (token) this.csrf = token;
    return { status: res.status, html, location: res.headers.get('location') };
  }
  get(url: string) {
    return this.request('GET', url);
  }
  post(url: string, form: Record<string, string> = {}, withCsrf = true) {
    return this.request('POST', url, withCsrf ? { _csrf: this.csrf, ...form } : form);
  }
  has(cookie: string) {
    return this.cookies.has(cookie);
  }
}

let dataDir: string;
let triggers: Record<string, string>;
let app: FastifyInstance;
let gate: Awaited<ReturnType<typeof buildWorkspace>>['gate'];
let base: string;
let now = new Date('2025-10-16T07:00:00Z');
const config: Config = defaultConfig();

beforeAll(async () => {
  ({ dataDir, triggers } = await workspaceSchool());
  const dir = dataDirLayout(dataDir);
  ({ app, gate } = await buildWorkspace({ dir, config, logger: process.env['KIINNI_TEST_LOG'] ? createLogger('debug') : silentLogger(), clock: () => now, mailer: outboxMailer(dir.outbox), secret: webSecret(dataDir), idleMs: 50 }));
  base = await app.listen({ host: '127.0.0.1', port: 0 });
  config.web.baseUrl = base; // as `web.base_url` would say: sign-in links point here
}, 60_000);
afterAll(async () => {
  await app.close().catch(() => undefined);
});

const email = (role: string) => `${role}@example.fi`;

async function askLink(role: string): Promise<string> {
  const c = new Client(base);
  await c.get('/sign-in');
  const r = await c.post('/sign-in', { email: email(role) });
  expect(r.status).toBe(200);
  return (await linkFromOutbox(dataDir, email(role))).replace(/^https?:\/\/[^/]+/, '');
}

async function signIn(role: string): Promise<Client> {
  const link = await askLink(role);
  const c = new Client(base);
  const page = await c.get(link);
  expect(page.status).toBe(200);
  const token = new URL('http://x' + link).searchParams.get('token')!;
  const r = await c.post('/auth/link', { token });
  expect(r.status).toBe(303);
  expect(c.has('kiinni_session')).toBe(true);
  return c;
}

describe('staff workspace over HTTP', () => {
  it('signs in with the e-mailed link and shows my open triggers, nothing of welfare to a group supervisor', async () => {
    const c = await signIn('group_supervisor');
    const home = await c.get('/');
    expect(home.status).toBe(200);
    expect(home.html).toContain(`/triggers/${triggers['unexcused_absences/S1']}`);
    expect(home.html).toContain('Aino Virtanen');
    expect(home.html).not.toContain(triggers['help_request_health/S1']!);
    const markers = welfareMarkers(await loadRules(config), loadCatalogue());
    for (const marker of markers) expect(home.html.toLowerCase()).not.toContain(marker.toLowerCase());
    const student = await c.get('/students/S1');
    expect(student.status).toBe(200);
    for (const marker of markers) expect(student.html.toLowerCase()).not.toContain(marker.toLowerCase());
    expect(student.html).not.toContain(triggers['help_request_health/S1']!);
  });

  it('the daily digest carries a single-use sign-in link that opens the workspace', async () => {
    const dir = dataDirLayout(dataDir);
    const mailer = outboxMailer(path.join(dir.outbox, 'digest-test'));
    await gate.use(async (db) =>
      sendDigests(db, sendOptions(config, '2025-10-15'), composeContext(await loadRules(config)), {
        mailer,
        logger: silentLogger(),
        clock: () => now,
        signInLink: digestSignInLinks(config, dataDir, () => now),
      }),
    );
    const file = path.join(dir.outbox, 'digest-test', '2025-10-15', `${schoolStaff['group_supervisor']}.eml`);
    const mail = await simpleParser(readFileSync(file));
    const url = /https?:\/\/\S+\/auth\/link\?token=\S+/.exec(mail.text ?? '')![0];
    expect(String(mail.html)).toContain(url.replace(/&/g, '&amp;'));
    const token = new URL(url).searchParams.get('token')!;
    const c = new Client(base);
    expect((await c.get(url.slice(base.length))).status).toBe(200);
    expect((await c.post('/auth/link', { token })).status).toBe(303);
    expect((await c.get('/')).html).toContain(triggers['unexcused_absences/S1']!);
    const again = new Client(base);
    await again.get('/sign-in');
    expect((await again.post('/auth/link', { token })).status).toBe(410);
  });

  it('refuses every URL a role may not open, however it is written', async () => {
    const teacher = await signIn('teacher');
    const supervisor = await signIn('group_supervisor');
    const nurse = await signIn('nurse');
    const leader = await signIn('leadership');
    const coordinator = await signIn('data_coordinator');
    const welfare = triggers['help_request_health/S1']!;
    // Welfare trigger: not for the teacher or the group supervisor, in any spelling.
    for (const c of [teacher, supervisor]) {
      for (const url of [`/triggers/${welfare}`, `/triggers/${encodeURIComponent(welfare)}`, `/triggers/${welfare}/`, `/triggers/${welfare}?x=1`]) expect((await c.get(url)).status).toBe(404);
      expect((await c.post(`/triggers/${welfare}/acknowledge`)).status).toBe(404);
      expect((await c.post(`/triggers/${welfare}/resolve`, { outcome: 'supported' })).status).toBe(404);
      expect((await c.post('/students/S1/interventions', { type: 'meeting', role: 'teacher', trigger_id: welfare })).status).toBe(404);
    }
    // The nurse may.
    expect((await nurse.get(`/triggers/${welfare}`)).status).toBe(200);
    // A student not assigned to them (S9 in G2): not found, also for actions; a made-up one the same.
    for (const c of [teacher, supervisor, nurse]) {
      expect((await c.get('/students/S9')).status).toBe(404);
      expect((await c.get('/students/S404')).status).toBe(404);
      expect((await c.post('/students/S9/interventions', { type: 'meeting', role: 'teacher' })).status).toBe(404);
    }
    expect((await teacher.get(`/triggers/${triggers['unexcused_absences/S9']}`)).status).toBe(404);
    // The counsellor's trigger is not the teacher's.
    expect((await teacher.get(`/triggers/${triggers['help_request_studies/S1']}`)).status).toBe(404);
    // Leadership: aggregates only.
    expect((await leader.get('/')).location).toBe('/report');
    expect((await leader.get('/students/S1')).status).toBe(404);
    expect((await leader.get(`/triggers/${triggers['unexcused_absences/S1']}`)).status).toBe(404);
    expect((await leader.get('/report')).status).toBe(200);
    expect((await leader.get('/admin')).status).toBe(403);
    // Data coordinator: runs, quarantine and models, no student pages.
    expect((await coordinator.get('/admin')).status).toBe(200);
    expect((await coordinator.get('/students/S1')).status).toBe(404);
    // Staff roles: no report, no admin.
    expect((await teacher.get('/report')).status).toBe(403);
    expect((await teacher.get('/admin')).status).toBe(403);
    expect((await teacher.get('/groups')).status).toBe(403);
    // Not signed in: the sign-in page, or 401 for a form.
    const anon = new Client(base);
    expect((await anon.get('/students/S1')).location).toBe('/sign-in');
    expect((await anon.post(`/triggers/${welfare}/acknowledge`, {}, false)).status).toBe(401);
  });

  it('refuses an expired, a reused and a forged link', async () => {
    const expiring = await askLink('teacher');
    now = new Date(now.getTime() + (config.web.linkMinutes + 1) * 60_000);
    const c = new Client(base);
    expect((await c.get(expiring)).status).toBe(410);
    await c.get('/sign-in');
    const token = new URL('http://x' + expiring).searchParams.get('token')!;
    expect((await c.post('/auth/link', { token })).status).toBe(410);
    expect(c.has('kiinni_session')).toBe(false);

    const link = await askLink('teacher');
    const t2 = new URL('http://x' + link).searchParams.get('token')!;
    const first = new Client(base);
    await first.get(link);
    expect((await first.post('/auth/link', { token: t2 })).status).toBe(303);
    const second = new Client(base);
    await second.get('/sign-in');
    expect((await second.post('/auth/link', { token: t2 })).status).toBe(410);
    expect(second.has('kiinni_session')).toBe(false);

    const [rnd, exp] = t2.split('.');
    const forged = `${rnd}.${Number(exp) + 3600}.AAAA`;
    expect((await second.get(`/auth/link?token=${encodeURIComponent(forged)}`)).status).toBe(400);
    expect((await second.post('/auth/link', { token: forged })).status).toBe(400);
    expect((await second.post('/auth/link', { token: 'garbage' })).status).toBe(400);
  });

  it('needs the CSRF token on every form, and a session ends at sign-out', async () => {
    const c = await signIn('group_supervisor');
    const id = triggers['unexcused_absences/S1']!;
    await c.get(`/triggers/${id}`);
    expect((await c.post(`/triggers/${id}/acknowledge`, {}, false)).status).toBe(403);
    expect((await c.post(`/triggers/${id}/acknowledge`, { _csrf: 'not-the-token' }, false)).status).toBe(403);
    const anon = new Client(base);
    expect((await anon.post('/sign-in', { email: email('teacher') }, false)).status).toBe(403);
    // With the token it works.
    await c.get(`/triggers/${id}`);
    const ack = await c.post(`/triggers/${id}/acknowledge`);
    expect(ack.status).toBe(303);
    expect((await c.get(ack.location!)).html).toMatch(/Kuitattu|Acknowledged|Kvitterad/);
    // Sign out; the old cookie no longer works even if kept.
    const kept = new Client(base);
    Object.assign(kept, { cookies: new Map((c as unknown as { cookies: Map<string, string> }).cookies) });
    await c.get('/');
    expect((await c.post('/sign-out')).status).toBe(200);
    expect((await c.get('/')).location).toBe('/sign-in');
    expect((await kept.get('/')).location).toBe('/sign-in');
    expect((await kept.post(`/triggers/${id}/resolve`, { outcome: 'supported' })).status).toBe(401);
  });

  it('answers 503 while another kiinni command writes to the warehouse, and works again after', async () => {
    const c = await signIn('teacher');
    await new Promise((r) => setTimeout(r, 200)); // idle: the server lets go of the warehouse
    const lock = acquireWriterLock(dataDirLayout(dataDir).lock, 'run nightly');
    try {
      const r = await c.get('/');
      expect(r.status).toBe(503);
      expect(r.html).toContain('Tietovarastoa päivitetään');
    } finally {
      lock.release();
    }
    expect((await c.get('/')).status).toBe(200);
  });

  it('limits sign-in link requests per address without telling who is staff', async () => {
    const c = new Client(base);
    const answers = new Set<string>();
    for (let i = 0; i < config.web.linkRequestsPer15Min + 2; i++) {
      await c.get('/sign-in');
      const r = await c.post('/sign-in', { email: email('psychologist') });
      answers.add(r.html.replace(/name="_csrf" value="[^"]+"/g, ''));
    }
    await c.get('/sign-in');
    const unknown = await c.post('/sign-in', { email: 'nobody@example.fi' });
    answers.add(unknown.html.replace(/name="_csrf" value="[^"]+"/g, ''));
    expect(answers.size).toBe(1);
    await app.close().catch(() => undefined);
    const db = await Warehouse.open(path.join(dataDir, 'kiinni.duckdb'));
    try {
      const links = await db.one(`SELECT count(*) AS n FROM web_links WHERE staff_id = $s`, { s: schoolStaff['psychologist']! });
      expect(links!['n']).toBe(config.web.linkRequestsPer15Min);
      const audit = await listAudit(db, { staff: schoolStaff['psychologist'], limit: 100 });
      expect(audit.filter((a) => a.detail === 'over the per-address limit')).toHaveLength(2);
      // Every look at S1 and every change is in the audit log, with who and from where.
      const s1 = await listAudit(db, { student: 'S1', limit: 1000 });
      expect(s1.some((a) => a.action === 'viewed_student' && a.staff_id === schoolStaff['group_supervisor'] && a.client === '127.0.0.1')).toBe(true);
      expect(s1.some((a) => a.action === 'acknowledged_trigger' && a.object_id === triggers['unexcused_absences/S1'])).toBe(true);
      const denied = await listAudit(db, { staff: schoolStaff['teacher'], limit: 1000 });
      expect(denied.some((a) => a.action === 'denied' && a.object_id === triggers['help_request_health/S1'])).toBe(true);
      // Only hashes of tokens and sessions are stored.
      const stored = await db.all(`SELECT token_hash AS h FROM web_links UNION ALL SELECT session_hash FROM web_sessions`);
      expect(stored.every((r) => /^[0-9a-f]{64}$/.test(String(r['h'])))).toBe(true);
    } finally {
      db.close();
    }
  });
});
