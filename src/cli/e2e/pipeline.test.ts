import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, runCli, runCliJson } from '../../testing/cli.js';
import { startSmtp, type TestSmtp } from '../../testing/smtp.js';
import { tempDir } from '../../testing/temp-dir.js';

const cohort = path.join(repoRoot, 'fixtures', 'cohort');
const kinds = ['staff', 'students', 'assignments', 'study_right_events', 'course_progress', 'attendance', 'wellbeing', 'interventions'];

/** A data directory whose inbox holds the bundled cohort's exports, as a nightly export would. */
async function dataDirWithInbox(): Promise<string> {
  const data = tempDir();
  expect((await runCli(['--data-dir', data, 'init'])).exitCode).toBe(0);
  for (const kind of kinds) {
    mkdirSync(path.join(data, 'inbox', kind), { recursive: true });
    cpSync(path.join(cohort, `${kind}.csv`), path.join(data, 'inbox', kind, `${kind}.csv`));
  }
  return data;
}

interface Run {
  run_id: string;
  status: string;
  steps: { step: string; status: string }[];
}

/** Everything the night leaves behind that must not depend on a crash in between. */
async function finalState(data: string) {
  const lists: unknown[] = [];
  for (const view of [[], ['--role', 'nurse'], ['--role', 'social_worker'], ['--role', 'psychologist']]) {
    lists.push((await runCliJson(['--data-dir', data, 'triggers', 'list', '--limit', '100000', ...view])).json);
  }
  const reportDir = path.join(data, 'reports', '2026-02-16');
  const csvs = readdirSync(reportDir).filter((f) => f.endsWith('.csv') && f !== 'model_groups.csv').sort().map((f) => [f, readFileSync(path.join(reportDir, f), 'utf8')]);
  const archived = kinds.map((k) => readdirSync(path.join(data, 'archive', k, '2026-02-16')).length);
  const checkins = readFileSync(path.join(data, 'checkins', '2026-02-16.jsonl'), 'utf8');
  return { lists, csvs, archived, checkins, inbox: kinds.map((k) => readdirSync(path.join(data, 'inbox', k)).length) };
}

describe('kiinni run (real CLI)', () => {
  let smtp: TestSmtp;
  /** One uninterrupted night, to compare every interrupted one with. */
  let clean: { state: Awaited<ReturnType<typeof finalState>>; messages: number };
  beforeAll(async () => {
    smtp = await startSmtp();
    const data = await dataDirWithInbox();
    expect((await runCli(['--data-dir', data, 'run', 'nightly', '--as-of', '2026-02-16'], { env: { KIINNI_SMTP_URL: smtp.url } })).exitCode).toBe(0);
    clean = { state: await finalState(data), messages: smtp.messages.length };
  }, 120_000);
  afterAll(() => smtp.close());

  it('backfills 30 school days from the inbox: triggers, digests in the outbox and the report', async () => {
    const data = await dataDirWithInbox();
    const r = await runCliJson<{ status: string; steps: { step: string; status: string }[] }>(['--data-dir', data, 'run', 'backfill', '--from', '2026-01-12', '--to', '2026-02-20']);
    expect(r.result.exitCode).toBe(0);
    expect(r.json.status).toBe('finished');
    // 6 weeks: 30 school days (and the weekends between them).
    expect(r.json.steps.filter((s) => s.step.endsWith(':triggers')).length).toBe(40);
    expect(readdirSync(path.join(data, 'checkins')).length).toBe(40);
    expect(r.json.steps.every((s) => s.status === 'done')).toBe(true);
    const days = readdirSync(path.join(data, 'outbox'));
    expect(days.length).toBeGreaterThanOrEqual(30);
    // Send policy: on a Friday only those with something new or escalated get a message; on the
    // Monday reminder everyone with something open does.
    const friday = readdirSync(path.join(data, 'outbox', '2026-02-20')).length;
    const monday = readdirSync(path.join(data, 'outbox', '2026-02-16')).length;
    expect(friday).toBeGreaterThanOrEqual(1);
    expect(monday).toBeGreaterThan(5);
    expect(monday).toBeGreaterThan(friday);
    const triggers = await runCliJson<unknown[]>(['--data-dir', data, 'triggers', 'list', '--limit', '100000']);
    expect(triggers.json.length).toBeGreaterThan(50);
    expect(existsSync(path.join(data, 'reports', '2026-02-20', 'report.html'))).toBe(true);
    expect(kinds.every((k) => readdirSync(path.join(data, 'inbox', k)).length === 0)).toBe(true);
    const runs = await runCliJson<{ runs: Run[] }>(['--data-dir', data, 'runs']);
    expect(runs.json.runs[0]).toMatchObject({ run_id: 'backfill-2026-01-12..2026-02-20', status: 'finished' });
    // The same range again changes nothing.
    const again = await runCliJson<{ status: string }>(['--data-dir', data, 'run', 'backfill', '--from', '2026-01-12', '--to', '2026-02-20']);
    expect(again.json.status).toBe('already_finished');
  }, 240_000);

  it.each(['ingest', 'score', 'triggers', 'checkins', 'digests', 'report'])('a SIGKILL in the %s step, then a re-run, ends as an uninterrupted night with every e-mail once', async (step) => {
    const env = { KIINNI_SMTP_URL: smtp.url };
    const night = ['run', 'nightly', '--as-of', '2026-02-16'];
    const data = await dataDirWithInbox();
    const before = smtp.messages.length;
    const killed = await runCli(['--data-dir', data, ...night], { env: { ...env, KIINNI_KILL_AT: step } });
    expect(killed.signal).toBe('SIGKILL');
    const mid = await runCliJson<{ runs: Run[] }>(['--data-dir', data, 'runs']);
    expect(mid.json.runs[0]!.steps.find((s) => s.step === step)!.status).toBe('running');

    const resumed = await runCliJson<{ status: string; attempt: number; steps: { step: string; status: string }[] }>(['--data-dir', data, ...night], { env });
    expect(resumed.result.exitCode).toBe(0);
    expect(resumed.json).toMatchObject({ status: 'finished', attempt: 2 });
    expect(resumed.json.steps.find((s) => s.step === step)!.status).toBe('done');

    const ids = await Promise.all(smtp.messages.slice(before).map(async (m) => (await simpleParser(m.raw)).messageId));
    expect(ids.length).toBe(clean.messages);
    expect(new Set(ids).size).toBe(ids.length);
    expect(await finalState(data)).toEqual(clean.state);
  }, 120_000);
});
