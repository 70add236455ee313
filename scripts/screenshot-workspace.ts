#!/usr/bin/env node
// Screenshots every view of the staff workspace for the docs: the sign-in page, and for each role
// the pages it has (my triggers, a trigger, a student page, the group list, the cohort report,
// runs and data), signed in the real way (the link from the outbox e-mail) in headless Chromium.
// Usage: npm run demo && npm run -s screenshot:workspace -- [--data-dir data-demo] [--out DIR]
//          [--lang fi|sv|en] [--roles nurse,group_supervisor] [--pages sign-in,home,trigger,student,groups,report,admin] [--max-height PX]
// Files: `<role>-<lang>-<page>.png` (home is the caseload, "Omat opiskelijat").
// Needs Debian's chromium (apt-get install chromium) or KIINNI_CHROMIUM=/path/to/chrome.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import puppeteer, { type Page } from 'puppeteer-core';
import { Warehouse } from '../src/db/warehouse.js';
import { args, chromiumPath, num, repoRoot as root, rowsAs } from './lib/harness.js';
import { atServer, demoConfig, linkFromOutbox, screenshot, startServe } from './lib/workspace.js';

const a = args('screenshot-workspace', { 'data-dir': { type: 'string' }, out: { type: 'string' }, lang: { type: 'string' }, roles: { type: 'string' }, pages: { type: 'string' }, 'max-height': { type: 'string' } });
const pages = a.pages?.split(',');
const maxHeight = a['max-height'] ? num('max-height', a['max-height']) : undefined;
const onlyRoles = a.roles?.split(',');
const data = path.resolve(a['data-dir'] ?? path.join(root, 'data-demo'));
const out = path.resolve(a.out ?? path.join(data, 'screenshots', 'workspace'));
const chromium = chromiumPath('screenshot-workspace');
mkdirSync(out, { recursive: true });

// Who to sign in as: per role, the staff member (of the language asked for) with the most open triggers routed to them.
const db = await Warehouse.open(path.join(data, 'kiinni.duckdb'), { readOnly: true });
const people = (
  await rowsAs<{ role: string; email: string; language: string }>(db.all(`
  SELECT r.role, arg_max(s.email, coalesce(t.n, 0)) AS email, arg_max(s.language, coalesce(t.n, 0)) AS language
  FROM (SELECT staff_id, email, language, unnest(roles) AS role FROM staff WHERE $lang = '' OR language = $lang) s
  JOIN (SELECT DISTINCT unnest(roles) AS role FROM staff) r USING (role)
  LEFT JOIN (SELECT staff_id, count(*) AS n FROM triggers WHERE status IN ('open', 'acknowledged') GROUP BY 1) t USING (staff_id)
  GROUP BY r.role ORDER BY r.role`, { lang: a.lang ?? '' }))
).filter((p) => !onlyRoles || onlyRoles.includes(p.role));
db.close();

const { server, base } = await startServe(['--data-dir', data, ...demoConfig(data)]);
// The browser's own locale shows date fields as the reader's (31.5.2026, not mm/dd/yyyy).
const locale = a.lang === 'sv' ? 'sv-FI' : a.lang === 'en' ? 'en-GB' : 'fi-FI';
const browser = await puppeteer.launch({ executablePath: chromium, headless: true, args: ['--no-sandbox', '--disable-gpu', `--lang=${locale}`], env: { ...process.env, LANGUAGE: locale.replace('-', '_') } });
const shots: string[] = [];
const shot = async (page: Page, name: string) => {
  if (pages && !pages.some((p) => name === p || name.endsWith(`-${p}`) || name.startsWith(`${p}-`))) return;
  shots.push(await screenshot(page, path.join(out, `${name}.png`), maxHeight));
};
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 1100, height: 800 });
  await page.goto(`${base}/sign-in${a.lang ? `?lang=${a.lang}` : ''}`);
  await shot(page, `sign-in-${a.lang ?? 'fi'}`);
  for (const { role, email, language } of people) {
    const name = (view: string) => `${role}-${language}-${view}`;
    const ctx = await browser.createBrowserContext();
    const p = await ctx.newPage();
    await p.setViewport({ width: 1100, height: 800 });
    await p.goto(`${base}/sign-in`);
    await p.type('#email', email);
    await Promise.all([p.waitForNavigation(), p.click('button[type=submit]')]);
    await p.goto(atServer(await linkFromOutbox(data, email), base));
    await Promise.all([p.waitForNavigation(), p.click('main button[type=submit]')]);
    await shot(p, name('home'));
    const trigger = await p.$eval('main a[href^="/triggers/"]', (a) => a.getAttribute('href')).catch(() => null);
    if (trigger) {
      await p.goto(base + trigger);
      await shot(p, name('trigger'));
      const student = await p.$eval('main a[href^="/students/"]', (a) => a.getAttribute('href')).catch(() => null);
      if (student) {
        await p.goto(base + student);
        await shot(p, name('student'));
      }
    }
    if (role === 'group_supervisor') {
      await p.goto(`${base}/groups`);
      await shot(p, name('groups'));
    }
    if (role === 'leadership') {
      await p.goto(`${base}/report`);
      await shot(p, name('report'));
    }
    if (role === 'data_coordinator') {
      await p.goto(`${base}/admin`);
      await shot(p, name('admin'));
    }
    await ctx.close();
  }
} finally {
  await browser.close();
  server.kill('SIGTERM');
}
process.stdout.write(`Wrote ${shots.length} screenshots to ${out}:\n${shots.map((s) => `  ${path.basename(s)}`).join('\n')}\n`);
