import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { noProgress, type Progress } from '../core/progress.js';
import path from 'node:path';
import type { Config } from '../core/config.js';
import type { Logger } from '../core/log.js';
import { ident, literal } from '../db/sql.js';
import type { Row, Warehouse } from '../db/warehouse.js';
import { accessibleSvg, calibrationSpec } from './charts.js';
import { reportCharts } from './figures.js';
import { academicStartYear } from './metrics.js';
import { keyFigures, previousKeyFigures, storeKeyFigures, type KeyFigures } from './key-figures.js';
import { msg, type MessageKey, type MessageValues } from '../i18n/index.js';
import { columnTitle } from './words.js';
import { neutraliseFormulaSql } from '../core/csv.js';
import { languages } from '../core/vocabulary.js';
import { contactEpisodes, estimateImpact, type ImpactEstimate } from './impact.js';
import { estimateCheckinEffect, type CheckinEffect } from '../checkins/index.js';
import { renderReportHtml, type ReportLanguage } from './render.js';
import { suppressShare } from './suppress.js';
import {
  checkinTable, dataQualityTable, interventionTable, intakeTable, riskBandTable, triggerMonthlyTable, triggerTable, wellbeingTable, yearlyTablesAt,
  type ReportColumn, type ReportTable, type TableOptions,
} from './tables.js';

export interface ReportOptions extends TableOptions {
  lang: ReportLanguage;
  /** A provider's programme start (e.g. the check-in bot): before/after against the other units. */
  programmeStart: { date: string; units: string[] } | undefined;
  /** National negative-exit shares to compare with (Statistics Finland), by education type. */
  nationalBaseline: Record<string, number>;
  bootstrap: number;
  /** Units' and programmes' names on screen (config `display_names`); codes stay in the files. */
  displayNames?: Config['displayNames'];
}

/** Report options from the provider's config (`report:`) and the command's own choices. */
export function reportOptions(config: Config, o: { asOf: string; unit?: string | undefined; lang?: ReportLanguage; bootstrap?: number }): ReportOptions {
  const r = config.report;
  return { asOf: o.asOf, unit: o.unit, minCell: r.minCell, graceDays: r.graceDays, lang: o.lang ?? 'fi', programmeStart: r.programmeStart, nationalBaseline: r.nationalBaseline, bootstrap: o.bootstrap ?? 500, displayNames: config.displayNames };
}

/** Everything the report shows, each figure already suppressed. */
export interface Report {
  as_of: string;
  unit: string | null;
  min_cell: number;
  tables: ReportTable[];
  impact: ImpactEstimate & { contact_days: number; window_days: number };
  checkin_effect: CheckinEffect;
  model: { version: string; data_as_of: string; roc_auc: number; ece: number; calibration_svg: Record<ReportLanguage, string>; worst_decile_gap: number | null } | null;
  /** Page one's key figures, and those of the last report before this one (what changed). */
  key_figures: KeyFigures;
  previous: { as_of: string; figures: Map<string, number | null> } | null;
  /** Every chart in each language: one build serves readers of fi, sv and en. */
  charts: Record<ReportLanguage, Record<ChartName, string>>;
  /** How units and programmes are named on screen. */
  display_names: Config['displayNames'] | undefined;
}

export type ChartName = 'trend_types' | 'trend_units' | 'risk_bands' | 'triggers_monthly' | 'acknowledge' | 'wellbeing' | 'support';

const col = (name: string, kind: ReportColumn['kind']): ReportColumn => ({ name, kind });

