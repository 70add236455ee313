import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import puppeteer from 'puppeteer-core';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../core/config.js';
import { buildReport, renderReportHtml, reportOptions } from '../../report/index.js';
import { tempDir } from '../../testing/temp-dir.js';
import { testEffects, withCohortWarehouse } from '../../testing/warehouse.js';
import { loadRules, runTriggers } from '../../triggers/index.js';

/** Debian's chromium; .ci/run installs it. The test fails (never skips) without it. */
const chromium = process.env['KIINNI_CHROMIUM'] ?? '/usr/bin/chromium';

describe('the leadership report in a real browser (headless Chromium)', () => {
  it('page one fits a 1280 × 900 screen without horizontal scrolling and prints on one A4 page, in fi and sv', async () => {
    expect(existsSync(chromium), `Chromium not found at ${chromium} (apt-get install chromium, or set KIINNI_CHROMIUM)`).toBe(true);
    const dir = tempDir();
    mkdirSync(dir, { recursive: true });
    await withCohortWarehouse(async (db) => {
      const rules = await loadRules(defaultConfig());
      for (const day of ['2026-02-09', '2026-02-10', '2026-02-11']) await runTriggers(db, rules, { asOf: day }, testEffects);
      for (const lang of ['fi', 'sv'] as const) {
        const report = await buildReport(db, reportOptions(defaultConfig(), { asOf: '2026-02-11', lang, bootstrap: 20 }), testEffects);
        writeFileSync(path.join(dir, `report.${lang}.html`), renderReportHtml(report, lang));
      }
    });
    const browser = await puppeteer.launch({ executablePath: chromium, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
    try {
      for (const lang of ['fi', 'sv']) {
        const page = await browser.newPage();
        await page.setViewport({ width: 1280, height: 900 });
        await page.goto(`file://${path.join(dir, `report.${lang}.html`)}`);
        const box = (await page.evaluate(`(() => {
          const one = document.getElementById('page-one').getBoundingClientRect();
          return { scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth, right: one.right, bottom: one.bottom + window.scrollY };
        })()`)) as { scrollWidth: number; clientWidth: number; right: number; bottom: number };
        expect(box.scrollWidth, `${lang}: the page scrolls sideways`).toBeLessThanOrEqual(box.clientWidth);
        expect(box.right).toBeLessThanOrEqual(1280);
        expect(box.bottom, `${lang}: page one is taller than the screen`).toBeLessThanOrEqual(900);
        // Printed alone, page one is one A4 page (Chromium's own PDF, pages counted in the file).
        await page.evaluate(`document.body.replaceChildren(document.getElementById('page-one'))`);
        const pdf = Buffer.from(await page.pdf({ format: 'A4', printBackground: true })).toString('latin1');
        const pages = pdf.match(/\/Type\s*\/Page(?![s\w])/g)?.length ?? 0;
        expect(pages, `${lang}: page one prints on ${pages} A4 pages`).toBe(1);
        await page.close();
      }
    } finally {
      await browser.close();
    }
  });
});
