#!/usr/bin/env node
// Renders one digest per staff role (the staff member of that role with the most open triggers)
// and screenshots it in headless Chromium, so a person can look at what staff receive.
// Usage: npm run demo && npm run -s screenshot:digests -- [--data-dir data-demo] [--out DIR] [--as-of DATE]
// Needs Debian's chromium (apt-get install chromium) or KIINNI_CHROMIUM=/path/to/chrome.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { args as options, chromiumPath, repoRoot as root } from './lib/harness.js';

const a = options('screenshot-digests', { 'data-dir': { type: 'string' }, out: { type: 'string' }, 'as-of': { type: 'string' } });
const data = path.resolve(a['data-dir'] ?? path.join(root, 'data-demo'));
const out = path.resolve(a.out ?? path.join(data, 'screenshots'));
const chromium = chromiumPath('screenshot-digests');
const kiinni = (...args: string[]) => {
  const r = spawnSync(process.execPath, [path.join(root, 'bin', 'kiinni.js'), '--data-dir', data, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`kiinni ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};
const asOf = a['as-of'];
const dateArgs = asOf ? ['--as-of', asOf] : [];
mkdirSync(out, { recursive: true });

const roles = ['teacher', 'group_supervisor', 'guidance_counsellor', 'special_needs_teacher', 'social_worker', 'psychologist', 'nurse'];
const shots: { role: string; staff: string; png: string }[] = [];
for (const role of roles) {
  // Asked as the role itself: welfare roles' triggers are in no one else's view.
  const mine = JSON.parse(kiinni('--json', 'triggers', 'list', '--role', role, '--limit', '1000000')) as { staff_id: string | null; status: string }[];
  const counts = new Map<string, number>();
  for (const t of mine) if (t.staff_id && (t.status === 'open' || t.status === 'acknowledged')) counts.set(t.staff_id, (counts.get(t.staff_id) ?? 0) + 1);
  const staff = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]?.[0];
  if (!staff) {
    process.stderr.write(`no open triggers for ${role}; skipped\n`);
    continue;
  }
  const html = path.join(out, `digest-${role}.html`);
  const png = path.join(out, `digest-${role}.png`);
  kiinni('digest', 'preview', '--staff', staff, '--format', 'html', '--out', html, ...dateArgs);
  const r = spawnSync(chromium, ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', `--screenshot=${png}`, '--window-size=1100,1800', `file://${html}`], { encoding: 'utf8' });
  if (r.status !== 0 || !existsSync(png)) throw new Error(`chromium failed for ${role}: ${r.stderr}`);
  shots.push({ role, staff, png });
  process.stdout.write(`${role.padEnd(22)} ${staff.padEnd(8)} ${png}\n`);
}
process.stdout.write(`${shots.length} screenshots in ${out}\n`);
