#!/usr/bin/env node
// Builds the leadership report from a warehouse and screenshots report.html in headless Chromium
// (full page, as a principal would scroll it), so a person can look at it.
// Usage: npm run demo && node scripts/screenshot-report.mjs [--data-dir data-demo] [--out DIR] [--as-of DATE] [--lang fi]
// Needs Debian's chromium (apt-get install chromium) or CHROMIUM=/path/to/chrome.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const arg = (name, dflt) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : dflt);
const data = path.resolve(arg('--data-dir', path.join(root, 'data-demo')));
const out = path.resolve(arg('--out', path.join(data, 'report')));
const chromium = process.env.CHROMIUM ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find(existsSync);
if (!chromium) {
  process.stderr.write('screenshot-report: no Chromium found; install it (apt-get install chromium) or set CHROMIUM.\n');
  process.exit(2);
}
const args = ['--data-dir', data, 'report', 'build', '--out', out, '--lang', arg('--lang', 'fi'), ...(arg('--as-of') ? ['--as-of', arg('--as-of')] : [])];
const built = spawnSync(process.execPath, [path.join(root, 'bin', 'kiinni.js'), ...args], { stdio: 'inherit' });
if (built.status !== 0) process.exit(built.status ?? 1);
const html = path.join(out, 'report.html');
for (const [name, size] of [['report-top.png', '1280,2400'], ['report-full.png', '1280,9000']]) {
  const png = path.join(out, name);
  const r = spawnSync(chromium, ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', `--screenshot=${png}`, `--window-size=${size}`, `file://${html}`], { encoding: 'utf8' });
  if (r.status !== 0 || !existsSync(png)) throw new Error(`chromium failed: ${r.stderr}`);
  process.stdout.write(`${png}\n`);
}
