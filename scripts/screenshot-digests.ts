#!/usr/bin/env node
// Renders one digest per staff role (the staff member of that role with the most open triggers,
// in the language asked for) and screenshots it in headless Chromium, so a person can look at what
// staff receive: `digest-<role>-<lang>.png`.
// Usage: npm run demo && npm run -s screenshot:digests -- [--data-dir data-demo] [--out DIR] [--as-of DATE]
//          [--lang fi|sv|en] [--roles nurse,teacher] [--max-height PX] [--png-only]
// Needs Debian's chromium (apt-get install chromium) or KIINNI_CHROMIUM=/path/to/chrome.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import puppeteer from 'puppeteer-core';
import { Warehouse } from '../src/db/warehouse.js';
import { args as options, chromiumPath, num, repoRoot as root, rowsAs } from './lib/harness.js';
import { demoConfig, screenshot } from './lib/workspace.js';

const a = options('screenshot-digests', { 'data-dir': { type: 'string' }, out: { type: 'string' }, 'as-of': { type: 'string' }, lang: { type: 'string' }, roles: { type: 'string' }, 'max-height': { type: 'string' }, 'png-only': { type: 'boolean' } });
const data = path.resolve(a['data-dir'] ?? path.join(root, 'data-demo'));
const out = path.resolve(a.out ?? path.join(data, 'screenshots'));
const chromium = chromiumPath('screenshot-digests');
const maxHeight = a['max-height'] ? num('max-height', a['max-height']) : undefined;
const kiinni = (...args: string[]) => {
  const r = spawnSync(process.execPath, [path.join(root, 'bin', 'kiinni.js'), '--data-dir', data, ...demoConfig(data), ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`kiinni ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};
const asOf = a['as-of'];
const dateArgs = asOf ? ['--as-of', asOf] : [];
mkdirSync(out, { recursive: true });

const roles = a.roles?.split(',') ?? ['teacher', 'group_supervisor', 'guidance_counsellor', 'special_needs_teacher', 'social_worker', 'psychologist', 'nurse'];
const db = await Warehouse.open(path.join(data, 'kiinni.duckdb'), { readOnly: true });
const staffLanguage = new Map((await rowsAs<{ staff_id: string; language: string }>(db.all(`SELECT staff_id, language FROM staff`))).map((s) => [s.staff_id, s.language]));
db.close();
const shots: { role: string; staff: string; png: string }[] = [];
const browser = await puppeteer.launch({ executablePath: chromium, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 900, height: 800 });
  for (const role of roles) {
    // Asked as the role itself: welfare roles' triggers are in no one else's view.
    const mine = JSON.parse(kiinni('--json', 'triggers', 'list', '--role', role, '--limit', '1000000')) as { staff_id: string | null; status: string }[];
    const counts = new Map<string, number>();
    for (const t of mine) if (t.staff_id && (t.status === 'open' || t.status === 'acknowledged') && (!a.lang || staffLanguage.get(t.staff_id) === a.lang)) counts.set(t.staff_id, (counts.get(t.staff_id) ?? 0) + 1);
    const staff = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]?.[0];
    if (!staff) {
      process.stderr.write(`no open triggers for ${role}${a.lang ? ` in ${a.lang}` : ''}; skipped\n`);
      continue;
    }
    const name = `digest-${role}-${staffLanguage.get(staff) ?? 'fi'}`;
    const html = path.join(out, `${name}.html`);
    kiinni('digest', 'preview', '--staff', staff, '--format', 'html', '--out', html, ...dateArgs);
    await page.goto(`file://${html}`);
    const png = await screenshot(page, path.join(out, `${name}.png`), maxHeight);
    if (a['png-only']) rmSync(html);
    shots.push({ role, staff, png });
    process.stdout.write(`${role.padEnd(22)} ${staff.padEnd(8)} ${png}\n`);
  }
} finally {
  await browser.close();
}
process.stdout.write(`${shots.length} screenshots in ${out}\n`);