/** Negative-exit shares before and after a programme start, started units against the others (difference in differences). */
function beforeAfterTable(byUnit: readonly Row[], o: ReportOptions): ReportTable | null {
  if (!o.programmeStart) return null;
  const startYear = academicStartYear(o.programmeStart.date);
  const started = new Set(o.programmeStart.units);
  const cells = new Map<string, { n: number; x: number }>();
  for (const r of byUnit.filter((x) => !x['year_in_progress'])) {
    const group = started.has(String(r['value'])) ? 'started' : 'comparison';
    const period = Number(r['start_year']) >= startYear ? 'after' : 'before';
    const c = cells.get(`${group}|${period}`) ?? { n: 0, x: 0 };
    c.n += Number(r['present']);
    c.x += Number(r['negative_exits']);
    cells.set(`${group}|${period}`, c);
  }
  const share = (k: string) => {
    const c = cells.get(k);
    return c ? suppressShare(c.x, c.n, o.minCell) : null;
  };
  const rows: ReportTable['rows'] = [];
  for (const group of ['started', 'comparison']) {
    rows.push({ group, before: share(`${group}|before`), after: share(`${group}|after`), students_before: cells.get(`${group}|before`)?.n ?? null, students_after: cells.get(`${group}|after`)?.n ?? null });
  }
  const p = ['started|before', 'started|after', 'comparison|before', 'comparison|after'].map((k) => ({ s: share(k), n: cells.get(k)?.n ?? 0 }));
  if (p.every((x) => x.s !== null)) {
    const did = p[1]!.s! - p[0]!.s! - (p[3]!.s! - p[2]!.s!);
    const se = Math.sqrt(p.reduce((v, x) => v + (x.s! * (1 - x.s!)) / x.n, 0));
    rows.push({ group: 'difference_in_differences', before: null, after: did, students_before: null, students_after: null, ci_low: did - 1.96 * se, ci_high: did + 1.96 * se });
  }
  return {
    name: 'impact_before_after',
    columns: [col('group', 'text'), col('students_before', 'count'), col('before', 'share'), col('students_after', 'count'), col('after', 'share'), col('ci_low', 'number'), col('ci_high', 'number')],
    rows: rows.map((r) => ({ ci_low: null, ci_high: null, ...r })),
  };
}

