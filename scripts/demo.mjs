#!/usr/bin/env node
// `npm run demo`: the main job on the bundled fixtures, from nothing. Grows as stages land
// (issue #9 turns it into `kiinni run nightly`). Data goes to ./data-demo, recreated each time.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const data = path.join(root, 'data-demo');
const kiinni = (...args) => {
  process.stdout.write(`\n$ kiinni ${args.join(' ')}\n`);
  const r = spawnSync(process.execPath, [path.join(root, 'bin', 'kiinni.js'), '--data-dir', data, ...args], { stdio: 'inherit' });
  if (r.status !== 0) {
    process.stderr.write(`demo: 'kiinni ${args.join(' ')}' exited with ${r.status}\n`);
    process.exit(r.status ?? 1);
  }
};

rmSync(data, { recursive: true, force: true });
kiinni('init');
kiinni('ingest', '--dir', path.join(root, 'fixtures', 'cohort'));
kiinni('status');
// The bundled cohort's truth files let the card show the best achievable ROC AUC.
kiinni('model', 'train', '--truth', path.join(root, 'fixtures', 'cohort', 'truth'));
// The export ends in the summer break; score a February school day to see a working list.
kiinni('score', '--as-of', '2026-02-16', '--show', '10', '--lang', 'fi');
// Triggers (herätteet): replay the school days up to the scoring week, night by night.
kiinni('triggers', 'run', '--as-of', '2026-02-02', '--until', '2026-02-20');
// What a group supervisor sees, and what a school social worker (kuraattori) sees.
kiinni('triggers', 'list', '--role', 'group_supervisor', '--status', 'open', '--limit', '8', '--lang', 'fi');
kiinni('triggers', 'list', '--role', 'social_worker', '--limit', '5', '--lang', 'fi');
// Daily digests: one e-mail per staff member with something open, to data-demo/outbox/ (or SMTP
// when KIINNI_SMTP_URL is set); a second send the same day sends nothing.
kiinni('digest', 'send');
kiinni('digest', 'send');
kiinni('digest', 'preview', '--staff', 'H00001');
// Leadership: cohort metrics, triggers, interventions and their impact; never individual rows.
kiinni('report', 'build', '--out', path.join(data, 'report'), '--as-of', '2026-02-20', '--lang', 'fi');
const models = path.join(data, 'models');
process.stdout.write(
  [
    '',
    `Warehouse:   ${path.join(data, 'kiinni.duckdb')}`,
    `Model cards: ${models}/<version>/card.md   (npx kiinni --data-dir data-demo model show)`,
    `Digests:     ${path.join(data, 'outbox')}/<date>/<staff>.eml   (screenshots: node scripts/screenshot-digests.mjs)`,
    `Report:      ${path.join(data, 'report', 'report.html')}   (screenshot: node scripts/screenshot-report.mjs)`,
    'Try:         npx kiinni --data-dir data-demo quarantine list',
    '             npx kiinni --data-dir data-demo triggers rules',
    '             npx kiinni --data-dir data-demo triggers show <id> --role social_worker',
    '',
  ].join('\n'),
);
