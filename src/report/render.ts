import { html, joinHtml, unsafeRawHtml, type Html } from '../core/html.js';
import { formatDate, formatDecimal, hasMessage, msg, translator, type Language, type MessageKey } from '../i18n/index.js';
import type { Report } from './build.js';
import type { KeyFigure } from './key-figures.js';
import type { ReportTable } from './tables.js';
import { codeWord, columnTitle } from './words.js';

export type ReportLanguage = Language;

// Page one fits a 1280 × 900 laptop screen and one A4 page; the rest follows, printable section by section.
const css =
  'body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1a1a1a;max-width:62rem;margin:1rem auto;padding:0 1rem;line-height:1.35}\n' +
  'h1{font-size:1.3rem;margin:.3rem 0}h2{font-size:1.2rem;margin:1.6rem 0 .4rem}h3{font-size:1rem;margin:.8rem 0 .3rem}\n' +
  'table{border-collapse:collapse;margin:.4rem 0;font-size:.88rem}th,td{border:1px solid #aaa;padding:.2rem .4rem;text-align:right;vertical-align:top}th[scope=row],thead th{text-align:left;background:#eef1f5}\n' +
  'td.t{text-align:left}caption{text-align:left;font-weight:600;padding:.3rem 0}.file{font-weight:400;color:#555}.note{color:#333;font-size:.85rem;margin:.3rem 0}\n' +
  '.kf{width:100%}.kf th[scope=row]{font-weight:600;width:40%}.kf th[scope=row] span{display:block;font-weight:400;font-size:.78rem;color:#333}.kf td{white-space:nowrap}.kf thead th{font-size:.8rem}\n' +
  '.better{color:#166534}.worse{color:#9b1c1c}.muted{color:#555;font-size:.78rem}\n' +
  'figure{margin:.6rem 0}svg{max-width:100%;height:auto}ul{margin:.3rem 0;padding-left:1.2rem}#page-one{max-width:62rem}\n' +
  '@media print{body{max-width:none;margin:0;font-size:10pt}#page-one{break-after:page}section{break-inside:avoid-page}}';

/** A cell as shown: shares as percentages, counts with thin-space thousands, blank when suppressed. */
export function formatCell(v: string | number | null | undefined, kind: string, lang: ReportLanguage): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (kind === 'share') return `${formatDecimal(lang, (v * 100).toFixed(1))} %`;
  if (kind === 'count' || (kind === 'number' && Number.isInteger(v))) return String(v).replace(/\B(?=(\d{3})+(?!\d))/g, '\u202f');
  if (kind === 'days') return formatDecimal(lang, String(Math.round(v * 10) / 10));
  return formatDecimal(lang, String(Number(v.toFixed(3))));
}

const tableTitle = (lang: Language, name: string): string => (hasMessage(`report.table.${name}`) ? msg(lang, `report.table.${name}` as MessageKey) : name);

interface TableView {
  /** The columns shown (the CSV has them all). */
  columns?: string[];
  /** Which rows, in which order (indexes into the table's rows; the CSV has every row). */
  rows?: number[];
  /** A note under the caption, e.g. that the full table is in the CSV. */
  note?: string;
}

