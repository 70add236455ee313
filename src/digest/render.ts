import juice from 'juice';
import { html, unsafeRawHtml, type Html } from '../core/html.js';
import { formatDate, translator, valueWord, type Language } from '../i18n/index.js';
import { resolutionOutcomes } from '../triggers/index.js';
import type { Digest, DigestItem, DigestStudent } from './compose.js';

/** A rendered digest: subject, plain-text and HTML parts. */
export interface RenderedDigest {
  subject: string;
  text: string;
  html: string;
}

export interface RenderOptions {
  /**
   * The staff workspace's address (`web.base_url`): every trigger and student links to its page,
   * and the message carries no command lines. Without it (the coordinator's preview) each item
   * shows the CLI commands instead.
   */
  workspaceUrl?: string | undefined;
  /** A single-use sign-in link into the workspace. */
  signIn?: { url: string; hours: number } | undefined;
}

// Inlined into every element (by juice: see `inlined`), for mail clients that drop <style>; the
// tables also carry border/cellpadding attributes for the ones that drop inline styles too.
const css = [
  'body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1a1a1a;max-width:52rem;margin:1.5rem auto;padding:0 1rem;line-height:1.45}',
  'h1{font-size:1.35rem}h2{font-size:1.1rem;margin-top:1.8rem;border-top:1px solid #bbb;padding-top:.8rem}',
  'table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{border:1px solid #999;padding:.4rem .5rem;text-align:left;vertical-align:top;font-weight:400}',
  'thead th{background:#eef1f5;font-weight:600}caption{text-align:left;font-weight:600;padding:.3rem 0}code{font-size:.9em;background:#f3f3f3;padding:0 .2em}',
  '.new{font-weight:700}.summary{font-weight:600}.sev-high{color:#9b1c1c;font-weight:700}footer{margin-top:2rem;font-size:.9rem;color:#444}a{color:#0b4f9c}',
].join('\n');

/** The kinds of element a digest's HTML styles: each template element names its kind. */
const specimen = {
  body: '<body data-k="body">',
  h1: '<h1 data-k="h1">',
  h2: '<h2 data-k="h2">',
  a: '<a href="#" data-k="a">',
  summary: '<p class="summary" data-k="summary">',
  table: '<table border="1" cellpadding="6" cellspacing="0" width="100%" data-k="table">',
  caption: '<caption data-k="caption">',
  colTh: '<th scope="col" bgcolor="#eef1f5" data-k="colTh">',
  rowTh: '<th scope="row" data-k="rowTh">',
  td: '<td data-k="td">',
  new: '<span class="new" data-k="new">',
  code: '<code data-k="code">',
  footer: '<footer data-k="footer">',
  'sev-high': '<span class="sev-high" data-k="sev-high">',
  'sev-medium': '<span class="sev-medium" data-k="sev-medium">',
  'sev-low': '<span class="sev-low" data-k="sev-low">',
} as const;
type Kind = keyof typeof specimen;

/**
 * What juice adds to each kind of element (the inline style, and align/valign/bgcolor for mail
 * clients that drop styles too), computed once from a page holding one element of each kind in
 * its place. Every message then carries exactly what juice would have inlined into it (the
 * render test checks this against juice run over whole messages) without running a CSS engine
 * over each one: ~5 ms a message, most of a national night's digest time.
 */
const inlined: Record<Kind, string> = (() => {
  const k = specimen;
  const page = `<!DOCTYPE html><html><head><style>${css}</style></head>${k.body}${k.h1}x</h1>${k.h2}${k.a}x</a></h2>${k.summary}x</p>
${k.table}${k.caption}x</caption><thead><tr>${k.colTh}x</th></tr></thead><tbody><tr>${k.rowTh}${k.new}x</span>${k['sev-high']}x</span>${k['sev-medium']}x</span>${k['sev-low']}x</span></th>${k.td}${k.code}x</code></td></tr></tbody></table>${k.footer}x</footer></body></html>`;
  const out = juice(page, { removeStyleTags: false, preserveMediaQueries: true });
  return Object.fromEntries(
    (Object.keys(specimen) as Kind[]).map((kind) => {
      const m = new RegExp(`data-k="${kind}"([^>]*)>`).exec(out);
      if (!m) throw new Error(`digest styles: no ${kind} in the specimen`);
      return [kind, m[1]!];
    }),
  ) as Record<Kind, string>;
})();

