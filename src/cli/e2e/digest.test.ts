import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { repoRoot, runCli, runCliJson } from '../../testing/cli.js';
import { startSmtp, type TestSmtp } from '../../testing/smtp.js';
import { tempDir } from '../../testing/temp-dir.js';

interface Summary {
  as_of: string;
  transport: string;
  sent: number;
  already_sent: number;
  failed: number;
  failures: { staff_id: string; permanent: boolean }[];
}

describe('kiinni digest (real CLI)', () => {
  const data = tempDir();
  const cohort = path.join(repoRoot, 'fixtures', 'cohort');
  let smtp: TestSmtp;

  beforeAll(async () => {
    await runCli(['--data-dir', data, 'init']);
    expect((await runCli(['--data-dir', data, 'ingest', '--dir', cohort])).exitCode).toBe(0);
    expect((await runCli(['--data-dir', data, 'triggers', 'run', '--as-of', '2026-02-09', '--until', '2026-02-13'])).exitCode).toBe(0);
    smtp = await startSmtp();
  });
  afterAll(() => smtp.close());

  it('writes the outbox by default, once per staff member and day', async () => {
    const first = await runCliJson<Summary>(['--data-dir', data, 'digest', 'send']);
    expect(first.result.exitCode).toBe(0);
    expect(first.json).toMatchObject({ as_of: '2026-02-13', transport: 'outbox', failed: 0 });
    const dir = path.join(data, 'outbox', '2026-02-13');
    const files = readdirSync(dir);
    expect(files).toHaveLength(first.json.sent);
    const parsed = await simpleParser(readFileSync(path.join(dir, files[0]!)));
    expect(parsed.text).toBeTruthy();
    expect(parsed.html).toBeTruthy();
    const again = await runCliJson<Summary>(['--data-dir', data, 'digest', 'send']);
    expect(again.json).toMatchObject({ sent: 0, already_sent: first.json.sent });

    const preview = await runCli(['--data-dir', data, 'digest', 'preview', '--staff', files[0]!.replace('.eml', '')]);
    expect(preview.exitCode).toBe(0);
    expect(preview.stdout).toMatch(/^Subject: kiinni /);
  });

  it('sends over SMTP from KIINNI_SMTP_URL, exits 1 when a recipient is refused, and a re-run sends only that one', async () => {
    const day = ['--as-of', '2026-02-12'];
    const env = { KIINNI_SMTP_URL: smtp.url };
    // The server refuses the first staff member (in staff.csv order) who has a digest that day.
    const staff = readFileSync(path.join(cohort, 'staff.csv'), 'utf8').split('\n').slice(1).filter(Boolean).map((l) => l.split(','));
    let bad: string[] | undefined;
    for (const row of staff) {
      const preview = await runCliJson<{ digest: { students: unknown[] } }>(['--data-dir', data, 'digest', 'preview', '--staff', row[0]!, ...day]);
      if (preview.json.digest.students.length) {
        bad = row;
        break;
      }
    }
    smtp.reject.add(bad![2]!.toLowerCase());
    const config = tempDir({ 'kiinni.yaml': stringify({ digest: { from: 'kiinni <kiinni@koulu.example.fi>', retry: { attempts: 2, backoff_ms: 1 } } }) });
    const run = (extra: string[] = []) => runCliJson<Summary>(['--data-dir', data, '--config', path.join(config, 'kiinni.yaml'), 'digest', 'send', ...day, ...extra], { env });
    const first = await run();
    expect(first.json.transport).toBe('smtp');
    const refused = first.json.failures.map((f) => f.staff_id);
    expect(first.result.exitCode).toBe(1);
    expect(first.json.failures).toEqual([expect.objectContaining({ staff_id: bad![0], permanent: true })]);
    expect(smtp.messages).toHaveLength(first.json.sent);
    expect(smtp.messages.every((m) => m.from === 'kiinni@koulu.example.fi')).toBe(true);

    smtp.reject.clear();
    const second = await run();
    expect(second.result.exitCode).toBe(0);
    expect(second.json).toMatchObject({ sent: refused.length, already_sent: first.json.sent, failed: 0 });
    expect(smtp.messages).toHaveLength(first.json.sent + refused.length);
  });
});