/** Computes every table of the leadership report, suppressed, plus the impact estimate and charts. */
export async function buildReport(db: Warehouse, o: ReportOptions, fx: { logger: Logger; progress?: Progress | undefined }): Promise<Report> {
  const progress = fx.progress ?? noProgress;
  // Its parts, in the order they are computed: yearly tables, the other tables, the check-ins' and
  // contacts' effects, data quality and the model, key figures, charts.
  progress.start('report', 6, 'parts');
  if (o.unit !== undefined) {
    // A unit's own report: every metric reads `students`, so shadow it with the unit's students.
    // Temp objects live in the catalog "temp" (schema main): name the warehouse's own catalog.
    const catalog = String((await db.one(`SELECT current_database() AS c`))!['c']);
    await db.run(`CREATE OR REPLACE TEMP VIEW students AS SELECT * FROM ${ident(catalog)}.main.students WHERE unit = ${literal(o.unit)}`);
  }
  // Each part's time in the debug log (the report's cost at national scale is watched).
  const t0 = Date.now();
  let last = t0;
  const lap = (part: string) => {
    fx.logger.debug({ part, ms: Date.now() - last }, 'report_part');
    last = Date.now();
  };
  const yearly = await yearlyTablesAt(db, o);
  progress.advance();
  const tables: ReportTable[] = yearly.tables;
  const unitCounts: Row[] = yearly.counts.get('unit') ?? [];
  lap('yearly_tables');
  tables.push(await intakeTable(db, o), await wellbeingTable(db, o), await riskBandTable(db, o), await triggerTable(db, o), await triggerMonthlyTable(db, o), await interventionTable(db, o), await checkinTable(db, o));
  progress.advance();
  const baseline = tables[1]!.rows.map((r) => ({ ...r, national_baseline: o.nationalBaseline[String(r['education_type'])] ?? null }));
  tables[1] = { ...tables[1]!, rows: baseline, columns: [...tables[1]!.columns, col('national_baseline', 'share')] };
  const beforeAfter = beforeAfterTable(unitCounts, o);
  if (beforeAfter) tables.push(beforeAfter);
  const from = `${Number(o.asOf.slice(0, 4)) - 2}${o.asOf.slice(4)}`;
  lap('other_tables');
  const episodes = await contactEpisodes(db, { asOf: o.asOf, from, contactDays: 7, windowDays: 90, bootstrap: o.bootstrap, seed: 1 });
  const impact = { ...estimateImpact(episodes, { bootstrap: o.bootstrap, seed: 1 }), contact_days: 7, window_days: 90 };
  tables.push({
    name: 'impact_timely_contact',
    columns: [col('group', 'text'), col('episodes', 'count'), col('negative_exits_90d', 'count')],
    rows: [
      { group: 'contacted_within_7_days', episodes: impact.treated >= o.minCell ? impact.treated : null, negative_exits_90d: impact.treated_exits === 0 || impact.treated_exits >= o.minCell ? impact.treated_exits : null },
      { group: 'no_contact_within_90_days', episodes: impact.comparison >= o.minCell ? impact.comparison : null, negative_exits_90d: impact.comparison_exits === 0 || impact.comparison_exits >= o.minCell ? impact.comparison_exits : null },
    ],
  });
  lap('impact');
  const checkinEffect = await estimateCheckinEffect(db, { asOf: o.asOf, from, graceDays: 14, windowDays: 90, bootstrap: o.bootstrap, seed: 1 });
  progress.advance();
  const count = (n: number) => (n >= o.minCell ? n : null);
  const exits = (n: number, of: number) => (of >= o.minCell && (n === 0 || n >= o.minCell) ? n : null);
  tables.push({
    name: 'impact_checkins',
    columns: [col('group', 'text'), col('students', 'count'), col('negative_exits_90d', 'count')],
    rows: [
      { group: 'asked_within_14_days', students: count(checkinEffect.treated), negative_exits_90d: exits(checkinEffect.treated_exits, checkinEffect.treated) },
      { group: 'not_yet_asked', students: count(checkinEffect.comparison), negative_exits_90d: exits(checkinEffect.comparison_exits, checkinEffect.comparison) },
    ],
  });
  lap('checkin_effect');
  tables.push(await dataQualityTable(db));

  let model: Report['model'] = null;
  const current = await db.one(`SELECT version, directory FROM model_versions WHERE status = 'current'`);
  if (current && existsSync(path.join(String(current['directory']), 'card.json'))) {
    const card = JSON.parse(readFileSync(path.join(String(current['directory']), 'card.json'), 'utf8')) as {
      version: string; data_as_of: string;
      evaluation: {
        roc_auc: number; ece: number;
        calibration: { n: number; predicted: number; observed: number }[];
        calibration_deciles?: { n: number; predicted: number; observed: number }[];
        groups: Record<string, { value: string; n: number; exits: number; roc_auc: number | null; false_positive_rate: number | null }[]>;
      };
    };
    const e = card.evaluation;
    // Deciles of risk (equal-sized groups) where the card has them; older cards have equal-width bins.
    const bins = (e.calibration_deciles ?? e.calibration).filter((b) => b.n >= o.minCell && Number.isFinite(b.predicted));
    const gaps = bins.map((b) => Math.abs(b.observed - b.predicted));
    const calibration = async (lang: ReportLanguage) => {
      const t = (key: MessageKey, args?: MessageValues) => msg(lang, key, args);
      return accessibleSvg(calibrationSpec(bins, { title: t('report.chart.calibration'), predicted: t('report.chart.predicted'), observed: t('report.chart.observed'), lang }), t('report.chart.calibration'));
    };
    model = { version: card.version, data_as_of: card.data_as_of, roc_auc: e.roc_auc, ece: e.ece, calibration_svg: { fi: await calibration('fi'), sv: await calibration('sv'), en: await calibration('en') }, worst_decile_gap: gaps.length ? Math.max(...gaps) : null };
    tables.push({
      name: 'model_groups',
      columns: [col('dimension', 'text'), col('group', 'text'), col('rows', 'count'), col('exits', 'count'), col('roc_auc', 'number'), col('false_positive_rate', 'share')],
      rows: Object.entries(e.groups).flatMap(([dimension, groups]) =>
        groups.map((g) => {
          const ok = g.n >= o.minCell && (g.exits === 0 || g.exits >= o.minCell);
          return { dimension, group: g.value, rows: ok ? g.n : null, exits: ok ? g.exits : null, roc_auc: ok ? g.roc_auc : null, false_positive_rate: ok ? g.false_positive_rate : null };
        }),
      ),
    });
  }
  lap('model');
  progress.advance();
  const key_figures = await keyFigures(db, o, tables, o.nationalBaseline);
  const previous = await previousKeyFigures(db, o.asOf, o.unit ?? '');
  progress.advance();
  lap('key_figures');
  const charts = { fi: await reportCharts(tables, { ...o, lang: 'fi' }), sv: await reportCharts(tables, { ...o, lang: 'sv' }), en: await reportCharts(tables, { ...o, lang: 'en' }) };
  progress.advance();
  progress.finish();
  lap('charts');
  fx.logger.info({ tables: tables.length, impact_episodes: impact.episodes, ms: Date.now() - t0 }, 'report_built');
  return { as_of: o.asOf, unit: o.unit ?? null, min_cell: o.minCell, tables, impact, checkin_effect: checkinEffect, model, key_figures, previous, charts, display_names: o.displayNames };
}

