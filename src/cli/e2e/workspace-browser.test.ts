import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import puppeteer, { type Page } from 'puppeteer-core';
import { runCliJson, startServe } from '../../testing/cli.js';
import { linkFromOutbox, workspaceSchool } from '../../testing/workspace.js';

/** Debian's chromium; .ci/run installs it. The test fails (never skips) without it. */
const chromium = process.env['KIINNI_CHROMIUM'] ?? '/usr/bin/chromium';
const axeSource = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** WCAG 2.1 A and AA violations axe-core finds on the page (contrast included). */
async function axeViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: axeSource });
  const result = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run: (o: unknown) => Promise<{ violations: { id: string; nodes: unknown[] }[] }> } }).axe;
    return axe.run({ runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
  });
  if (process.env['KIINNI_AXE_DEBUG']) process.stderr.write(JSON.stringify(result.violations, null, 1).slice(0, 3000));
  return result.violations.map((v) => `${v.id} (${v.nodes.length})`);
}

describe('the workspace in a real browser (headless Chromium)', () => {
  it('signs in from the e-mailed link, acknowledges a trigger, records support, and the audit log shows it', async () => {
    expect(existsSync(chromium), `Chromium not found at ${chromium} (apt-get install chromium, or set KIINNI_CHROMIUM)`).toBe(true);
    const { dataDir, triggers } = await workspaceSchool();
    const { server, base } = await startServe(dataDir, { KIINNI_LOG_LEVEL: 'warn' });
    const browser = await puppeteer.launch({ executablePath: chromium, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
    try {
      const page = await browser.newPage();
      await page.setBypassCSP(true); // only so the test can inject axe-core; the pages run no script
      await page.setExtraHTTPHeaders({ 'Accept-Language': 'en' });
      await page.goto(`${base}/sign-in?lang=en`);
      expect(await axeViolations(page)).toEqual([]);
      await page.type('#email', 'group_supervisor@example.fi');
      await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
      expect(await page.$eval('main', (m) => m.textContent)).toContain('sign-in link is on its way');

      // The link from the real .eml in the outbox; opening it shows a button, pressing it signs in.
      const link = await linkFromOutbox(dataDir, 'group_supervisor@example.fi');
      await page.goto(link);
      await Promise.all([page.waitForNavigation(), page.click('main button[type=submit]')]);
      expect(new URL(page.url()).pathname).toBe('/');
      const id = triggers['unexcused_absences/S1']!;
      expect(await page.$(`a[href="/triggers/${id}"]`)).not.toBeNull();
      // Accessible basics on a real page: language, one h1, every field labelled.
      expect(await page.$eval('html', (h) => h.lang)).toBe('fi');
      expect(await page.$$eval('h1', (h) => h.length)).toBe(1);
      expect(await axeViolations(page)).toEqual([]);

      await Promise.all([page.waitForNavigation(), page.click(`a[href="/triggers/${id}"]`)]);
      const fields = await page.$$eval('input:not([type=hidden]), select', (els) => els.map((e) => e.id));
      const labels = await page.$$eval('label', (els) => els.map((e) => e.getAttribute('for')));
      expect(fields.length).toBeGreaterThan(0);
      expect(fields.filter((id) => !id || !labels.includes(id))).toEqual([]);
      expect(await axeViolations(page)).toEqual([]);
      await Promise.all([page.waitForNavigation(), page.click(`form[action="/triggers/${id}/acknowledge"] button`)]);
      expect(await page.$eval('[role=status]', (e) => e.textContent)).toBe('Kuitattu.');

      await page.select('#iv-type-t', 'meeting');
      await Promise.all([page.waitForNavigation(), page.click('form[action="/students/S1/interventions"] button[type=submit]')]);
      expect(await page.$eval('[role=status]', (e) => e.textContent)).toBe('Kirjattu.');
      expect(await page.$(`a[href="/triggers/${id}"]`)).toBeNull(); // resolved by the support recorded
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { className: string } } }).document.activeElement.className)).toBe('skip');
      await page.goto(`${base}/students/S1`);
      expect(await axeViolations(page)).toEqual([]);
      await page.goto(`${base}/groups`);
      expect(await axeViolations(page)).toEqual([]);
    } finally {
      await browser.close();
      server.kill('SIGTERM');
      await new Promise((r) => server.once('exit', r));
    }
    const { json } = await runCliJson<{ action: string; student_id: string | null; object_id: string | null; client: string }[]>(['--data-dir', dataDir, '--json', 'audit', 'list', '--staff', 'H-SUPER']);
    const actions = json.map((a) => a.action);
    for (const a of ['sign_in_link_requested', 'signed_in', 'viewed_triggers', 'viewed_trigger', 'acknowledged_trigger', 'recorded_intervention']) expect(actions).toContain(a);
    expect(json.find((a) => a.action === 'acknowledged_trigger')).toMatchObject({ student_id: 'S1', object_id: triggers['unexcused_absences/S1'], client: '127.0.0.1' });
  }, 120_000);
});
