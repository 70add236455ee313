import { escapeHtml } from '../core/html.js';
import type { Language } from '../triggers/index.js';
import type { Digest, DigestStudent } from './compose.js';

/** A rendered digest: subject, plain-text and HTML parts. */
export interface RenderedDigest {
  subject: string;
  text: string;
  html: string;
}

interface Words {
  subject: (students: number, fresh: number, date: string) => string;
  greeting: (name: string) => string;
  intro: (students: number, open: number, fresh: number) => string;
  nothing: string;
  student: string;
  group: string;
  what: string;
  caption: string;
  since: string;
  next: string;
  status: string;
  isNew: string;
  open: string;
  acknowledged: string;
  days: (n: number) => string;
  openFor: (n: number) => string;
  band: Record<string, string>;
  riskLine: string;
  reasons: string;
  howTo: string;
  ack: string;
  resolve: string;
  outcomes: string;
  footer: string;
}

const words: Record<Language, Words> = {
  fi: {
    subject: (s, n, d) => `kiinni ${d}: ${s} opiskelija${s === 1 ? '' : 'a'}, ${n} ${n === 1 ? 'uusi heräte' : 'uutta herätettä'}`,
    greeting: (n) => `Hei ${n},`,
    intro: (s, o, n) => `sinulla on ${o} ${o === 1 ? 'avoin heräte' : 'avointa herätettä'} ${s} opiskelijasta. Uusia edellisen koosteen jälkeen: ${n}.`,
    nothing: 'sinulla ei ole tänään avoimia herätteitä.',
    student: 'Opiskelija',
    group: 'ryhmä',
    what: 'Mitä on tapahtunut',
    caption: 'Avoimet herätteet',
    since: 'Avoinna',
    next: 'Ehdotettu seuraava askel',
    status: 'Tila',
    isNew: 'uusi',
    open: 'avoin',
    acknowledged: 'kuitattu',
    days: (n) => (n === 0 ? 'tänään' : `${n} pv`),
    openFor: (n) => (n === 0 ? 'avattu tänään' : `avoinna ${n} pv`),
    band: { high: 'korkea', raised: 'kohonnut', low: 'matala' },
    riskLine: 'Riskiarvion taso',
    reasons: 'Taustalla',
    howTo: 'Näin kuittaat tai suljet herätteen',
    ack: 'Kuittaa nähdyksi (lopettaa eteenpäin ohjauksen)',
    resolve: 'Sulje ja kirjaa lopputulos',
    outcomes: 'lopputulos: supported (tuettu), referred (ohjattu eteenpäin), no_action_needed (ei tarvetta), could_not_reach (ei tavoitettu). Tukitoimen voi kirjata myös: kiinni interventions add … --trigger TUNNUS',
    footer: 'Tämä viesti on kiinni-järjestelmän päivittäinen kooste. Se sisältää vain ne tiedot, jotka roolisi perusteella saat nähdä. Älä välitä viestiä eteenpäin.',
  },
  sv: {
    subject: (s, n, d) => `kiinni ${d}: ${s} studerande, ${n} ny${n === 1 ? '' : 'a'} signal${n === 1 ? '' : 'er'}`,
    greeting: (n) => `Hej ${n},`,
    intro: (s, o, n) => `du har ${o} ${o === 1 ? 'öppen signal' : 'öppna signaler'} om ${s} studerande. Nya sedan förra sammandraget: ${n}.`,
    nothing: 'du har inga öppna signaler i dag.',
    student: 'Studerande',
    group: 'grupp',
    what: 'Vad har hänt',
    caption: 'Öppna signaler',
    since: 'Öppen',
    next: 'Föreslaget nästa steg',
    status: 'Status',
    isNew: 'ny',
    open: 'öppen',
    acknowledged: 'kvitterad',
    days: (n) => (n === 0 ? 'i dag' : `${n} d`),
    openFor: (n) => (n === 0 ? 'öppnad i dag' : `öppen ${n} d`),
    band: { high: 'hög', raised: 'förhöjd', low: 'låg' },
    riskLine: 'Riskbedömningens nivå',
    reasons: 'Bakom den',
    howTo: 'Så kvitterar eller stänger du en signal',
    ack: 'Kvittera som sedd (stoppar vidarebefordran)',
    resolve: 'Stäng och registrera utfallet',
    outcomes: 'utfall: supported (stöttad), referred (hänvisad vidare), no_action_needed (inget behov), could_not_reach (nåddes inte). Stöd kan också registreras: kiinni interventions add … --trigger ID',
    footer: 'Detta är kiinni-systemets dagliga sammandrag. Det innehåller bara uppgifter som din roll får se. Vidarebefordra det inte.',
  },
  en: {
    subject: (s, n, d) => `kiinni ${d}: ${s} student${s === 1 ? '' : 's'}, ${n} new trigger${n === 1 ? '' : 's'}`,
    greeting: (n) => `Hello ${n},`,
    intro: (s, o, n) => `you have ${o} open trigger${o === 1 ? '' : 's'} about ${s} student${s === 1 ? '' : 's'}. New since your last digest: ${n}.`,
    nothing: 'you have no open triggers today.',
    student: 'Student',
    group: 'group',
    what: 'What happened',
    caption: 'Open triggers',
    since: 'Open for',
    next: 'Suggested next step',
    status: 'Status',
    isNew: 'new',
    open: 'open',
    acknowledged: 'acknowledged',
    days: (n) => (n === 0 ? 'today' : `${n} d`),
    openFor: (n) => (n === 0 ? 'opened today' : `open for ${n} d`),
    band: { high: 'high', raised: 'raised', low: 'low' },
    riskLine: 'Risk estimate band',
    reasons: 'Behind it',
    howTo: 'How to acknowledge or resolve a trigger',
    ack: 'Acknowledge as seen (stops escalation)',
    resolve: 'Resolve and record the outcome',
    outcomes: 'outcome: supported, referred, no_action_needed, could_not_reach. Support given can also be recorded: kiinni interventions add … --trigger ID',
    footer: 'This is the daily digest of kiinni. It holds only what your role may see. Please do not forward it.',
  },
};