/** A table in the reader's words; every cell also carries its CSV value (data-value) for checking. */
function tableHtml(t: ReportTable, lang: ReportLanguage, r: Report, view: TableView = {}): Html {
  const cols = t.columns.filter((c) => !view.columns || view.columns.includes(c.name));
  const order = view.rows ?? t.rows.map((_, i) => i);
  const head = cols.map((c) => html`<th scope="col">${columnTitle(lang, c.name)}</th>`);
  const body = order.map((i) => {
    const row = t.rows[i]!;
    const cells = cols.map((c, j) => {
      const v = row[c.name];
      let shown = c.kind === 'text' ? codeWord(lang, c.name, v, r.display_names, row) : formatCell(v, c.kind, lang);
      if (c.name === 'academic_year' && row['in_progress'] === 'yes') shown = msg(lang, 'report.year_in_progress', { year: String(v) });
      const value = v === null || v === undefined ? '' : String(v);
      return j === 0
        ? html`<th scope="row" data-table="${t.name}" data-row="${i}" data-col="${c.name}" data-value="${value}">${shown}</th>`
        : html`<td${c.kind === 'text' ? html` class="t"` : ''} data-table="${t.name}" data-row="${i}" data-col="${c.name}" data-value="${value}">${shown}</td>`;
    });
    return html`<tr>${cells}</tr>`;
  });
  return html`<table id="${t.name}"><caption>${tableTitle(lang, t.name)} <span class="file">(${t.name}.csv)</span></caption>${view.note ? html`<tr><td colspan="${cols.length}" class="note" style="text-align:left">${view.note}</td></tr>` : ''}<thead><tr>${head}</tr></thead><tbody>
${joinHtml(body, '\n')}
</tbody></table>`;
}

/** The yearly tables' columns on screen: the measures a reader compares (the CSV has the counts too). */
const yearlyColumns = (dimension: string, extra: string[] = []) => ['academic_year', dimension, 'present', 'negative_exit_share', 'on_time_share', 'credits_vs_plan', 'attendance_rate', ...extra];

/** A key figure's name: the measure, with the education type where it is one type's. */
const figureName = (lang: Language, f: KeyFigure): string => msg(lang, `report.kf.${f.metric}` as MessageKey, { type: codeWord(lang, 'education_type', f.education_type) });

/** The key figures of page one, with their direction and a sentence each. */
function keyFigureTable(r: Report, lang: Language): Html {
  const t = translator(lang);
  const k = r.key_figures;
  const share = (v: number | null) => (v === null ? html`<span class="muted" title="${t('report.too_few')}">${t('report.too_few_short')}</span>` : formatCell(v, 'share', lang));
  const rows = k.figures.map((f: KeyFigure) => {
    const name = figureName(lang, f);
    const sentence = t(`report.kf.${f.metric}.means` as MessageKey);
    const arrow = f.direction === 'unknown' ? '' : f.direction === 'same' ? '→ ' : (f.better === 'lower') === (f.direction === 'better') ? '↓ ' : '↑ ';
    return html`<tr><th scope="row">${name}<span>${sentence}</span></th><td>${share(f.this_year)}</td><td>${share(f.same_time_last_year)}</td><td>${share(f.last_year)}</td><td>${f.national === null ? '' : formatCell(f.national, 'share', lang)}</td><td class="${f.direction}">${arrow}${t('report.kf.direction', { direction: f.direction })}</td></tr>`;
  });
  return html`<table class="kf"><caption>${t('report.kf.caption', { year: k.this_year, date: formatDate(lang, r.as_of) })}</caption><thead><tr><th scope="col">${t('report.kf.col.measure')}</th><th scope="col">${t('report.kf.col.this_year', { year: k.this_year })}</th><th scope="col">${t('report.kf.col.same_time_last_year', { date: formatDate(lang, k.same_day_last_year) })}</th><th scope="col">${t('report.kf.col.last_year', { year: k.last_year })}</th><th scope="col">${t('report.kf.col.national')}</th><th scope="col">${t('report.kf.col.direction')}</th></tr></thead><tbody>
${joinHtml(rows, '\n')}
</tbody></table><p class="note">${t('report.too_few_note', { n: r.min_cell })}</p>`;
}

/** What changed since the last report: key figures that moved by at least half a percentage point. */
function changes(r: Report, lang: Language): Html {
  const t = translator(lang);
  if (!r.previous) return html`<p class="note">${t('report.changed.first')}</p>`;
  const items: Html[] = [];
  for (const f of r.key_figures.figures) {
    const before = r.previous.figures.get(`${f.metric}|${f.education_type}|${r.key_figures.this_year}`);
    if (before === undefined || before === null || f.this_year === null || Math.abs(f.this_year - before) < 0.005) continue;
    items.push(html`<li>${figureName(lang, f)}: ${formatCell(before, 'share', lang)} → ${formatCell(f.this_year, 'share', lang)}</li>`);
  }
  const title = html`<h3>${t('report.changed.title', { date: formatDate(lang, r.previous.as_of) })}</h3>`;
  return items.length ? html`${title}<ul>${items}</ul>` : html`${title}<p class="note">${t('report.changed.nothing')}</p>`;
}

