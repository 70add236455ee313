import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../core/config.js';
import { tempDir } from '../testing/temp-dir.js';
import { testEffects, withCohortWarehouse } from '../testing/warehouse.js';
import { loadRules, runTriggers } from '../triggers/index.js';
import { buildReport, writeReport } from './index.js';
import { estimateImpact, type Episode } from './impact.js';

/** Parses a report CSV (DuckDB's COPY: quoted fields may hold commas and doubled quotes). */
function parseCsv(text: string): string[][] {
  return text
    .trimEnd()
    .split('\n')
    .map((line) => {
      const cells: string[] = [];
      let cell = '';
      let quoted = false;
      for (let i = 0; i < line.length; i++) {
        const ch = line[i]!;
        if (quoted) {
          if (ch === '"' && line[i + 1] === '"') (cell += '"'), i++;
          else if (ch === '"') quoted = false;
          else cell += ch;
        } else if (ch === '"') quoted = true;
        else if (ch === ',') cells.push(cell), (cell = '');
        else cell += ch;
      }
      cells.push(cell);
      return cells;
    });
}

describe('leadership report', () => {
  it('writes a self-contained page whose every figure equals its CSV, with no figure about 1–4 students', async () => {
    await withCohortWarehouse(async (db) => {
      const rules = await loadRules(defaultConfig());
      for (const day of ['2026-02-09', '2026-02-10', '2026-02-11']) await runTriggers(db, rules, { asOf: day }, testEffects);
      const out = tempDir();
      const r = defaultConfig().report;
      const report = await buildReport(db, { asOf: '2026-02-11', unit: undefined, minCell: 5, graceDays: r.graceDays, lang: 'fi', programmeStart: { date: '2025-08-01', units: ['Pasila'] }, nationalBaseline: r.nationalBaseline, bootstrap: 50 }, testEffects);
      await writeReport(db, report, out, 'fi');
      const html = readFileSync(path.join(out, 'report.html'), 'utf8');

      // Self-contained: no scripts, no stylesheets or images from elsewhere, no URLs but SVG namespaces.
      expect(html).not.toMatch(/<script|<link|<img|<iframe/);
      expect(html.replace(/xmlns(:\w+)?="[^"]*"/g, '')).not.toMatch(/https?:\/\/|url\(/);

      let compared = 0;
      for (const t of report.tables) {
        const csv = parseCsv(readFileSync(path.join(out, `${t.name}.csv`), 'utf8'));
        expect(csv[0]).toEqual(t.columns.map((c) => c.name));
        expect(csv.length - 1).toBe(t.rows.length);
        // Every cell of the HTML table carries its value: it must be the CSV's.
        for (const m of html.matchAll(new RegExp(`data-table="${t.name}" data-row="(\\d+)" data-col="([a-z_0-9]+)" data-value="([^"]*)"`, 'g'))) {
          const row = Number(m[1]);
          const colIndex = csv[0]!.indexOf(m[2]!);
          // Numbers compare as numbers (DuckDB writes a whole DOUBLE as 0.0), text exactly.
          const [shown, written] = [m[3]!.replace(/&amp;/g, '&'), csv[row + 1]![colIndex]!];
          if (shown !== '' && written !== '' && Number.isFinite(Number(shown))) expect(Number(written), `${t.name} row ${row} ${m[2]}`).toBe(Number(shown));
          else expect(shown, `${t.name} row ${row} ${m[2]}`).toBe(written);
          compared++;
        }
        // No published count is about 1–4 students.
        for (const c of t.columns.filter((x) => x.kind === 'count')) {
          for (const row of t.rows) {
            const v = row[c.name];
            if (typeof v === 'number') expect(v === 0 || v >= 5, `${t.name}.${c.name} = ${v}`).toBe(true);
          }
        }
        const parquet = await db.one(`SELECT count(*) AS n FROM read_parquet('${path.join(out, `${t.name}.parquet`)}')`);
        expect(Number(parquet!['n'])).toBe(t.rows.length);
      }
      expect(compared).toBeGreaterThan(200);
      expect(report.tables.map((t) => t.name)).toEqual(expect.arrayContaining(['yearly_by_unit', 'intake_background', 'wellbeing_monthly', 'triggers_by_family_role', 'interventions_by_type', 'checkins', 'impact_before_after', 'impact_timely_contact', 'data_quality']));
    });
  });

  it('impact: the risk-adjusted ratio removes confounding by stratum that the crude ratio keeps', () => {
    // Two strata. Within each, contact halves the exit risk; contact is more common in the riskier stratum.
    const episodes: Episode[] = [];
    const add = (stratum: string, treated: boolean, n: number, exits: number) => {
      for (let i = 0; i < n; i++) episodes.push({ trigger_id: `${stratum}${treated}${i}`, student_id: `${stratum}${treated}${i}`, opened_on: '2025-10-01', treated, exited: i < exits, stratum });
    };
    add('high', true, 400, 40); // 10 %
    add('high', false, 100, 20); // 20 %
    add('low', true, 100, 2); // 2 %
    add('low', false, 400, 16); // 4 %
    const e = estimateImpact(episodes, { bootstrap: 200, seed: 3 });
    expect(e.crude_risk_ratio!).toBeCloseTo(42 / 500 / (36 / 500), 5); // 1.17: contact looks harmful
    expect(e.risk_ratio!).toBeCloseTo(0.5, 5);
    expect(e.risk_ratio_ci![0]).toBeLessThan(0.5);
    expect(e.risk_ratio_ci![1]).toBeGreaterThan(0.5);
    expect(e.risk_ratio_ci![1]).toBeLessThan(1);
  });
});
