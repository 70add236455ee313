#!/usr/bin/env node
// Builds the leadership report from a warehouse and screenshots report.html in headless Chromium
// (full page, as a principal would scroll it), so a person can look at it.
// Usage: npm run demo && npm run -s screenshot:report -- [--data-dir data-demo] [--out DIR] [--as-of DATE] [--lang fi]
// Needs Debian's chromium (apt-get install chromium) or KIINNI_CHROMIUM=/path/to/chrome.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { args, chromiumPath, repoRoot as root } from './lib/harness.js';

const a = args('screenshot-report', { 'data-dir': { type: 'string' }, out: { type: 'string' }, 'as-of': { type: 'string' }, lang: { type: 'string', default: 'fi' } });
const data = path.resolve(a['data-dir'] ?? path.join(root, 'data-demo'));
const out = path.resolve(a.out ?? path.join(data, 'report'));
const chromium = chromiumPath('screenshot-report');
const cli = ['--data-dir', data, 'report', 'build', '--out', out, '--lang', a.lang, ...(a['as-of'] ? ['--as-of', a['as-of']] : [])];
const built = spawnSync(process.execPath, [path.join(root, 'bin', 'kiinni.js'), ...cli], { stdio: 'inherit' });
if (built.status !== 0) process.exit(built.status ?? 1);
const html = path.join(out, 'report.html');
for (const [name, size] of [['report-top.png', '1280,2400'], ['report-full.png', '1280,9000']] as const) {
  const png = path.join(out, name);
  const r = spawnSync(chromium, ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', `--screenshot=${png}`, `--window-size=${size}`, `file://${html}`], { encoding: 'utf8' });
  if (r.status !== 0 || !existsSync(png)) throw new Error(`chromium failed: ${r.stderr}`);
  process.stdout.write(`${png}\n`);
}