/** Renders a digest as plain text and mail-safe, accessible HTML (headings, tables with headers, no images). */
export function renderDigest(d: Digest, o: RenderOptions = {}): RenderedDigest {
  return renderWith(d, o, (kind) => unsafeRawHtml(inlined[kind]));
}

/**
 * The same digest with juice run over the whole message (the reference the precomputed styles
 * are tested against).
 */
export function renderDigestByJuice(d: Digest, o: RenderOptions = {}): RenderedDigest {
  const plain = renderWith(d, o, () => '');
  return { ...plain, html: juice(plain.html, { removeStyleTags: false, preserveMediaQueries: true }) };
}

function renderWith(d: Digest, o: RenderOptions, x: (kind: Kind) => Html | ''): RenderedDigest {
  const lang: Language = d.recipient.language;
  const t = translator(lang);
  const base = o.workspaceUrl;
  const triggerUrl = (id: string) => `${base}/triggers/${encodeURIComponent(id)}`;
  const studentUrl = (id: string) => `${base}/students/${encodeURIComponent(id)}`;
  const subject = t('digest.subject', { date: formatDate(lang, d.as_of), students: d.students.length, fresh: d.new_count });
  const intro = d.students.length ? t('digest.intro', { students: d.students.length, open: d.open_count, fresh: d.new_count }) : t('digest.nothing');
  const summary = d.open_count ? t('digest.summary', { fresh: d.new_count, escalated: d.escalated_count, unchanged: d.unchanged_count }) : '';
  const shown = d.students.map((s) => ({ s, items: s.items.filter((i) => i.in_full) })).filter((x) => x.items.length);
  const heading = (s: DigestStudent) =>
    s.name ? t('digest.student_heading_named', { id: s.student_id, name: s.name, group_word: t('digest.group_word'), group: s.group }) : t('digest.student_heading', { id: s.student_id, group_word: t('digest.group_word'), group: s.group });
  const statusOf = (i: DigestItem) =>
    `${valueWord(lang, 'status', i.trigger.status === 'acknowledged' ? 'acknowledged' : 'open')}${i.is_new ? `, ${t('term.new')}` : ''}${i.is_escalated ? `, ${t('term.escalated')}` : ''}`;
  const severity = (i: DigestItem) => valueWord(lang, 'severity', i.trigger.severity);
  const staff = d.recipient.staff_id;
  const ackCmd = (id: string) => t('digest.preview_ack', { id, staff });
  const resolveCmd = (id: string) => t('digest.preview_resolve', { id, staff });
  // The how-to line shows the command with the outcome left to choose.
  const resolveTemplate = resolveCmd('ID').replace(/supported$/, '…');
  const band = (s: DigestStudent) => (s.risk ? valueWord(lang, 'band', s.risk.band) : '');
  const outcomeCodes = t('digest.outcome_codes', Object.fromEntries(resolutionOutcomes.map((x) => [x, valueWord(lang, 'outcome', x)])));
  const workspaceLink = o.signIn ? t('digest.workspace_link', { hours: o.signIn.hours }) : t('digest.open_workspace');
  const workspaceHref = o.signIn?.url ?? (base ? `${base}/` : undefined);
  const unchangedNote = !d.reminder && d.unchanged_count > 0 ? t('digest.unchanged_note', { unchanged: d.unchanged_count }) : '';
  const more = d.more_count > 0 ? t('digest.more', { count: d.more_count }) : '';

  // --- Plain text: reads on its own -------------------------------------------------------------
  const text: string[] = [t('digest.greeting', { name: d.recipient.name }), '', intro, ...(summary ? [summary] : []), ''];
  if (workspaceHref) text.push(`${workspaceLink}:`, workspaceHref, '');
  for (const { s, items } of shown) {
    text.push(`== ${heading(s)}`);
    if (base) text.push(`   ${studentUrl(s.student_id)}`);
    if (s.risk) text.push(`${t('term.risk_band')}: ${band(s)}${s.risk.reasons.length ? `. ${t('term.reasons')}: ${s.risk.reasons.join('; ')}` : ''}`);
    for (const i of items) {
      text.push(`* ${i.trigger.title} [${severity(i)}; ${statusOf(i)}; ${t('term.open_for', { days: i.days_open })}]`);
      text.push(`  ${t('term.what_happened')}: ${i.trigger.message}`);
      if (i.trigger.reasons.length) text.push(`  ${t('term.reasons')}: ${i.trigger.reasons.join('; ')}`);
      if (i.next_step) text.push(`  ${t('term.next_step')}: ${i.next_step}`);
      text.push(base ? `  ${t('digest.open_trigger')}: ${triggerUrl(i.trigger.id)}` : `  ${t('action.acknowledge_explained')}: ${ackCmd(i.trigger.id)}`);
    }
    text.push('');
  }
  if (more) text.push(base ? `${more}: ${base}/` : more, '');
  if (unchangedNote) text.push(unchangedNote, '');
  if (!base && shown.length) {
    text.push(`${t('digest.how_to')}:`, `  ${t('action.acknowledge_explained')}: ${ackCmd('ID')}`, `  ${t('action.resolve_explained')}: ${resolveTemplate}`, `  (${outcomeCodes})`, '');
  }
  text.push('--', t('digest.footer'), '');

  // --- HTML: inline styles, attribute fallbacks, sentences in cells ---------------------------
  const cellTable = (caption: string, head: readonly string[], rows: readonly Html[]) => html`<table border="1" cellpadding="6" cellspacing="0" width="100%"${x('table')}>
<caption${x('caption')}>${caption}</caption>
<thead><tr>${head.map((h) => html`<th scope="col" bgcolor="#eef1f5"${x('colTh')}>${h}</th>`)}</tr></thead><tbody>
${rows}</tbody></table>
`;
  const itemRow = (i: DigestItem) => html`<tr>
<th scope="row"${x('rowTh')}>${i.is_new || i.is_escalated ? html`<span class="new"${x('new')}>` : html`<span>`}${base ? html`<a href="${triggerUrl(i.trigger.id)}"${x('a')}>${i.trigger.title}</a>` : i.trigger.title}</span><br><span class="sev-${i.trigger.severity}"${x(severityKind(i.trigger.severity))}>${severity(i)}</span></th>
<td${x('td')}>${i.trigger.message}${i.trigger.reasons.length ? html`<br>${t('term.reasons')}: ${i.trigger.reasons.join('; ')}` : ''}</td>
<td${x('td')}>${statusOf(i)}<br>${t('term.days_open', { days: i.days_open })}</td>
<td${x('td')}>${i.next_step}${base ? '' : html`<br><code${x('code')}>${ackCmd(i.trigger.id)}</code><br><code${x('code')}>${resolveCmd(i.trigger.id)}</code>`}</td>
</tr>
`;
  const studentHtml = (s: DigestStudent, items: DigestItem[]): Html => html`<h2${x('h2')}>${base ? html`<a href="${studentUrl(s.student_id)}"${x('a')}>${heading(s)}</a>` : heading(s)}</h2>
${s.risk ? html`<p>${t('term.risk_band')}: <strong>${band(s)}</strong>${s.risk.reasons.length ? html`. ${t('term.reasons')}: ${s.risk.reasons.join('; ')}` : ''}</p>\n` : ''}${cellTable(t('digest.caption'), [t('term.trigger'), t('term.what_happened'), t('term.status'), t('term.next_step')], items.map(itemRow))}`;

  const page = html`<!DOCTYPE html>
<html lang="${lang}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${subject}</title>
<style>${unsafeRawHtml(css)}</style></head>
<body${x('body')}>
<h1${x('h1')}>${subject}</h1>
<p>${t('digest.greeting', { name: d.recipient.name })} ${intro}</p>
${summary ? html`<p class="summary"${x('summary')}>${summary}</p>\n` : ''}${workspaceHref ? html`<p><a href="${workspaceHref}"${x('a')}>${workspaceLink}</a></p>\n` : ''}${shown.map(({ s, items }) => studentHtml(s, items))}${more ? html`<p>${base ? html`<a href="${base}/"${x('a')}>${more}</a>` : more}</p>\n` : ''}${unchangedNote ? html`<p>${unchangedNote}</p>\n` : ''}${
    !base && shown.length
      ? html`<h2${x('h2')}>${t('digest.how_to')}</h2>
<ul>
<li>${t('action.acknowledge_explained')}: <code${x('code')}>${ackCmd('ID')}</code></li>
<li>${t('action.resolve_explained')}: <code${x('code')}>${resolveTemplate}</code> (${outcomeCodes})</li>
</ul>
`
      : ''
  }<footer${x('footer')}><p>${t('digest.footer')}</p></footer>
</body></html>
`;
  return { subject, text: text.join('\n'), html: page.text };
}

/** The style kind of a severity label (an unknown severity is styled as low). */
const severityKind = (severity: string): Kind => (severity === 'high' || severity === 'medium' ? `sev-${severity}` : 'sev-low');
