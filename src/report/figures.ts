import { riskBands } from '../core/vocabulary.js';
import { msg, type Language, type MessageKey, type MessageValues } from '../i18n/index.js';
import { accessibleSvg, barSpec, monthlySpec, smallMultiplesSpec } from './charts.js';
import type { ChartName, ReportOptions } from './build.js';
import type { ReportTable } from './tables.js';
import { codeWord } from './words.js';

/**
 * The report's charts, drawn from its own suppressed tables (a hidden cell is a missing point,
 * never a value worked out): every title, axis and legend in the reader's language, units and
 * education types by their names, each chart one named image for screen readers.
 */
export async function reportCharts(tables: readonly ReportTable[], o: ReportOptions): Promise<Record<ChartName, string>> {
  const lang: Language = o.lang;
  const t = (key: MessageKey, args?: MessageValues) => msg(lang, key, args);
  const word = (column: string, code: unknown) => codeWord(lang, column, code, o.displayNames);
  const rowsOf = (name: string) => tables.find((x) => x.name === name)?.rows ?? [];
  const chart = async (name: ChartName, spec: Parameters<typeof accessibleSvg>[0], title: string) => {
    const values = (spec as { data?: { values?: unknown[] } }).data?.values;
    return [name, values && values.length === 0 ? '' : await accessibleSvg(spec, title)] as const;
  };

  const complete = (rows: readonly Record<string, unknown>[]) => rows.filter((r) => r['in_progress'] === 'no');
  const byType = complete(rowsOf('yearly_by_education_type')).map((r) => ({
    period: String(r['academic_year']), series: word('education_type', r['education_type']), value: r['negative_exit_share'] as number | null, reference: (r['national_baseline'] as number | null) ?? null,
  }));
  const byUnit = complete(rowsOf('yearly_by_unit')).map((r) => ({ period: String(r['academic_year']), series: word('unit', r['unit']), value: r['negative_exit_share'] as number | null }));

  const bandWords = riskBands.map((b) => msg(lang, `value.band.${b}` as MessageKey));
  const bands = rowsOf('risk_bands').flatMap((r) =>
    r['students'] === null ? [] : riskBands.map((b, i) => ({ unit: word('unit', r['unit']), band: bandWords[i], share: r[b] === null ? null : Number(r[b]) / Number(r['students']), _order: i })).filter((x) => x.share !== null),
  );
  const families = [...new Set(rowsOf('triggers_monthly').map((r) => String(r['family'])))];
  const monthly = rowsOf('triggers_monthly').map((r) => ({ month: String(r['month']), series: word('family', r['family']), value: r['triggers'] as number | null }));
  const acknowledge = rowsOf('triggers_by_family_role')
    .filter((r) => r['median_days_to_acknowledge'] !== null)
    .map((r) => ({ who: `${word('family', r['family'])} – ${word('role', r['role'])}`, days: r['median_days_to_acknowledge'] }));
  const wellbeing = rowsOf('wellbeing_monthly').map((r) => ({ month: String(r['month']), value: r['average_answer'] as number | null }));
  const support = rowsOf('interventions_by_type')
    .filter((r) => r['negative_exit_within_180d_share'] !== null)
    .map((r) => ({ what: `${word('type', r['type'])} (${word('scope', r['scope'])})`, share: r['negative_exit_within_180d_share'] }));
  const palette = ['#0b4f9c', '#b45309', '#5b21b6', '#047857', '#9b1c1c', '#6b7280'];

  const entries = await Promise.all([
    chart('trend_types', smallMultiplesSpec(byType, { title: t('report.chart.trend_types'), valueTitle: t('report.chart.share'), percent: true, lang, columns: 2, width: 220 }), t('report.chart.trend_types')),
    chart('trend_units', smallMultiplesSpec(byUnit, { title: t('report.chart.trend_units'), valueTitle: t('report.chart.share'), percent: true, lang, columns: 4, width: 170 }), t('report.chart.trend_units')),
    chart('risk_bands', barSpec(bands, { title: t('report.chart.risk_bands'), category: 'unit', value: 'share', valueTitle: t('report.chart.share_of_students'), percent: true, lang, color: { field: 'band', order: bandWords, range: ['#9aa5b1', '#d97706', '#9b1c1c'] } }), t('report.chart.risk_bands')),
    chart('triggers_monthly', monthlySpec(monthly, { title: t('report.chart.triggers_monthly'), valueTitle: t('report.chart.triggers'), lang, series: { order: families.map((f) => word('family', f)), range: palette.slice(0, Math.max(1, families.length)) } }), t('report.chart.triggers_monthly')),
    chart('acknowledge', barSpec(acknowledge, { title: t('report.chart.acknowledge'), category: 'who', value: 'days', valueTitle: t('report.chart.days'), percent: false, lang }), t('report.chart.acknowledge')),
    chart('wellbeing', monthlySpec(wellbeing, { title: t('report.chart.wellbeing'), valueTitle: t('report.chart.average_answer'), lang, domain: [1, 5] }), t('report.chart.wellbeing')),
    chart('support', barSpec(support, { title: t('report.chart.support'), category: 'what', value: 'share', valueTitle: t('report.chart.share_dropped_out'), percent: true, lang }), t('report.chart.support')),
  ]);
  return Object.fromEntries(entries) as Record<ChartName, string>;
}
