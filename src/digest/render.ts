import { html, unsafeRawHtml, type Html } from '../core/html.js';
import { formatDate, msg, valueWord, type Language, type MessageKey, type MessageValues } from '../i18n/index.js';
import { resolutionOutcomes } from '../triggers/index.js';
import type { Digest, DigestItem, DigestStudent } from './compose.js';

/** A rendered digest: subject, plain-text and HTML parts. */
export interface RenderedDigest {
  subject: string;
  text: string;
  html: string;
}

const css =
  'body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1a1a1a;max-width:52rem;margin:1.5rem auto;padding:0 1rem;line-height:1.45}\n' +
  'h1{font-size:1.35rem}h2{font-size:1.1rem;margin-top:1.8rem;border-top:1px solid #bbb;padding-top:.8rem}\n' +
  'table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{border:1px solid #999;padding:.4rem .5rem;text-align:left;vertical-align:top}\n' +
  'th{background:#eef1f5}caption{text-align:left;font-weight:600;padding:.3rem 0}code{font-size:.9em;background:#f3f3f3;padding:0 .2em}\n' +
  '.new{font-weight:700}footer{margin-top:2rem;font-size:.9rem;color:#444}';

/** Renders a digest as plain text and accessible HTML (headings, tables with headers, no images); with `signIn`, it carries a single-use link into the staff workspace. */
export function renderDigest(d: Digest, signIn?: { url: string; hours: number }): RenderedDigest {
  const lang: Language = d.recipient.language;
  const t = (key: MessageKey, values?: MessageValues) => msg(lang, key, values);
  const subject = t('digest.subject', { date: formatDate(lang, d.as_of), students: d.students.length, fresh: d.new_count });
  const intro = d.students.length ? t('digest.intro', { students: d.students.length, open: d.open_count, fresh: d.new_count }) : t('digest.nothing');
  const heading = (s: DigestStudent) =>
    s.name ? t('digest.student_heading_named', { id: s.student_id, name: s.name, group_word: t('digest.group_word'), group: s.group }) : t('digest.student_heading', { id: s.student_id, group_word: t('digest.group_word'), group: s.group });
  const statusOf = (i: DigestItem) => `${valueWord(lang, 'status', i.trigger.status === 'acknowledged' ? 'acknowledged' : 'open')}${i.is_new ? `, ${t('term.new')}` : ''}`;
  const staff = d.recipient.staff_id;
  const ackCmd = (id: string) => t('digest.preview_ack', { id, staff });
  const resolveCmd = (id: string) => t('digest.preview_resolve', { id, staff });
  const band = (s: DigestStudent) => (s.risk ? valueWord(lang, 'band', s.risk.band) : '');
  const outcomeCodes = t('digest.outcome_codes', Object.fromEntries(resolutionOutcomes.map((o) => [o, valueWord(lang, 'outcome', o)])));
  const workspace = signIn ? t('digest.workspace_link', { hours: signIn.hours }) : '';

  const text: string[] = [t('digest.greeting', { name: d.recipient.name }), '', intro, ''];
  if (signIn) text.push(`${workspace}:`, signIn.url, '');
  for (const s of d.students) {
    text.push(`== ${heading(s)}`);
    if (s.risk) text.push(`${t('term.risk_band')}: ${band(s)}${s.risk.reasons.length ? `. ${t('term.reasons')}: ${s.risk.reasons.join('; ')}` : ''}`);
    for (const i of s.items) {
      text.push(`* ${i.trigger.title} [${statusOf(i)}; ${t('term.open_for', { days: i.days_open })}]`);
      text.push(`  ${t('term.what_happened')}: ${i.trigger.message}`);
      if (i.trigger.reasons.length) text.push(`  ${t('term.reasons')}: ${i.trigger.reasons.join('; ')}`);
      if (i.next_step) text.push(`  ${t('term.next_step')}: ${i.next_step}`);
      text.push(`  ${t('action.acknowledge_explained')}: ${ackCmd(i.trigger.id)}`);
    }
    text.push('');
  }
  if (d.students.length) {
    text.push(`${t('digest.how_to')}:`, `  ${t('action.acknowledge_explained')}: ${ackCmd('ID')}`, `  ${t('action.resolve_explained')}: ${resolveCmd('ID').replace(/supported$/, '…')}`, `  (${outcomeCodes})`, '');
  }
  text.push('--', t('digest.footer'), '');

  const studentHtml = (s: DigestStudent): Html => html`<h2>${heading(s)}</h2>
${s.risk ? html`<p>${t('term.risk_band')}: <strong>${band(s)}</strong>${s.risk.reasons.length ? html`. ${t('term.reasons')}: ${s.risk.reasons.join('; ')}` : ''}</p>\n` : ''}<table>
<caption>${t('digest.caption')}</caption>
<thead><tr>
${[t('term.what_happened'), t('term.status'), t('digest.col.open_for'), t('term.next_step')].map((h) => html`<th scope="col">${h}</th>\n`)}</tr></thead><tbody>
${s.items.map(
  (i) => html`<tr>
<th scope="row"><span${i.is_new ? html` class="new"` : ''}>${i.trigger.title}</span><br><span style="font-weight:400">${i.trigger.message}${i.trigger.reasons.length ? html`<br>${t('term.reasons')}: ${i.trigger.reasons.join('; ')}` : ''}</span></th>
<td>${statusOf(i)}</td>
<td>${t('term.days_open', { days: i.days_open })}</td>
<td>${i.next_step}<br><code>${ackCmd(i.trigger.id)}</code><br><code>${resolveCmd(i.trigger.id)}</code></td>
</tr>
`,
)}</tbody></table>
`;

  const page = html`<!DOCTYPE html>
<html lang="${lang}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${subject}</title>
<style>${unsafeRawHtml(css)}</style></head>
<body>
<h1>${subject}</h1>
<p>${t('digest.greeting', { name: d.recipient.name })} ${intro}</p>
${signIn ? html`<p><a href="${signIn.url}">${workspace}</a></p>\n` : ''}${d.students.map(studentHtml)}${
    d.students.length
      ? html`<h2>${t('digest.how_to')}</h2>
<ul>
<li>${t('action.acknowledge_explained')}: <code>${ackCmd('ID')}</code></li>
<li>${t('action.resolve_explained')}: <code>${resolveCmd('ID').replace(/supported$/, '…')}</code> (${outcomeCodes})</li>
</ul>
`
      : ''
  }<footer><p>${t('digest.footer')}</p></footer>
</body></html>
`;
  return { subject, text: text.join('\n'), html: page.text };
}