/**
 * Writes report.html and, per table, a CSV and a Parquet file into `outDir`: each table is put
 * into DuckDB once and written by COPY (text cells that a spreadsheet would run as a formula get
 * a leading apostrophe in the CSV), beside data_dictionary.csv, which explains every column in
 * fi, sv and en. The key figures are kept in the warehouse for the next report's "what changed".
 */
export async function writeReport(db: Warehouse, report: Report, outDir: string, lang: ReportLanguage, onTablesWritten?: () => void): Promise<string[]> {
  mkdirSync(outDir, { recursive: true });
  const files: string[] = [];
  for (const t of [...report.tables, dataDictionary(report.tables)]) {
    const kinds = t.columns.map((c) => (c.kind === 'text' ? 'varchar' : t.rows.every((r) => r[c.name] === null || Number.isInteger(r[c.name])) ? 'integer' : 'double') as 'varchar' | 'integer' | 'double');
    const temp = ident(`report_${t.name}`);
    const sqlType = { varchar: 'VARCHAR', integer: 'BIGINT', double: 'DOUBLE' };
    await db.run(`CREATE OR REPLACE TEMP TABLE ${temp} (${t.columns.map((c, i) => `${ident(c.name)} ${sqlType[kinds[i]!]}`).join(', ')})`);
    await db.appendRows(`report_${t.name}`, kinds, t.rows.map((r) => t.columns.map((c) => r[c.name] ?? null)));
    const csv = path.join(outDir, `${t.name}.csv`);
    const parquet = path.join(outDir, `${t.name}.parquet`);
    const csvColumns = t.columns.map((c, i) => (kinds[i] === 'varchar' ? `${neutraliseFormulaSql(ident(c.name))} AS ${ident(c.name)}` : ident(c.name))).join(', ');
    await db.run(`COPY (SELECT ${csvColumns} FROM ${temp}) TO ${literal(csv)} (FORMAT csv, HEADER true)`);
    await db.run(`COPY ${temp} TO ${literal(parquet)} (FORMAT parquet)`);
    await db.run(`DROP TABLE ${temp}`);
    files.push(csv, parquet);
  }
  await storeKeyFigures(db, report.as_of, report.unit ?? '', report.key_figures);
  onTablesWritten?.();
  // report.html in the language asked for, and the same report in each language beside it.
  for (const [name, l] of [['report.html', lang], ...languages.map((x) => [`report.${x}.html`, x] as const)] as const) {
    const html = path.join(outDir, name);
    writeFileSync(`${html}.tmp`, renderReportHtml(report, l));
    renameSync(`${html}.tmp`, html);
    files.push(html);
  }
  return files;
}

/** What each column of each file means, in the three languages (the files keep machine names). */
function dataDictionary(tables: readonly ReportTable[]): ReportTable {
  const kindWord: Record<ReportColumn['kind'], string> = { text: 'text', count: 'count of students (suppressed under min_cell)', share: 'share 0–1', number: 'number', days: 'days' };
  return {
    name: 'data_dictionary',
    columns: [col('file', 'text'), col('column', 'text'), col('kind', 'text'), col('fi', 'text'), col('sv', 'text'), col('en', 'text')],
    rows: tables.flatMap((t) => t.columns.map((c) => ({ file: `${t.name}.csv`, column: c.name, kind: kindWord[c.kind], fi: columnTitle('fi', c.name), sv: columnTitle('sv', c.name), en: columnTitle('en', c.name) }))),
  };
}
