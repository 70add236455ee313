import { escapeHtml } from '../core/html.js';
import type { Report } from './build.js';
import type { ReportTable } from './tables.js';

import type { Language } from '../core/vocabulary.js';

export type ReportLanguage = Language;

const titles: Record<ReportLanguage, Record<string, string>> = {
  en: {
    report: 'Engagement and dropout metrics',
    yearly_by_provider: 'Whole provider by academic year',
    yearly_by_education_type: 'By education type, with the national baseline',
    yearly_by_unit: 'By unit',
    yearly_by_programme: 'By programme',
    yearly_by_group: 'By group',
    intake_background: 'Background profile of the intake (taustadata)',
    wellbeing_monthly: 'Well-being answers, aggregate only',
    risk_bands: 'Risk bands at the latest scoring',
    triggers_by_family_role: 'Triggers (herätteet) in the last 12 months',
    interventions_by_type: 'Interventions and what followed',
    checkins: 'Check-ins at bottlenecks in the last 12 months',
    impact_checkins: 'Asked at a bottleneck vs not yet asked',
    checkin_effect_line: 'Risk ratio (effect on the asked, adjusted for the bottleneck, education type and risk score): {rr} [95 % CI {rrci}]; risk difference {rd} [{rdci}]; unadjusted ratio {crude}. Students asked within {grace} days of reaching a bottleneck against students at the same kind of bottleneck not yet asked by then (the plan staggers check-ins by capacity); outcome: a negative exit in the {window} days after that.',
    impact_before_after: 'Before and after the programme start',
    impact_timely_contact: 'Timely contact after a trigger',
    data_quality: 'Data freshness and quality',
    model_groups: 'Model error rates by group',
    model: 'Risk model',
    impact_line: 'Risk ratio (effect on the contacted, adjusted for the risk score, the kind of trigger and education type): {rr} [95 % CI {rrci}]; risk difference {rd} [{rdci}]; unadjusted ratio {crude}; contacted episodes with a comparison: {support}. Outcome: a negative exit within {window} days of the first trigger; contact within {contact} days.',
    suppressed: 'A blank cell is suppressed: it would be about fewer than {n} students, or would let such a figure be worked out from the totals.',
    caveat:
      'What this can and cannot tell: the comparison adjusts for the risk score and the kind of trigger, but staff may contact students for reasons the data does not show, so this is an association, not proof that the contact caused the difference. A confidence interval that includes 1 means the data cannot tell an effect from chance.',
  },
  fi: {
    report: 'Opintoihin kiinnittymisen ja keskeyttämisen mittarit',
    yearly_by_provider: 'Koko koulutuksen järjestäjä lukuvuosittain',
    yearly_by_education_type: 'Koulutusmuodoittain ja valtakunnallinen vertailutaso',
    yearly_by_unit: 'Toimipisteittäin',
    yearly_by_programme: 'Tutkinnoittain ja linjoittain',
    yearly_by_group: 'Ryhmittäin',
    intake_background: 'Aloittaneiden taustadata',
    wellbeing_monthly: 'Hyvinvointivastaukset, vain koosteina',
    risk_bands: 'Riskiarvion tasot viimeisimmässä arviossa',
    triggers_by_family_role: 'Herätteet viimeisten 12 kuukauden aikana',
    interventions_by_type: 'Tukitoimet ja mitä niitä seurasi',
    checkins: 'Tarkistuskyselyt solmukohdissa viimeisten 12 kuukauden aikana',
    impact_checkins: 'Solmukohdassa kysytyt ja vielä kysymättömät',
    checkin_effect_line: 'Riskisuhde (vaikutus kysyttyihin, vakioitu solmukohdalla, koulutusmuodolla ja riskiarviolla): {rr} [95 %:n luottamusväli {rrci}]; riskiero {rd} [{rdci}]; vakioimaton suhde {crude}. Opiskelijat, joilta kysyttiin {grace} päivän kuluessa solmukohtaan tulosta, verrattuna saman solmukohdan opiskelijoihin, joilta ei vielä ollut kysytty (suunnitelma porrastaa kyselyt kapasiteetin mukaan); lopputulos: negatiivinen ero seuraavan {window} päivän aikana.',
    impact_before_after: 'Ennen ja jälkeen toimintamallin käyttöönoton',
    impact_timely_contact: 'Nopea yhteydenotto herätteen jälkeen',
    data_quality: 'Tietojen ajantasaisuus ja laatu',
    model_groups: 'Mallin virheet ryhmittäin',
    model: 'Riskimalli',
    impact_line: 'Riskisuhde (vaikutus yhteydenoton saaneisiin, vakioitu riskiarviolla, herätteen lajilla ja koulutusmuodolla): {rr} [95 %:n luottamusväli {rrci}]; riskiero {rd} [{rdci}]; vakioimaton suhde {crude}; vertailukelpoisia yhteydenottoja {support}. Lopputulos: negatiivinen ero {window} päivän kuluessa ensimmäisestä herätteestä; yhteydenotto {contact} päivän sisällä.',
    suppressed: 'Tyhjä solu on peitetty: se koskisi alle {n} opiskelijaa tai sen voisi päätellä summista.',
    caveat:
      'Mitä tästä voi ja ei voi päätellä: vertailu vakioi riskiarvion ja herätteen lajin, mutta henkilöstö voi ottaa yhteyttä syistä, jotka eivät näy aineistossa. Tulos on yhteys, ei todiste siitä, että yhteydenotto aiheutti eron. Jos luottamusväli sisältää luvun 1, eroa ei voi erottaa sattumasta.',
  },
  sv: {
    report: 'Mått på engagemang och studieavbrott',
    yearly_by_provider: 'Hela utbildningsanordnaren per läsår',
    yearly_by_education_type: 'Per utbildningsform, med nationell jämförelsenivå',
    yearly_by_unit: 'Per verksamhetsställe',
    yearly_by_programme: 'Per examen och linje',
    yearly_by_group: 'Per grupp',
    intake_background: 'Bakgrundsdata för de nya studerande',
    wellbeing_monthly: 'Svar om välmående, endast sammanställt',
    risk_bands: 'Risknivåer vid den senaste bedömningen',
    triggers_by_family_role: 'Signaler under de senaste 12 månaderna',
    interventions_by_type: 'Stödåtgärder och vad som följde',
    checkins: 'Avstämningar vid flaskhalsar under de senaste 12 månaderna',
    impact_checkins: 'Tillfrågade vid en flaskhals och ännu inte tillfrågade',
    checkin_effect_line: 'Riskkvot (effekt för de tillfrågade, justerad för flaskhals, utbildningsform och riskbedömning): {rr} [95 % konfidensintervall {rrci}]; riskskillnad {rd} [{rdci}]; ojusterad kvot {crude}. Studerande som tillfrågades inom {grace} dagar efter att de nått en flaskhals jämfört med studerande vid samma slags flaskhals som ännu inte tillfrågats (planen sprider ut avstämningarna efter kapacitet); utfall: negativt avbrott under de följande {window} dagarna.',
    impact_before_after: 'Före och efter att modellen togs i bruk',
    impact_timely_contact: 'Snabb kontakt efter en signal',
    data_quality: 'Uppgifternas aktualitet och kvalitet',
    model_groups: 'Modellens fel per grupp',
    model: 'Riskmodellen',
    impact_line: 'Riskkvot (effekt för dem som kontaktades, justerad för riskbedömning, signalens typ och utbildningsform): {rr} [95 % konfidensintervall {rrci}]; riskskillnad {rd} [{rdci}]; ojusterad kvot {crude}; kontakter med jämförelse: {support}. Utfall: negativt avbrott inom {window} dagar efter den första signalen; kontakt inom {contact} dagar.',
    suppressed: 'En tom cell är dold: den skulle gälla färre än {n} studerande eller kunna räknas ut ur summorna.',
    caveat:
      'Vad detta kan och inte kan visa: jämförelsen justerar för riskbedömningen och signalens typ, men personalen kan ta kontakt av skäl som inte syns i data. Resultatet är ett samband, inte ett bevis för att kontakten orsakade skillnaden. Om konfidensintervallet innehåller 1 kan skillnaden inte skiljas från slumpen.',
  },
};


