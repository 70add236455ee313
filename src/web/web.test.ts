import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { defaultConfig, type Config } from '../core/config.js';
import { dataDirLayout } from '../core/data-dir.js';
import { createLogger, silentLogger } from '../core/log.js';
import { Warehouse } from '../db/warehouse.js';
import { acquireWriterLock } from '../db/lock.js';
import { composeContext, outboxMailer, sendDigests, sendOptions, type Mailer } from '../digest/index.js';
import { connect } from 'node:net';
import { readFileSync } from 'node:fs';
import { simpleParser } from 'mailparser';
import { schoolStaff } from '../testing/school.js';
import { welfareMarkers } from '../testing/welfare.js';
import { linkFromOutbox, workspaceSchool } from '../testing/workspace.js';
import { buildWorkspace, digestSignInLinks, listAudit, webSecret } from './index.js';
import { loadRules } from '../triggers/index.js';
import { loadCatalogue } from '../features/index.js';
import { allMigrations } from '../app/index.js';

/** A browser without JavaScript: cookies, forms with their CSRF token, no redirects followed. */
class Client {
  private cookies = new Map<string, string>();
  csrf = '';
  constructor(private readonly base: string) {}
  private async request(method: string, url: string, form?: Record<string, string> | URLSearchParams, extra: Record<string, string> = {}): Promise<{ status: number; html: string; location: string | null }> {
    const res = await fetch(this.base + url, {
      method,
      redirect: 'manual',
      headers: { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '), ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}), ...extra },
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
  post(url: string, form: Record<string, string> = {}, withCsrf = true, headers: Record<string, string> = {}) {
    return this.request('POST', url, withCsrf ? { _csrf: this.csrf, ...form } : form, headers);
  }
  /** A form with repeated fields, as a tampered browser could send it. */
  postPairs(url: string, pairs: [string, string][]) {
    return this.request('POST', url, new URLSearchParams([['_csrf', this.csrf], ...pairs]));
  }
  has(cookie: string) {
    return this.cookies.has(cookie);
  }
}

let dataDir: string;
let triggers: Record<string, string>;
let app: FastifyInstance;
let gate: Awaited<ReturnType<typeof buildWorkspace>>['gate'];
let signInMailSent: () => Promise<void>;
let base: string;
let now = new Date('2025-10-16T07:00:00Z');
const config: Config = defaultConfig();

beforeAll(async () => {
  ({ dataDir, triggers } = await workspaceSchool());
  const dir = dataDirLayout(dataDir);
  ({ app, gate, signInMailSent } = await buildWorkspace({ dir, config, logger: process.env['KIINNI_TEST_LOG'] ? createLogger('debug') : silentLogger(), clock: () => now, migrations: allMigrations, mailer: outboxMailer(dir.outbox), secret: webSecret(dataDir), idleMs: 50 }));
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
  await signInMailSent();
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

/** One signed-in client per role for the tests that only need to be signed in (sign-in links per address are rate limited). */
const signedInClients = new Map<string, Promise<Client>>();
const signedIn = (role: string): Promise<Client> => {
  if (!signedInClients.has(role)) signedInClients.set(role, signIn(role));
  return signedInClients.get(role)!;
};

describe('staff workspace over HTTP', () => {
  it('signs in with the e-mailed link and shows my open triggers, nothing of welfare to a group supervisor', async () => {
    const c = await signIn('group_supervisor');
    const home = await c.get('/');
    expect(home.status).toBe(200);
    expect(home.html).toContain(`/triggers/${triggers['unexcused_absences/S1']}`);
    // Support recorded from a trigger is in the role it was routed to, unless changed.
    const triggerPage = await c.get(`/triggers/${triggers['unexcused_absences/S1']}`);
    expect(triggerPage.html).toContain('<option value="group_supervisor" selected>');
    expect(home.html).toContain('Aino Virtanen');
    expect(home.html).not.toContain(triggers['help_request_health/S1']!);
    const markers = welfareMarkers(await loadRules(config), loadCatalogue());
    for (const marker of markers) expect(home.html.toLowerCase()).not.toContain(marker.toLowerCase());
    const student = await c.get('/students/S1');
    expect(student.status).toBe(200);
    for (const marker of markers) expect(student.html.toLowerCase()).not.toContain(marker.toLowerCase());
    expect(student.html).not.toContain(triggers['help_request_health/S1']!);
  });

  it('a link from a digest leads back to its page after signing in, and never to another site', async () => {
    const page = `/triggers/${triggers['unexcused_absences/S1']}`;
    const c = new Client(base);
    const first = await c.get(page);
    expect(first.status).toBe(302);
    expect(first.location).toBe(`/sign-in?next=${encodeURIComponent(page)}`);
    const form = await c.get(first.location!);
    expect(form.html).toContain(`name="next" value="${page}"`);
    await c.post('/sign-in', { email: email('group_supervisor'), next: page });
    await signInMailSent();
    const link = (await linkFromOutbox(dataDir, email('group_supervisor'))).replace(/^https?:\/\/[^/]+/, '');
    expect(link).toContain(`&next=${encodeURIComponent(page)}`);
    const confirm = await c.get(link);
    expect(confirm.html).toContain(`name="next" value="${page}"`);
    const done = await c.post('/auth/link', { token: new URL('http://x' + link).searchParams.get('token')!, next: page });
    expect(done.status).toBe(303);
    expect(done.location).toBe(page);
    // Anything but a workspace page is dropped: the sign-in lands at home.
    for (const bad of ['//evil.example/x', 'https://evil.example/', '/triggers/../../admin', '/triggers/x?y=1']) {
      const other = new Client(base);
      expect((await other.get(`/sign-in?next=${encodeURIComponent(bad)}`)).html).not.toContain('name="next"');
    }
  });

  it('the daily digest carries a single-use sign-in link that opens the workspace', async () => {
    const dir = dataDirLayout(dataDir);
    const mailer = outboxMailer(path.join(dir.outbox, 'digest-test'));
    await gate.use(async (db) =>
      sendDigests(db, sendOptions(config, '2025-10-15'), composeContext(await loadRules(config)), {
        mailer,
        logger: silentLogger(),
        clock: () => now,
        signInLinks: digestSignInLinks(config, dataDir, () => now),
        journalDir: dir.journal,
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
    expect((await anon.get('/students/S1')).location).toBe('/sign-in?next=%2Fstudents%2FS1'); // the path asked for, nothing about whether it exists
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

  /** A second server on the same data directory, for a config of its own; the main one lets go first. */
  async function withOtherWorkspace(web: Partial<Config['web']>, mailer: Mailer, fn: (c: Client, w: Awaited<ReturnType<typeof buildWorkspace>>) => Promise<void>): Promise<void> {
    await new Promise((r) => setTimeout(r, 200)); // the main server's warehouse gate closes when idle
    const other = { ...config, web: { ...config.web, ...web } };
    const w = await buildWorkspace({ dir: dataDirLayout(dataDir), config: other, logger: silentLogger(), clock: () => now, migrations: allMigrations, mailer, secret: webSecret(dataDir), idleMs: 50 });
    try {
      const address = await w.app.listen({ host: '127.0.0.1', port: 0 });
      await fn(new Client(address), w);
    } finally {
      await w.app.close();
    }
  }
  const auditClients = (w: Awaited<ReturnType<typeof buildWorkspace>>, address: string) =>
    w.gate.use(async (db) => (await db.all(`SELECT DISTINCT client FROM audit_log WHERE action = 'sign_in_link_requested' AND detail = 'unknown address' AND client = $c`, { c: address })).length);

  it('#16.9 believes X-Forwarded-For only from configured proxies (none by default, also behind https)', async () => {
    const forged = { 'x-forwarded-for': '203.0.113.9' };
    await withOtherWorkspace({ baseUrl: 'https://kiinni.example.fi' }, outboxMailer(dataDirLayout(dataDir).outbox), async (c, w) => {
      await c.get('/sign-in');
      expect((await c.post('/sign-in', { email: 'forged@example.fi' }, true, forged)).status).toBe(200);
      await w.signInMailSent();
      expect(await auditClients(w, '203.0.113.9')).toBe(0);
      expect(await auditClients(w, '127.0.0.1')).toBe(1);
    });
    await withOtherWorkspace({ baseUrl: 'https://kiinni.example.fi', trustedProxies: ['127.0.0.1'] }, outboxMailer(dataDirLayout(dataDir).outbox), async (c, w) => {
      await c.get('/sign-in');
      await c.post('/sign-in', { email: 'forged@example.fi' }, true, forged);
      await w.signInMailSent();
      expect(await auditClients(w, '203.0.113.9')).toBe(1);
    });
  });

  it('#16.11 answers a sign-in request before any mail is sent, the same for staff and strangers', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const sent: string[] = [];
    const slowMailer: Mailer = { kind: 'outbox', where: 'test', close: () => undefined, send: async (m) => (await held, void sent.push(m.to.address)) };
    await withOtherWorkspace({}, slowMailer, async (c, w) => {
      await c.get('/sign-in');
      const known = await Promise.race([c.post('/sign-in', { email: email('teacher') }), new Promise<null>((r) => setTimeout(() => r(null), 5000))]);
      expect(known?.status).toBe(200);
      expect(sent).toEqual([]);
      await c.get('/sign-in');
      const unknown = await c.post('/sign-in', { email: 'nobody@example.fi' });
      const strip = (h: string) => h.replace(/name="_csrf" value="[^"]+"/g, '');
      expect(strip(unknown.html)).toBe(strip(known!.html));
      release();
      await w.signInMailSent();
      expect(sent).toEqual([email('teacher')]);
    });
  });

  it('#16.14 refuses impossible, implausible and repeated form fields with 400, and changes nothing', async () => {
    const c = await signIn('group_supervisor');
    const id = triggers['unexcused_absences/S1']!;
    await c.get(`/triggers/${id}`);
    for (const date of ['2026-13-45', '2025-02-30', '0001-01-01', '9999-12-31', '2099-01-05']) {
      const r = await c.post('/students/S1/interventions', { type: 'meeting', role: 'group_supervisor', trigger_id: id, date });
      expect(r.status, date).toBe(400);
    }
    expect((await c.postPairs('/students/S1/interventions', [['type', 'meeting'], ['role', 'group_supervisor'], ['trigger_id', id], ['trigger_id', id]])).status).toBe(400);
    expect((await c.postPairs(`/triggers/${id}/resolve`, [['outcome', 'supported'], ['outcome', 'referred']])).status).toBe(400);
    expect((await c.post('/groups/G1/interventions', { type: 'group_session', date: '9999-12-31' })).status).toBe(400);
    const still = await c.get(`/triggers/${id}`);
    expect(still.status).toBe(200);
    expect(still.html).toContain(`/triggers/${id}/resolve`);
  });

  it('#16.16 a student who left long ago no longer opens for staff assigned to the group', async () => {
    const teacher = await signIn('teacher');
    expect((await teacher.get('/students/S2')).status).toBe(200);
    await new Promise((r) => setTimeout(r, 200));
    await gate.use((db) => db.run(`INSERT INTO study_right_events (student_id, date, event, reason, _ingest_id) VALUES ('S2', '2025-09-01', 'resigned', NULL, 'test')`));
    await new Promise((r) => setTimeout(r, 200)); // reopened: the caches start again
    expect((await teacher.get('/students/S2')).status).toBe(404);
    const supervisor = await signIn('group_supervisor');
    expect((await supervisor.get('/students/S2')).status).toBe(404);
    // Within the grace period it still opens.
    await gate.use((db) => db.run(`UPDATE study_right_events SET date = '2025-10-10' WHERE student_id = 'S2' AND event = 'resigned'`));
    await new Promise((r) => setTimeout(r, 200));
    expect((await teacher.get('/students/S2')).status).toBe(200);
    await gate.use((db) => db.run(`DELETE FROM study_right_events WHERE student_id = 'S2' AND event = 'resigned'`));
  });

  it('#16.17 the server\'s own refusals (header too large, URI too long, malformed) carry the security headers', async () => {
    const { port, hostname } = new URL(base);
    const raw = (request: string) =>
      new Promise<string>((resolve, reject) => {
        const sock = connect(Number(port), hostname, () => sock.write(request));
        let out = '';
        sock.on('data', (d) => (out += d.toString()));
        sock.on('end', () => resolve(out));
        sock.on('close', () => resolve(out));
        sock.on('error', reject);
      });
    const answers = [
      await raw(`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(80_000)}\r\n\r\n`),
      await raw(`GET /${'a'.repeat(90_000)} HTTP/1.1\r\nHost: x\r\n\r\n`),
      await raw(`NOT A REQUEST\r\n\r\n`),
    ];
    for (const a of answers) {
      expect(a).toMatch(/^HTTP\/1\.1 4\d\d/);
      expect(a.toLowerCase()).toContain('x-content-type-options: nosniff');
      expect(a.toLowerCase()).toContain('content-security-policy:');
    }
    const long = await fetch(`${base}/students/${'x'.repeat(5000)}`);
    expect(long.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('shows my students as a caseload: one row per student, filters with counts, sorting, new since my last visit', async () => {
    const c = await signIn('guidance_counsellor');
    const home = await c.get('/');
    expect(home.status).toBe(200);
    const rows = [...home.html.matchAll(/<tr><th scope="row"><a href="\/students\/([^"]+)"/g)].map((m) => m[1]);
    expect(rows.length).toBeGreaterThan(0);
    expect(new Set(rows).size).toBe(rows.length); // one row per student, however many triggers
    const triggerLinks = [...home.html.matchAll(/href="\/triggers\/[^"]+"/g)].length;
    expect(triggerLinks).toBeGreaterThanOrEqual(rows.length);
    // The filter links carry counts that match what they show.
    const high = /<a href="\/\?severity=high"[^>]*>[^<(]+\((\d+)\)<\/a>/.exec(home.html);
    expect(high).not.toBeNull();
    const filtered = await c.get('/?severity=high');
    expect([...filtered.html.matchAll(/<tr><th scope="row">/g)].length).toBe(Number(high![1]));
    for (const m of filtered.html.matchAll(/<td><span class="sev-(\w+)">/g)) expect(m[1]).toBe('high');
    // Sorted by name on request; unknown filter values are ignored, not echoed.
    const byName = await c.get('/?sort=name');
    const names = [...byName.html.matchAll(/<tr><th scope="row"><a [^>]+>([^<]+)<\/a>/g)].map((m) => m[1]!);
    expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b)));
    const odd = await c.get('/?severity=%3Cscript%3E&page=-3&sort=x');
    expect(odd.status).toBe(200);
    expect(odd.html).not.toContain('<script>');
    // Everything was new at the first visit; the page says since when at the next.
    expect(home.html).toMatch(/class="new"/);
    expect((await c.get('/')).html).toMatch(/[0-9]+\.[0-9]+\.20[0-9]{2}/);
    // Acknowledged from the list: the next view of it shows so (what it keeps is forgotten on a write).
    const acked = /status=acknowledged"[^>]*>[^<(]+\((\d+)\)<\/a>/;
    const before = Number(acked.exec((await c.get('/')).html)?.[1]);
    const first = /href="\/triggers\/([^"]+)"/.exec(filtered.html)![1]!;
    expect((await c.post(`/triggers/${first}/acknowledge`, {})).status).toBe(303);
    expect(Number(acked.exec((await c.get('/')).html)?.[1])).toBe(before + 1);
  });

  it('tells a welfare professional who else holds a live trigger for the student (role and date only), lets them take it, and the holder hand it over', async () => {
    const welfare = triggers['help_request_health/S1']!;
    const kuraattori = await signedIn('social_worker');
    const page = await kuraattori.get('/students/S1');
    expect(page.html).toContain('terveydenhoitaja');
    expect(page.html).toContain(`/triggers/${welfare}/take`);
    // Role and date only: the kuraattori's page holds nothing of what the trigger says.
    const nurse = await signedIn('nurse');
    const nursePage = (await nurse.get(`/triggers/${welfare}`)).html;
    const title = /<h1>([^<]+)<\/h1>/.exec(nursePage)![1]!;
    expect(page.html).not.toContain(title);
    // A teacher learns nothing of it.
    const teacher = await signedIn('teacher');
    const teacherPage = (await teacher.get('/students/S1')).html;
    expect(teacherPage).not.toContain(welfare);
    expect(teacherPage).not.toContain('terveydenhoitaja');
    expect((await teacher.post(`/triggers/${welfare}/take`, { role: 'teacher' })).status).toBe(404);
    // The nurse hands it to the kuraattori; it is routed to them and open again.
    await nurse.get(`/triggers/${welfare}`);
    expect(nursePage).toContain(`/triggers/${welfare}/hand-over`);
    expect((await nurse.post(`/triggers/${welfare}/hand-over`, { role: 'social_worker' })).status).toBe(303);
    expect((await kuraattori.get('/')).html).toContain(`/triggers/${welfare}`);
    // …and the nurse takes it back: routed to her, acknowledged, and left with her by the nightly routing.
    await nurse.get('/students/S1');
    expect((await nurse.post(`/triggers/${welfare}/take`, { role: 'nurse' })).status).toBe(303);
    const row = await gate.use((db) => db.one(`SELECT staff_id, role, status, routed_via FROM triggers WHERE trigger_id = $id`, { id: welfare }));
    expect(row).toMatchObject({ staff_id: schoolStaff['nurse'], role: 'nurse', status: 'acknowledged', routed_via: 'taken' });
  });

  it('a student page opened through a live trigger closes the moment that trigger is resolved (whose students one may open is kept for the day, but only until the workspace writes)', async () => {
    const id = triggers['unexcused_absences/S9']!;
    // S9 (group G2) is no student of the teacher's; a live trigger routed to the teacher opens the page.
    await gate.use((db) => db.run(`UPDATE triggers SET staff_id = $s, role = 'teacher', status = 'open' WHERE trigger_id = $id`, { s: schoolStaff['teacher']!, id }));
    await new Promise((r) => setTimeout(r, 120)); // the warehouse is reopened: what was kept is forgotten
    const teacher = await signedIn('teacher');
    // One opening of the warehouse throughout, so only the workspace's own write can make it forget.
    await gate.holdOpen(async () => {
      expect((await teacher.get('/students/S9')).status).toBe(200);
      await teacher.get(`/triggers/${id}`);
      expect((await teacher.post(`/triggers/${id}/resolve`, { outcome: 'supported' })).status).toBe(303);
      expect((await teacher.get('/students/S9')).status).toBe(404);
    });
  });

  it('draws the student\'s last twelve months as an SVG on the page, with the well-being answers for welfare roles only', async () => {
    await gate.use((db) => db.run(`INSERT INTO wellbeing VALUES ('S1', '2025-10-10 09:00:00', 'check-in', 'mood', 2, false, NULL, 't')`));
    const nurse = await signedIn('nurse');
    const supervisor = await signedIn('group_supervisor');
    const forNurse = (await nurse.get('/students/S1')).html;
    const forSupervisor = (await supervisor.get('/students/S1')).html;
    for (const page of [forNurse, forSupervisor]) {
      expect(page).toMatch(/<figure class="timeline"><svg role="img" aria-label="Viimeiset kaksitoista kuukautta"/);
      expect(page).toContain('Poissaolot viikoittain');
      expect(page).not.toMatch(/<script/i);
    }
    expect(forNurse).toContain('Omat hyvinvointivastaukset');
    expect(forSupervisor).not.toContain('Omat hyvinvointivastaukset');
  });

  it('a student page shows the night\'s data once the warehouse is opened again (what pages keep of it is forgotten)', async () => {
    const supervisor = await signedIn('group_supervisor');
    const before = (await supervisor.get('/students/S1')).html;
    expect(before).not.toContain('Yönimi');
    await new Promise((r) => setTimeout(r, 200)); // the gate closes when idle; another command (the night) writes
    const night = await Warehouse.open(path.join(dataDir, 'kiinni.duckdb'));
    try {
      await night.run(`UPDATE students SET family_name = 'Yönimi' WHERE student_id = 'S1'`);
    } finally {
      night.close();
    }
    const after = (await supervisor.get('/students/S1')).html;
    expect(after).toContain('Yönimi');
    await new Promise((r) => setTimeout(r, 200));
    await gate.use((db) => db.run(`UPDATE students SET family_name = 'Virtanen' WHERE student_id = 'S1'`));
  });

  it('keeps a note on what was done for exactly those who may see what it answers', async () => {
    const nurse = await signedIn('nurse');
    const welfare = triggers['help_request_health/S1']!;
    const text = 'Soitin, sovittiin tapaaminen perjantaille.';
    await nurse.get(`/triggers/${welfare}`);
    expect(nurse.csrf).not.toBe('');
    // A note holding an identity code is refused and nothing changes: the trigger stays live.
    expect((await nurse.post(`/triggers/${welfare}/resolve`, { outcome: 'supported', note: 'hetu 131052-308T' })).status).toBe(400);
    expect((await nurse.post(`/triggers/${welfare}/resolve`, { outcome: 'supported', note: 'x'.repeat(501) })).status).toBe(400);
    expect((await nurse.get(`/triggers/${welfare}`)).html).toContain('name="outcome"');
    expect((await nurse.post(`/triggers/${welfare}/resolve`, { outcome: 'supported', note: text })).status).toBe(303);
    expect((await nurse.get(`/triggers/${welfare}`)).html).toContain(text);
    expect((await nurse.get('/students/S1')).html).toContain(text);
    // A welfare trigger's note is welfare data: not on the group supervisor's or the teacher's page.
    for (const role of ['group_supervisor', 'teacher']) expect((await (await signedIn(role)).get('/students/S1')).html).not.toContain(text);
    // It is part of what the student can ask to see (subject access), and nothing else reads it.
    const { subjectAccess } = await import('../privacy/index.js');
    const x = await gate.use((db) => subjectAccess(db, 'S1', now));
    expect(JSON.stringify(x.sections.find((t) => t.table === 'support_notes')?.rows)).toContain(text);
  });

  it('the same trigger acknowledged or resolved by several requests at once: one wins, the others are told, nothing is done twice', async () => {
    const nurse = await signedIn('nurse');
    const mine = await gate.use((db) => db.all(`SELECT trigger_id FROM triggers WHERE staff_id = $s ORDER BY trigger_id`, { s: schoolStaff['nurse']! }));
    expect(mine.length).toBeGreaterThan(0);
    const id = String(mine[0]!['trigger_id']);
    const reopen = async () => {
      await gate.use(async (db) => {
        await db.run(`UPDATE triggers SET status = 'open', acknowledged_on = NULL, acknowledged_by = NULL, closed_on = NULL, closed_by = NULL, outcome = NULL WHERE trigger_id = $id`, { id });
        await db.run(`DELETE FROM trigger_events WHERE trigger_id = $id AND event IN ('acknowledged', 'resolved')`, { id });
      });
      await new Promise((r) => setTimeout(r, 200)); // reopened: what pages keep starts again
    };
    await reopen();
    const count = (event: string) => gate.use(async (db) => Number((await db.one(`SELECT count(*) AS n FROM trigger_events WHERE trigger_id = $id AND event = $event`, { id, event }))!['n']));
    const acks = await Promise.all(Array.from({ length: 6 }, () => nurse.post(`/triggers/${id}/acknowledge`, {})));
    expect(acks.filter((r) => r.status === 303)).toHaveLength(1);
    for (const r of acks) expect([303, 400, 409]).toContain(r.status);
    expect(await count('acknowledged')).toBe(1);
    const resolves = await Promise.all(Array.from({ length: 6 }, () => nurse.post(`/triggers/${id}/resolve`, { outcome: 'supported' })));
    expect(resolves.filter((r) => r.status === 303)).toHaveLength(1);
    for (const r of resolves) expect([303, 400, 409]).toContain(r.status);
    expect(await count('resolved')).toBe(1);
    const conflict = resolves.find((r) => r.status === 409);
    if (conflict) expect(conflict.html).toContain('Joku muutti samaa tietoa samalla hetkellä');
    await reopen();
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
    await signInMailSent();
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
