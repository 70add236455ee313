import { html, joinHtml, unsafeRawHtml, type Html } from '../core/html.js';
import { formatDate, formatDecimal, hasMessage, msg, translator, type Language } from '../i18n/index.js';
import type { Report } from './build.js';
import type { ReportTable } from './tables.js';

export type ReportLanguage = Language;

const css =
  'body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1a1a1a;max-width:70rem;margin:1.5rem auto;padding:0 1rem;line-height:1.4}\n' +
  'table{border-collapse:collapse;margin:.5rem 0;font-size:.9rem}th,td{border:1px solid #aaa;padding:.25rem .45rem;text-align:right}th[scope=row],thead th{text-align:left;background:#eef1f5}\n' +
  'caption{text-align:left;font-weight:600;padding:.3rem 0}.file{font-weight:400;color:#555}.scroll{overflow-x:auto}.note{color:#333;font-size:.9rem}\n' +
  'figure{margin:1rem 0}svg{max-width:100%;height:auto}@media print{.scroll{overflow:visible}section{break-inside:avoid-page}body{max-width:none}}';

/** A table's title in the reader's language (`report.table.<name>`). */
const tableTitle = (lang: Language, name: string): string => {
  const key = `report.table.${name}`;
  return hasMessage(key) ? msg(lang, key) : name;
};

/** A cell as shown: shares as percentages, counts with thin-space thousands, blank when suppressed. */
export function formatCell(v: string | number | null | undefined, kind: string, lang: ReportLanguage): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (kind === 'share') return `${formatDecimal(lang, (v * 100).toFixed(1))} %`;
  if (kind === 'count' || (kind === 'number' && Number.isInteger(v))) return String(v).replace(/\B(?=(\d{3})+(?!\d))/g, '\u202f');
  if (kind === 'days') return formatDecimal(lang, String(Math.round(v * 10) / 10));
  return formatDecimal(lang, v.toFixed(3));
}

function tableHtml(t: ReportTable, lang: ReportLanguage): Html {
  const head = t.columns.map((c) => html`<th scope="col">${c.name.replace(/_/g, ' ')}</th>`);
  const body = t.rows.map((r, i) => {
    const cells = t.columns.map((c, j) => {
      const v = r[c.name];
      const shown = formatCell(v, c.kind, lang);
      const value = v === null || v === undefined ? '' : String(v);
      return j === 0
        ? html`<th scope="row" data-table="${t.name}" data-row="${i}" data-col="${c.name}" data-value="${value}">${shown}</th>`
        : html`<td data-table="${t.name}" data-row="${i}" data-col="${c.name}" data-value="${value}">${shown}</td>`;
    });
    return html`<tr>${cells}</tr>`;
  });
  return html`<div class="scroll"><table id="${t.name}"><caption>${tableTitle(lang, t.name)} <span class="file">(${t.name}.csv)</span></caption><thead><tr>${head}</tr></thead><tbody>
${joinHtml(body, '\n')}
</tbody></table></div>`;
}

/** The report as one self-contained HTML page: inline CSS and SVG, no scripts, no requests. */
export function renderReportHtml(r: Report, lang: ReportLanguage): string {
  const t = translator(lang);
  const f = (x: number | null) => (x === null ? '–' : formatCell(x, 'number', lang));
  const i = r.impact;
  const ci = (c: [number, number] | null) => (c ? `${f(c[0])}–${f(c[1])}` : '–');
  const table = (name: string) => {
    const x = r.tables.find((y) => y.name === name);
    return x ? tableHtml(x, lang) : '';
  };
  const section = (name: string) => (r.tables.some((y) => y.name === name) ? html`<section><h2>${tableTitle(lang, name)}</h2>${table(name)}</section>` : '');
  const title = r.unit ? t('report.title_unit', { unit: r.unit }) : t('report.title');
  const e = r.checkin_effect;
  const page = joinHtml(
    [
      html`<!DOCTYPE html>`,
      html`<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">`,
      html`<title>${t('report.title')} ${formatDate(lang, r.as_of)}</title>`,
      html`<style>${unsafeRawHtml(css)}</style></head><body>`,
      html`<h1>${t('report.heading', { title, date: formatDate(lang, r.as_of) })}</h1>`,
      html`<p class="note">${t('report.suppressed', { n: r.min_cell })}</p>`,
      section('yearly_by_provider'),
      // The chart's SVG is vega's, drawn from the aggregate table above.
      html`<figure>${unsafeRawHtml(r.charts.trend_svg)}</figure>`,
      section('yearly_by_education_type'),
      section('yearly_by_unit'),
      section('yearly_by_programme'),
      section('yearly_by_group'),
      section('intake_background'),
      section('wellbeing_monthly'),
      section('risk_bands'),
      section('triggers_by_family_role'),
      section('interventions_by_type'),
      section('checkins'),
      html`<section><h2>${tableTitle(lang, 'impact_checkins')}</h2>`,
      html`<p>${t('report.checkin_effect_line', { rr: f(e.risk_ratio), rrci: ci(e.risk_ratio_ci), rd: f(e.risk_difference), rdci: ci(e.risk_difference_ci), crude: f(e.crude_risk_ratio), grace: e.grace_days, window: e.window_days })}</p>`,
      table('impact_checkins'),
      html`<p class="note">${t('report.caveat')}</p></section>`,
      html`<section><h2>${tableTitle(lang, 'impact_timely_contact')}</h2>`,
      html`<p>${t('report.impact_line', { rr: f(i.risk_ratio), rrci: ci(i.risk_ratio_ci), rd: f(i.risk_difference), rdci: ci(i.risk_difference_ci), crude: f(i.crude_risk_ratio), support: formatCell(i.common_support, 'share', lang), window: i.window_days, contact: i.contact_days })}</p>`,
      table('impact_timely_contact'),
      html`<p class="note">${t('report.caveat')}</p></section>`,
      section('impact_before_after'),
      r.model
        ? html`<section><h2>${t('report.model')}</h2><p>${t('report.model_line', { version: r.model.version, date: formatDate(lang, r.model.data_as_of), auc: f(r.model.roc_auc), ece: f(r.model.ece) })}</p><figure>${unsafeRawHtml(r.model.calibration_svg)}</figure>${section('model_groups')}</section>`
        : '',
      section('data_quality'),
      html`</body></html>`,
      '',
    ],
    '\n',
  );
  return page.text;
}