/** A cell as shown: shares as percentages, counts with thin-space thousands, blank when suppressed. */
export function formatCell(v: string | number | null | undefined, kind: string, lang: ReportLanguage): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  const dec = (s: string) => (lang === 'en' ? s : s.replace('.', ','));
  if (kind === 'share') return `${dec((v * 100).toFixed(1))} %`;
  if (kind === 'count' || (kind === 'number' && Number.isInteger(v))) return String(v).replace(/\B(?=(\d{3})+(?!\d))/g, '\u202f');
  if (kind === 'days') return dec(String(Math.round(v * 10) / 10));
  return dec(v.toFixed(3));
}

function tableHtml(t: ReportTable, lang: ReportLanguage): string {
  const head = t.columns.map((c) => `<th scope="col">${escapeHtml(c.name.replace(/_/g, ' '))}</th>`).join('');
  const body = t.rows
    .map((r, i) => {
      const cells = t.columns.map((c, j) => {
        const v = r[c.name];
        const attrs = `data-table="${t.name}" data-row="${i}" data-col="${c.name}" data-value="${v === null || v === undefined ? '' : escapeHtml(String(v))}"`;
        const tag = j === 0 ? 'th scope="row"' : 'td';
        return `<${tag} ${attrs}>${escapeHtml(formatCell(v, c.kind, lang))}</${tag.split(' ')[0]}>`;
      });
      return `<tr>${cells.join('')}</tr>`;
    })
    .join('\n');
  return `<div class="scroll"><table id="${t.name}"><caption>${escapeHtml(titles[lang][t.name] ?? t.name)} <span class="file">(${t.name}.csv)</span></caption><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table></div>`;
}