const localDate: Record<Language, (d: string) => string> = {
  fi: (d) => `${Number(d.slice(8, 10))}.${Number(d.slice(5, 7))}.${d.slice(0, 4)}`,
  sv: (d) => `${Number(d.slice(8, 10))}.${Number(d.slice(5, 7))}.${d.slice(0, 4)}`,
  en: (d) => d,
};


function studentHeading(s: DigestStudent, w: Words): string {
  return `${w.student} ${s.student_id}${s.name ? ` – ${s.name}` : ''} (${w.group} ${s.group})`;
}

/** Renders a digest as plain text and accessible HTML (headings, tables with headers, no images). */
const workspaceLine: Record<Language, (hours: number) => string> = {
  fi: (h) => `Avaa työtilasi (kirjautumislinkki toimii kerran, ${h} tunnin ajan)`,
  sv: (h) => `Öppna din arbetsyta (inloggningslänken fungerar en gång, i ${h} timmar)`,
  en: (h) => `Open your workspace (the sign-in link works once, for ${h} hours)`,
};

/** Renders a digest; with `signIn`, it carries a single-use link into the staff workspace. */
export function renderDigest(d: Digest, signIn?: { url: string; hours: number }): RenderedDigest {
  const lang = d.recipient.language;
  const w = words[lang];
  const date = localDate[lang](d.as_of);
  const subject = w.subject(d.students.length, d.new_count, date);
  const intro = d.students.length ? w.intro(d.students.length, d.open_count, d.new_count) : w.nothing;
  const statusOf = (status: string, isNew: boolean) => `${status === 'acknowledged' ? w.acknowledged : w.open}${isNew ? `, ${w.isNew}` : ''}`;
  const ackCmd = (id: string) => `kiinni triggers ack ${id} --staff ${d.recipient.staff_id}`;
  const resolveCmd = (id: string) => `kiinni triggers resolve ${id} --staff ${d.recipient.staff_id} --outcome supported`;

  const text: string[] = [w.greeting(d.recipient.name), '', intro, ''];
  if (signIn) text.push(`${workspaceLine[lang](signIn.hours)}:`, signIn.url, '');
  for (const s of d.students) {
    text.push(`== ${studentHeading(s, w)}`);
    if (s.risk) text.push(`${w.riskLine}: ${w.band[s.risk.band] ?? s.risk.band}${s.risk.reasons.length ? `. ${w.reasons}: ${s.risk.reasons.join('; ')}` : ''}`);
    for (const i of s.items) {
      text.push(`* ${i.trigger.title} [${statusOf(i.trigger.status, i.is_new)}; ${w.openFor(i.days_open)}]`);
      text.push(`  ${w.what}: ${i.trigger.message}`);
      if (i.trigger.reasons.length) text.push(`  ${w.reasons}: ${i.trigger.reasons.join('; ')}`);
      if (i.next_step) text.push(`  ${w.next}: ${i.next_step}`);
      text.push(`  ${w.ack}: ${ackCmd(i.trigger.id)}`);
    }
    text.push('');
  }
  if (d.students.length) text.push(`${w.howTo}:`, `  ${w.ack}: kiinni triggers ack ID --staff ${d.recipient.staff_id}`, `  ${w.resolve}: kiinni triggers resolve ID --staff ${d.recipient.staff_id} --outcome …`, `  (${w.outcomes})`, '');
  text.push('--', w.footer, '');

  const html: string[] = [
    '<!DOCTYPE html>',
    `<html lang="${lang}">`,
    '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(subject)}</title>`,
    '<style>body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1a1a1a;max-width:52rem;margin:1.5rem auto;padding:0 1rem;line-height:1.45}',
    'h1{font-size:1.35rem}h2{font-size:1.1rem;margin-top:1.8rem;border-top:1px solid #bbb;padding-top:.8rem}',
    'table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{border:1px solid #999;padding:.4rem .5rem;text-align:left;vertical-align:top}',
    'th{background:#eef1f5}caption{text-align:left;font-weight:600;padding:.3rem 0}code{font-size:.9em;background:#f3f3f3;padding:0 .2em}',
    '.new{font-weight:700}footer{margin-top:2rem;font-size:.9rem;color:#444}</style></head>',
    '<body>',
    `<h1>${escapeHtml(subject)}</h1>`,
    `<p>${escapeHtml(w.greeting(d.recipient.name))} ${escapeHtml(intro)}</p>`,
    ...(signIn ? [`<p><a href="${escapeHtml(signIn.url)}">${escapeHtml(workspaceLine[lang](signIn.hours))}</a></p>`] : []),
  ];
  for (const s of d.students) {
    html.push(`<h2>${escapeHtml(studentHeading(s, w))}</h2>`);
    if (s.risk) {
      html.push(`<p>${escapeHtml(w.riskLine)}: <strong>${escapeHtml(w.band[s.risk.band] ?? s.risk.band)}</strong>${s.risk.reasons.length ? `. ${escapeHtml(w.reasons)}: ${escapeHtml(s.risk.reasons.join('; '))}` : ''}</p>`);
    }
    html.push('<table>', `<caption>${escapeHtml(w.caption)}</caption>`, '<thead><tr>');
    for (const h of [w.what, w.status, w.since, w.next]) html.push(`<th scope="col">${escapeHtml(h)}</th>`);
    html.push('</tr></thead><tbody>');
    for (const i of s.items) {
      const reasons = i.trigger.reasons.length ? `<br>${escapeHtml(w.reasons)}: ${escapeHtml(i.trigger.reasons.join('; '))}` : '';
      html.push(
        '<tr>',
        `<th scope="row"><span${i.is_new ? ' class="new"' : ''}>${escapeHtml(i.trigger.title)}</span><br><span style="font-weight:400">${escapeHtml(i.trigger.message)}${reasons}</span></th>`,
        `<td>${escapeHtml(statusOf(i.trigger.status, i.is_new))}</td>`,
        `<td>${escapeHtml(w.days(i.days_open))}</td>`,
        `<td>${escapeHtml(i.next_step)}<br><code>${escapeHtml(ackCmd(i.trigger.id))}</code><br><code>${escapeHtml(resolveCmd(i.trigger.id))}</code></td>`,
        '</tr>',
      );
    }
    html.push('</tbody></table>');
  }
  if (d.students.length) {
    html.push(`<h2>${escapeHtml(w.howTo)}</h2>`, '<ul>', `<li>${escapeHtml(w.ack)}: <code>kiinni triggers ack ID --staff ${escapeHtml(d.recipient.staff_id)}</code></li>`);
    html.push(`<li>${escapeHtml(w.resolve)}: <code>kiinni triggers resolve ID --staff ${escapeHtml(d.recipient.staff_id)} --outcome …</code> (${escapeHtml(w.outcomes)})</li>`, '</ul>');
  }
  html.push(`<footer><p>${escapeHtml(w.footer)}</p></footer>`, '</body></html>', '');
  return { subject, text: text.join('\n'), html: html.join('\n') };
}
