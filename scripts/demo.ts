#!/usr/bin/env node
// `npm run demo`: the nightly pipeline on the bundled fixtures, from nothing. The cohort's exports
// (KOSKI documents for study rights and courses, register CSVs for the rest) are dropped into the
// inbox as a nightly export would be; `kiinni run nightly` loads them,
// trains a first model (there is none yet), scores, runs the triggers, writes the digests to the
// outbox and builds the leadership report. Data goes to ./data-demo, recreated each time.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { writeKoskiExport } from '../src/synth/index.js';
import { repoRoot as root } from './lib/harness.js';

const data = path.join(root, 'data-demo');
// The demo's config: digests carry a sign-in link to the workspace on this machine.
const config = path.join(data, 'kiinni.yaml');
const kiinni = (...args: string[]) => {
  process.stdout.write(`\n$ kiinni ${args.join(' ')}\n`);
  const r = spawnSync(process.execPath, [path.join(root, 'bin', 'kiinni.js'), '--data-dir', data, '--config', config, ...args], { stdio: 'inherit' });
  if (r.status !== 0) {
    process.stderr.write(`demo: 'kiinni ${args.join(' ')}' exited with ${r.status}\n`);
    process.exit(r.status ?? 1);
  }
};

rmSync(data, { recursive: true, force: true });
mkdirSync(data, { recursive: true });
// The workspace's "today" is the demo's last night, so its pages match the digests in the outbox.
// Programmes and units by the names staff and leadership use (the exports carry codes).
const displayNames = `display_names:
  units:
    Pasila: { fi: "Pasilan toimipiste", sv: "Verksamhetsstället i Böle" }
    Vallila: { fi: "Vallilan toimipiste", sv: "Verksamhetsstället i Vallgård" }
  programmes:
    ajoneuvo: { fi: "Ajoneuvoalan perustutkinto", sv: "Grundexamen inom fordonsbranschen", en: "Vehicle technology (VQ)" }
    ict: { fi: "Tieto- ja viestintätekniikan perustutkinto", sv: "Grundexamen i informations- och kommunikationsteknik", en: "ICT (VQ)" }
    lahihoitaja: { fi: "Sosiaali- ja terveysalan perustutkinto", sv: "Grundexamen inom social- och hälsovårdsbranschen", en: "Social and health care (VQ)" }
    liiketoiminta: { fi: "Liiketoiminnan perustutkinto", sv: "Grundexamen i affärsverksamhet", en: "Business (VQ)" }
    luma: { fi: "Lukio, luonnontieteiden linja", sv: "Gymnasiet, naturvetenskaplig linje", en: "Upper secondary, science line" }
    musiikki: { fi: "Lukio, musiikkilinja", sv: "Gymnasiet, musiklinje", en: "Upper secondary, music line" }
    rakennus: { fi: "Talonrakennusalan perustutkinto", sv: "Grundexamen inom husbyggnadsbranschen", en: "Construction (VQ)" }
    ravintola: { fi: "Ravintola- ja catering-alan perustutkinto", sv: "Grundexamen inom restaurang- och cateringbranschen", en: "Restaurant and catering (VQ)" }
    sahko: { fi: "Sähkö- ja automaatioalan perustutkinto", sv: "Grundexamen inom el- och automationsbranschen", en: "Electrical and automation (VQ)" }
    yleislinja: { fi: "Lukio, yleislinja", sv: "Gymnasiet, allmän linje", en: "Upper secondary, general line" }
`;
writeFileSync(config, `web:\n  base_url: http://127.0.0.1:8080\n  today: 2026-02-20\n${displayNames}`);
kiinni('init');
// Tonight's exports arrive in the inbox the way a provider has them: the national KOSKI register's
// bulk export (study rights, their states and evaluated units; one document per person, with
// fictitious identity codes), the student register's background and groups and its study plans
// (planned units and dates, which KOSKI does not hold), Wilma-style
// attendance, the check-in bot's answers, staff, assignments and recorded support. One
// pseudonym key turns KOSKI's identity codes and OIDs into pseudonyms before anything is stored.
process.env['KIINNI_PSEUDONYM_KEY'] ??= 'demo-pseudonym-key-not-for-production';
await writeKoskiExport(path.join(root, 'fixtures', 'cohort'), 1, path.join(data, 'inbox', 'koski', 'koski-export'));
for (const kind of ['staff', 'students', 'assignments', 'course_progress', 'attendance', 'wellbeing', 'interventions']) {
  mkdirSync(path.join(data, 'inbox', kind), { recursive: true });
  cpSync(path.join(root, 'fixtures', 'cohort', `${kind}.csv`), path.join(data, 'inbox', kind, `${kind}.csv`));
}
// The export ends in the summer break; run a February school night to see a working list.
kiinni('run', 'nightly', '--as-of', '2026-02-16', '--dry-run');
kiinni('run', 'nightly', '--as-of', '2026-02-16');
// The rest of the week, night by night (a backfill); then what staff see.
kiinni('run', 'backfill', '--from', '2026-02-17', '--to', '2026-02-20');
kiinni('triggers', 'list', '--role', 'group_supervisor', '--status', 'open', '--limit', '8', '--lang', 'fi');
kiinni('triggers', 'list', '--role', 'social_worker', '--limit', '5', '--lang', 'fi');
kiinni('score', '--as-of', '2026-02-16', '--show', '5', '--lang', 'fi');
kiinni('runs', '--limit', '2');
process.stdout.write(
  [
    '',
    `Warehouse:   ${path.join(data, 'kiinni.duckdb')}`,
    `Model cards: ${path.join(data, 'models')}/<version>/card.md   (npx kiinni --data-dir data-demo model show)`,
    `Digests:     ${path.join(data, 'outbox')}/<date>/<staff>.eml   (npx kiinni --data-dir data-demo digest preview --staff H00001)`,
    `Report:      ${path.join(data, 'reports', '2026-02-20', 'report.html')}`,
    `Run logs:    ${path.join(data, 'logs')}/   Archive: ${path.join(data, 'archive')}/`,
    'Workspace:   npx kiinni --data-dir data-demo --config data-demo/kiinni.yaml serve   → http://127.0.0.1:8080',
    '             sign in with a staff address from fixtures/cohort/staff.csv; the link lands in data-demo/outbox/sign-in/',
    '             (each digest in the outbox carries one too)',
    'Screenshots: npm run -s screenshots (digests, report and workspace, in headless Chromium)',
    'Try:         npx kiinni --data-dir data-demo triggers rules',
    '',
  ].join('\n'),
);