/** An effect estimate in words: the estimate, its interval, what it cannot prove — or "too few". */
function effectInWords(lang: Language, e: { treated: number; comparison: number; treated_exits: number; comparison_exits: number; risk_ratio: number | null; risk_ratio_ci: [number, number] | null; risk_difference: number | null; risk_difference_ci: [number, number] | null }, minCell: number, what: { treated: string; comparison: string; window: number }): Html {
  const t = translator(lang);
  const enough = [e.treated, e.comparison, e.treated_exits, e.comparison_exits].every((n) => n >= minCell) && e.risk_ratio !== null && e.risk_ratio_ci !== null && e.risk_difference !== null && e.risk_difference_ci !== null;
  if (!enough) return html`<p><strong>${t('report.too_few')}.</strong> ${t('report.effect.too_few', { n: minCell })}</p>`;
  const num = (x: number) => formatDecimal(lang, x.toFixed(2));
  const pp = (x: number) => formatDecimal(lang, (x * 100).toFixed(1));
  const includesOne = e.risk_ratio_ci![0] <= 1 && e.risk_ratio_ci![1] >= 1;
  return html`<p><strong>${t('report.effect.estimate', { treated: what.treated, comparison: what.comparison, window: what.window, rr: num(e.risk_ratio!), rd: pp(e.risk_difference!) })}</strong></p>
<p>${t('report.effect.interval', { low: num(e.risk_ratio_ci![0]), high: num(e.risk_ratio_ci![1]), rdlow: pp(e.risk_difference_ci![0]), rdhigh: pp(e.risk_difference_ci![1]), includes_one: includesOne ? 'yes' : 'no' })}</p>
<p class="note">${t('report.caveat')}</p>`;
}

/** The model in words: ranking, calibration and per-group errors, two sentences each. */
function modelInWords(r: Report, lang: Language): Html {
  const t = translator(lang);
  const m = r.model!;
  const groups = r.tables.find((x) => x.name === 'model_groups')?.rows.map((g) => g['false_positive_rate']).filter((v): v is number => typeof v === 'number') ?? [];
  const pct = (x: number) => formatDecimal(lang, (x * 100).toFixed(0));
  return html`<p>${t('report.model.about', { version: m.version, date: formatDate(lang, m.data_as_of) })}</p>
<p><strong>${t('report.model.ranking_title')}</strong> ${t('report.model.ranking', { pct: pct(m.roc_auc) })}</p>
<p><strong>${t('report.model.calibration_title')}</strong> ${t('report.model.calibration', { pp: formatDecimal(lang, (m.ece * 100).toFixed(1)) })}</p>
<p><strong>${t('report.model.groups_title')}</strong> ${groups.length ? t('report.model.groups', { low: pct(Math.min(...groups)), high: pct(Math.max(...groups)), n: r.min_cell }) : t('report.too_few')}</p>`;
}

/** Long tables for the appendix: this year's rows (else the latest), those needing attention first, at most `limit`. */
function attentionRows(t: ReportTable, limit: number): { rows: number[]; shown: number; total: number } {
  const years = [...new Set(t.rows.map((r) => String(r['academic_year'])))].sort();
  const latest = years[years.length - 1];
  const candidates = t.rows.map((r, i) => ({ r, i })).filter(({ r }) => r['academic_year'] === latest);
  candidates.sort((a, b) => Number(b.r['negative_exit_share'] ?? -1) - Number(a.r['negative_exit_share'] ?? -1) || Number(a.r['attendance_rate'] ?? 2) - Number(b.r['attendance_rate'] ?? 2));
  const rows = candidates.slice(0, limit).map((c) => c.i);
  return { rows, shown: rows.length, total: t.rows.length };
}