/** The report as one self-contained HTML page: inline CSS and SVG, no scripts, no requests. */
export function renderReportHtml(r: Report, lang: ReportLanguage): string {
  const w = titles[lang];
  const f = (x: number | null) => (x === null ? '–' : formatCell(x, 'number', lang));
  const i = r.impact;
  const ci = (c: [number, number] | null) => (c ? `${f(c[0])}–${f(c[1])}` : '–');
  const section = (name: string) => {
    const t = r.tables.find((x) => x.name === name);
    return t ? `<section><h2>${escapeHtml(w[name] ?? name)}</h2>${tableHtml(t, lang)}</section>` : '';
  };
  return [
    '<!DOCTYPE html>',
    `<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">`,
    `<title>${escapeHtml(w['report']!)} ${escapeHtml(r.as_of)}</title>`,
    '<style>body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1a1a1a;max-width:70rem;margin:1.5rem auto;padding:0 1rem;line-height:1.4}',
    'table{border-collapse:collapse;margin:.5rem 0;font-size:.9rem}th,td{border:1px solid #aaa;padding:.25rem .45rem;text-align:right}th[scope=row],thead th{text-align:left;background:#eef1f5}',
    'caption{text-align:left;font-weight:600;padding:.3rem 0}.file{font-weight:400;color:#555}.scroll{overflow-x:auto}.note{color:#333;font-size:.9rem}',
    'figure{margin:1rem 0}svg{max-width:100%;height:auto}@media print{.scroll{overflow:visible}section{break-inside:avoid-page}body{max-width:none}}</style></head><body>',
    `<h1>${escapeHtml(w['report']!)}${r.unit ? ` – ${escapeHtml(r.unit)}` : ''}, ${escapeHtml(r.as_of)}</h1>`,
    `<p class="note">${escapeHtml(w['suppressed']!.replace('{n}', String(r.min_cell)))}</p>`,
    section('yearly_by_provider'),
    `<figure>${r.charts.trend_svg}</figure>`,
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
    `<section><h2>${escapeHtml(w['impact_checkins']!)}</h2>`,
    `<p>${escapeHtml(
      w['checkin_effect_line']!
        .replace('{rr}', f(r.checkin_effect.risk_ratio))
        .replace('{rrci}', ci(r.checkin_effect.risk_ratio_ci))
        .replace('{rd}', f(r.checkin_effect.risk_difference))
        .replace('{rdci}', ci(r.checkin_effect.risk_difference_ci))
        .replace('{crude}', f(r.checkin_effect.crude_risk_ratio))
        .replace('{grace}', String(r.checkin_effect.grace_days))
        .replace('{window}', String(r.checkin_effect.window_days)),
    )}</p>`,
    tableHtml(r.tables.find((t) => t.name === 'impact_checkins')!, lang),
    `<p class="note">${escapeHtml(w['caveat']!)}</p></section>`,
    `<section><h2>${escapeHtml(w['impact_timely_contact']!)}</h2>`,
    `<p>${escapeHtml(
      w['impact_line']!
        .replace('{rr}', f(i.risk_ratio))
        .replace('{rrci}', ci(i.risk_ratio_ci))
        .replace('{rd}', f(i.risk_difference))
        .replace('{rdci}', ci(i.risk_difference_ci))
        .replace('{crude}', f(i.crude_risk_ratio))
        .replace('{support}', formatCell(i.common_support, 'share', lang))
        .replace('{window}', String(i.window_days))
        .replace('{contact}', String(i.contact_days)),
    )}</p>`,
    tableHtml(r.tables.find((t) => t.name === 'impact_timely_contact')!, lang),
    `<p class="note">${escapeHtml(w['caveat']!)}</p></section>`,
    section('impact_before_after'),
    r.model
      ? `<section><h2>${escapeHtml(w['model']!)}</h2><p>${escapeHtml(r.model.version)} (data up to ${escapeHtml(r.model.data_as_of)}): ROC AUC ${f(r.model.roc_auc)}, ECE ${f(r.model.ece)}.</p><figure>${r.model.calibration_svg}</figure>${section('model_groups')}</section>`
      : '',
    section('data_quality'),
    '</body></html>',
    '',
  ].join('\n');
}
