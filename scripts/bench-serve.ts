#!/usr/bin/env node
// Latency of the staff workspace's main pages under concurrent load on loopback, against the
// sign-in page (same server, same run, no warehouse work) as the reference. Staff sign in the
// real way (link from the outbox e-mail); each request is a real page view, audit row included.
// The student page draws its twelve-month timeline (SVG) once per student, day and reader language.
// Usage: npm run bench:serve -- --data-dir DIR [--concurrency 4,16] [--seconds 20] [--pages student,trigger] [--json]
// (--pages: only the pages whose names contain one of these words; the reference page always runs.)
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Warehouse } from '../src/db/warehouse.js';
import { args, log, num } from './lib/harness.js';
import { linkFromOutbox, startServe } from './lib/workspace.js';

const a = args('bench-serve', { 'data-dir': { type: 'string' }, concurrency: { type: 'string', default: '4,16' }, seconds: { type: 'string', default: '20' }, pages: { type: 'string', default: '' } }, ['data-dir']);
const data = path.resolve(a['data-dir']!);
const levels = a.concurrency.split(',').map(Number);
const seconds = num('seconds', a.seconds);
const json = a.json;

// Staff to sign in: per role, the 10 with the most live triggers, with their triggers and students.
let db = await Warehouse.open(path.join(data, 'kiinni.duckdb'), { readOnly: true });
const info = (await db.one(`SELECT (SELECT count(*) FROM students) AS students, (SELECT count(*) FROM triggers WHERE status IN ('open', 'acknowledged')) AS live_triggers,
  (SELECT strftime(max(opened_on), '%Y-%m-%d') FROM triggers) AS last_night`))! as { students: number; live_triggers: number; last_night: string };
const staff = await db.all(`
  WITH live AS (SELECT staff_id, role, list(trigger_id ORDER BY opened_on DESC)[1:20] AS triggers, list(DISTINCT student_id) AS all_students, count(*) AS n
                FROM triggers WHERE status IN ('open', 'acknowledged') AND staff_id IS NOT NULL GROUP BY ALL),
  ranked AS (SELECT *, row_number() OVER (PARTITION BY role ORDER BY n DESC, staff_id) AS k FROM live)
  SELECT r.staff_id, r.role, s.email, r.triggers, list_sort(r.all_students)[1:20] AS students, r.all_students, r.n FROM ranked r JOIN staff s USING (staff_id) WHERE k <= 10 ORDER BY role, k`) as unknown as { staff_id: string; role: string; email: string; triggers: string[]; students: string[]; all_students: string[] }[];
db.close();
log(`${info.students} students, ${info.live_triggers} live triggers; signing in ${staff.length} staff`);

// One client address signs in every benchmark user: allow that many link requests from it.
const configFile = path.join(data, 'bench-serve.yaml');
// The workspace's day is the warehouse's last night (a generated cohort lives in its own time).
writeFileSync(configFile, `web:\n  link_requests_per_15_min: 20\n  today: ${info.last_night}\n`);
const { server, base } = await startServe(['--data-dir', data, '--config', configFile]);

class Client {
  cookies = new Map<string, string>();
  csrf = '';
  async req(method: string, url: string, form?: Record<string, string>): Promise<{ status: number; html: string }> {
    const res = await fetch(base + url, {
      method,
      redirect: 'manual',
      headers: { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '), ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      body: form ? new URLSearchParams(form).toString() : undefined,
    });
    for (const c of res.headers.getSetCookie()) {
      const [k, ...v] = c.split(';')[0]!.split('=');
      this.cookies.set(k!, v.join('='));
    }
    const html = await res.text();
    const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
    if (token) this.csrf = token;
    return { status: res.status, html };
  }
}

const users: ({ c: Client } & (typeof staff)[number])[] = [];
for (const s of staff) {
  const c = new Client();
  await c.req('GET', '/sign-in');
  const asked = Date.now() - 1000;
  await c.req('POST', '/sign-in', { _csrf: c.csrf, email: s.email });
  const token = new URL(await linkFromOutbox(data, s.email, asked)).searchParams.get('token')!;
  await c.req('GET', `/auth/link?token=${encodeURIComponent(token)}`);
  const r = await c.req('POST', '/auth/link', { _csrf: c.csrf, token });
  if (r.status !== 303) throw new Error(`sign-in of ${s.staff_id} failed: ${r.status}`);
  users.push({ c, ...s });
}
log(`${users.length} signed in`);

const pick = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)]!;
// Students for first views: each once, none of those the revisiting page picks from, in random order.
const revisited = new Set(users.flatMap((u) => u.students));
const seen = new Set<string>();
const firstViews: [(typeof users)[number], string][] = [];
for (const u of users) for (const s of u.all_students) if (!revisited.has(s) && !seen.has(s)) (seen.add(s), firstViews.push([u, s]));
for (let i = firstViews.length - 1; i > 0; i--) {
  const j = Math.floor(Math.random() * (i + 1));
  [firstViews[i], firstViews[j]] = [firstViews[j]!, firstViews[i]!];
}
const firstViewsAtStart = firstViews.length;
let firstViewsRanOut = false;
// A page, and optionally something done first that is not timed.
const scenarios: Record<string, () => [Client, string, (() => Promise<unknown>)?]> = {
  'sign-in page (reference)': () => [new Client(), '/sign-in'],
  'caseload (my students)': () => {
    const u = pick(users);
    return [u.c, '/'];
  },
  // Any write empties what the workspace keeps of live triggers: the caseload read afresh each
  // time (the write is a refused resolve, 400, which changes nothing).
  'caseload (my students), each view just after a write': () => {
    const u = pick(users);
    return [u.c, '/', () => u.c.req('POST', `/triggers/${encodeURIComponent(pick(u.triggers))}/resolve`, { _csrf: u.c.csrf, outcome: 'not_an_outcome' })];
  },
  'caseload, filtered and sorted': () => {
    const u = pick(users);
    return [u.c, pick(['/?severity=medium&sort=days', '/?new=1&sort=name', '/?status=open&sort=group', '/?page=2'])];
  },
  'trigger page': () => {
    const u = pick(users);
    return [u.c, `/triggers/${encodeURIComponent(pick(u.triggers))}`];
  },
  'student page with timeline': () => {
    const u = pick(users);
    return [u.c, `/students/${encodeURIComponent(pick(u.students))}`];
  },
  // Each request a student nobody has opened in this run (nor in the page above): nothing kept
  // from an earlier view helps. Runs out after as many students as the staff have live triggers for.
  'student page with timeline, first view of the day': () => {
    const first = firstViews.pop();
    if (first) return [first[0].c, `/students/${encodeURIComponent(first[1])}`];
    firstViewsRanOut = true;
    const u = pick(users);
    return [u.c, `/students/${encodeURIComponent(pick(u.students))}`];
  },
  'group list': () => {
    const u = pick(users.filter((x) => x.role === 'group_supervisor'));
    return [u.c, '/groups'];
  },
};