/** The report as one self-contained HTML page: inline CSS and SVG, no scripts, no requests. */
export function renderReportHtml(r: Report, lang: ReportLanguage): string {
  const t = translator(lang);
  const find = (name: string) => r.tables.find((y) => y.name === name);
  const table = (name: string, view?: TableView) => {
    const x = find(name);
    return x ? tableHtml(x, lang, r, view) : '';
  };
  // A chart with nothing to draw (every point suppressed, or no data yet) is left out; its table says why.
  const figure = (svg: string) => (svg ? html`<figure>${unsafeRawHtml(svg)}</figure>` : '');
  const section = (title: string, ...parts: (Html | string)[]) => html`<section><h2>${title}</h2>${parts}</section>`;
  const title = r.unit ? t('report.title_unit', { unit: codeWord(lang, 'unit', r.unit, r.display_names) }) : t('report.title');
  const appendix = (name: string, dimension: string) => {
    const x = find(name);
    if (!x) return '';
    const a = attentionRows(x, 25);
    return table(name, { columns: yearlyColumns(dimension), rows: a.rows, note: t('report.appendix_note', { shown: a.shown, total: a.total, file: `${name}.csv` }) });
  };
  const i = r.impact;
  const e = r.checkin_effect;
  const page = joinHtml(
    [
      html`<!DOCTYPE html>`,
      html`<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">`,
      html`<title>${title} ${formatDate(lang, r.as_of)}</title>`,
      html`<style>${unsafeRawHtml(css)}</style></head><body>`,
      html`<section id="page-one"><h1>${t('report.heading', { title, date: formatDate(lang, r.as_of) })}</h1>`,
      keyFigureTable(r, lang),
      changes(r, lang),
      figure(r.charts[lang].trend_types),
      html`<p class="note">${t('report.suppressed', { n: r.min_cell })}</p></section>`,
      section(t('report.section.units'), figure(r.charts[lang].trend_units), table('yearly_by_provider', { columns: yearlyColumns('provider') }), table('yearly_by_education_type', { columns: yearlyColumns('education_type', ['national_baseline']) }), table('yearly_by_unit', { columns: yearlyColumns('unit') })),
      section(t('report.section.risk'), figure(r.charts[lang].risk_bands), table('risk_bands')),
      section(t('report.section.triggers'), figure(r.charts[lang].triggers_monthly), figure(r.charts[lang].acknowledge), table('triggers_by_family_role')),
      section(t('report.section.wellbeing'), figure(r.charts[lang].wellbeing), table('wellbeing_monthly')),
      section(t('report.section.support'), figure(r.charts[lang].support), table('interventions_by_type'), table('checkins')),
      section(
        t('report.section.impact'),
        html`<h3>${tableTitle(lang, 'impact_timely_contact')}</h3>`,
        effectInWords(lang, i, r.min_cell, { treated: t('report.effect.contacted', { days: i.contact_days }), comparison: t('report.effect.not_contacted'), window: i.window_days }),
        table('impact_timely_contact'),
        html`<h3>${tableTitle(lang, 'impact_checkins')}</h3>`,
        effectInWords(lang, e, r.min_cell, { treated: t('report.effect.asked', { days: e.grace_days }), comparison: t('report.effect.not_asked'), window: e.window_days }),
        table('impact_checkins'),
        find('impact_before_after') ? html`<h3>${tableTitle(lang, 'impact_before_after')}</h3>${table('impact_before_after')}` : '',
      ),
      r.model ? section(t('report.model'), modelInWords(r, lang), figure(r.model.calibration_svg[lang]), table('model_groups')) : '',
      section(t('report.section.intake'), table('intake_background')),
      section(t('report.section.data'), table('data_quality')),
      section(t('report.section.appendix'), appendix('yearly_by_programme', 'programme'), appendix('yearly_by_group', 'group')),
      html`</body></html>`,
      '',
    ],
    '\n',
  );
  return page.text;
}
