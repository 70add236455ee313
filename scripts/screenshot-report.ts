#!/usr/bin/env node
// Builds the leadership report from a warehouse and screenshots it in headless Chromium at a
// laptop's 1280 px: page one and the appendix in each language asked for
// (`report-page-one-<lang>.png`, `report-appendix-<lang>.png`), so a person can look at it.
// Usage: npm run demo && npm run -s screenshot:report -- [--data-dir data-demo] [--out DIR] [--as-of DATE] [--langs fi,sv]
// Needs Debian's chromium (apt-get install chromium) or KIINNI_CHROMIUM=/path/to/chrome.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import puppeteer from 'puppeteer-core';
import { args, chromiumPath, repoRoot as root, workDir } from './lib/harness.js';
import { compressPng, demoConfig, screenshot } from './lib/workspace.js';

const a = args('screenshot-report', { 'data-dir': { type: 'string' }, out: { type: 'string' }, 'as-of': { type: 'string' }, langs: { type: 'string', default: 'fi,sv' } });
const data = path.resolve(a['data-dir'] ?? path.join(root, 'data-demo'));
const out = path.resolve(a.out ?? path.join(data, 'screenshots'));
const chromium = chromiumPath('screenshot-report');
mkdirSync(out, { recursive: true });
const built = workDir('screenshot-report');
const cli = ['--data-dir', data, ...demoConfig(data), 'report', 'build', '--out', built, ...(a['as-of'] ? ['--as-of', a['as-of']] : [])];
const run = spawnSync(process.execPath, [path.join(root, 'bin', 'kiinni.js'), ...cli], { stdio: 'inherit' });
if (run.status !== 0) process.exit(run.status ?? 1);

const browser = await puppeteer.launch({ executablePath: chromium, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 900 });
  for (const lang of a.langs.split(',')) {
    await page.goto(`file://${path.join(built, `report.${lang}.html`)}`);
    process.stdout.write(`${await screenshot(page, path.join(out, `report-page-one-${lang}.png`), 900)}\n`);
    // The appendix: scrolled to its heading, one screen of it.
    const top = (await page.evaluate(`document.querySelector('section:last-of-type').getBoundingClientRect().top + window.scrollY`)) as number;
    const file = path.join(out, `report-appendix-${lang}.png`);
    await page.screenshot({ path: file as `${string}.png`, clip: { x: 0, y: top, width: 1280, height: 900 }, captureBeyondViewport: true });
    process.stdout.write(`${compressPng(file)}\n`);
  }
} finally {
  await browser.close();
}