const q = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor(p * xs.length))] ?? NaN;
const results: { page: string; concurrency: number; requests: number; errors: number; per_second: number; p50_ms: number; p95_ms: number; p99_ms: number; server_cpu_ms_per_request: number; client_cpu_ms_per_request: number; p95_ratio_to_reference?: number }[] = [];
/** CPU time the server process has used (user + system, ms): steadier than latency on a shared machine. */
const serverCpuMs = () => {
  const fields = readFileSync(`/proc/${server.pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
};
const wanted = a.pages ? a.pages.split(',') : [];
const chosen = Object.entries(scenarios).filter(([name], i) => i === 0 || !wanted.length || wanted.some((w) => name.includes(w)));
for (const concurrency of levels) for (const [name, next] of chosen) {
  const lat: number[] = [];
  let errors = 0;
  const statuses = new Map<number, number>();
  const until = performance.now() + seconds * 1000;
  const warm = performance.now() + 2000;
  let cpuFrom = NaN;
  let clientFrom = process.cpuUsage();
  setTimeout(() => ((cpuFrom = serverCpuMs()), (clientFrom = process.cpuUsage())), 2000);
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) {
        const [c, url, before] = next();
        if (before) await before();
        const t0 = performance.now();
        const r = await c.req('GET', url);
        const ms = performance.now() - t0;
        if (r.status !== 200) (errors++, statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1));
        if (t0 > warm) lat.push(ms);
      }
    }),
  );
  const cpu = (serverCpuMs() - cpuFrom) / lat.length;
  const used = process.cpuUsage(clientFrom);
  const clientCpu = (used.user + used.system) / 1000 / lat.length;
  lat.sort((a, b) => a - b);
  results.push({ page: name, concurrency, requests: lat.length, errors, per_second: Math.round(lat.length / (seconds - 2)), p50_ms: q(lat, 0.5), p95_ms: q(lat, 0.95), p99_ms: q(lat, 0.99), server_cpu_ms_per_request: +cpu.toFixed(2), client_cpu_ms_per_request: +clientCpu.toFixed(2) });
  log(`${name} ×${concurrency}: p50 ${q(lat, 0.5).toFixed(1)} ms, p95 ${q(lat, 0.95).toFixed(1)} ms, server CPU ${cpu.toFixed(1)} ms a request (this benchmark's own ${clientCpu.toFixed(1)} ms), ${errors} errors${errors ? ` (${[...statuses].map(([k, n]) => `${n}× HTTP ${k}`).join(', ')})` : ''}`);
}
server.kill('SIGTERM');
if (firstViewsRanOut) log(`warning: the ${firstViewsAtStart} students for first views ran out; later requests of that page were revisits`);
for (const r of results) r.p95_ratio_to_reference = r.p95_ms / results.find((x) => x.concurrency === r.concurrency)!.p95_ms;
const out = { students: info.students, live_triggers: info.live_triggers, signed_in_staff: users.length, concurrency: levels, seconds_per_page: seconds, results };
if (json) process.stdout.write(JSON.stringify(out, null, 2) + '\n');
else {
  process.stdout.write(`Workspace on ${info.students} students (${info.live_triggers} live triggers), ${users.length} staff signed in, ${seconds} s per page and load:\n\n`);
  process.stdout.write('| page | concurrent clients | requests | errors | req/s | p50 ms | p95 ms | p99 ms | server CPU ms a request | p95 / reference |\n|---|---|---|---|---|---|---|---|---|---|\n');
  for (const r of results) process.stdout.write(`| ${r.page} | ${r.concurrency} | ${r.requests} | ${r.errors} | ${r.per_second} | ${r.p50_ms.toFixed(1)} | ${r.p95_ms.toFixed(1)} | ${r.p99_ms.toFixed(1)} | ${r.server_cpu_ms_per_request.toFixed(1)} | ${r.p95_ratio_to_reference!.toFixed(2)} |\n`);
}
