import { html, unsafeRawHtml, type Html, type HtmlValue } from '../core/html.js';
import { translator, type Language } from '../i18n/index.js';
import type { SignedIn } from './auth.js';

export { html, type Html };

// Colours checked for WCAG 2.1 AA: text #1a1a1a on #fff (17:1), links and buttons #0b4f9c
// (8.6:1 on white; white on it 8.6:1), muted #4a4a4a (8.9:1), focus ring 3 px #b45309.
const css = [
  'body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1a1a1a;background:#fff;margin:0;line-height:1.45}',
  '.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:#fff;padding:.5rem;z-index:2}',
  'header{background:#eef1f5;border-bottom:1px solid #c5ccd6;padding:.6rem 1rem}header nav ul{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:1rem;align-items:center}',
  'main{max-width:62rem;margin:1rem auto;padding:0 1rem}a{color:#0b4f9c}a:focus,button:focus,input:focus,select:focus,textarea:focus{outline:3px solid #b45309;outline-offset:2px}',
  'table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{border:1px solid #aab2bd;padding:.35rem .5rem;text-align:left;vertical-align:top}thead th,th[scope=row]{background:#eef1f5}',
  'button{background:#0b4f9c;color:#fff;border:0;border-radius:4px;padding:.45rem .9rem;font-size:1rem;cursor:pointer}a.button{display:inline-block;background:#0b4f9c;color:#fff;border-radius:4px;padding:.45rem .9rem;text-decoration:none}button.link{background:none;color:#0b4f9c;text-decoration:underline;padding:0}',
  'label{display:block;font-weight:600;margin:.6rem 0 .2rem}input,select,textarea{font-size:1rem;padding:.35rem;border:1px solid #4a4a4a;border-radius:4px;max-width:100%}',
  'form.inline{display:inline-block;margin:.2rem .5rem .2rem 0}.note{color:#4a4a4a}.flash{border-left:4px solid #0b4f9c;background:#eef1f5;padding:.5rem .8rem}',
  'ul.plain{list-style:none;margin:0;padding:0}.filters a[aria-current]{font-weight:700}.new{color:#9b1c1c}.sev-high{font-weight:700}fieldset{border:1px solid #aab2bd;margin:1rem 0;padding:.5rem 1rem}legend{font-weight:600}td.date{white-space:nowrap}figure.timeline{margin:1rem 0}figure.timeline svg{max-width:100%;height:auto}',
].join('');

export interface PageOptions {
  lang: Language;
  title: string;
  user?: SignedIn | undefined;
  csrf?: string | undefined;
  flash?: string | undefined;
}

/** The page frame: language, skip link, navigation by role, one h1, a main landmark. */
export function page(o: PageOptions, body: Html): Html {
  const u = o.user;
  const t = translator(o.lang);
  const links: Html[] = [];
  if (u) {
    const staffRole = u.roles.some((r) => r !== 'leadership' && r !== 'data_coordinator');
    if (staffRole) links.push(html`<li><a href="/">${t('web.my_students')}</a></li>`);
    if (u.roles.includes('group_supervisor')) links.push(html`<li><a href="/groups">${t('web.my_groups')}</a></li>`);
    if (u.roles.includes('leadership') || u.roles.includes('data_coordinator')) links.push(html`<li><a href="/report">${t('web.report')}</a></li>`);
    if (u.roles.includes('data_coordinator')) links.push(html`<li><a href="/admin">${t('web.admin')}</a></li>`);
    links.push(html`<li class="note">${t('web.signed_in_as', { name: u.name })}</li>`);
    links.push(html`<li><form method="post" action="/sign-out" class="inline">${hidden('_csrf', o.csrf ?? '')}<button type="submit" class="link">${t('web.sign_out')}</button></form></li>`);
  }
  return html`<!DOCTYPE html>
<html lang="${o.lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${o.title} – kiinni</title><style>${unsafeRawHtml(css)}</style></head><body>
<a class="skip" href="#main">${t('web.skip')}</a>
<header><nav aria-label="${t('web.nav')}"><ul><li><strong>kiinni</strong></li>${links}</ul></nav></header>
<main id="main"><h1>${o.title}</h1>
${o.flash ? html`<p class="flash" role="status">${o.flash}</p>` : ''}
${body}
</main></body></html>`;
}

/** A table with a caption, column headers and (optionally) a row header in the first column; nothing when there are no rows. */
export function table(caption: string, head: readonly string[], rows: readonly HtmlValue[][], rowHeader = true): Html | null {
  if (!rows.length) return null;
  return html`<table><caption>${caption}</caption><thead><tr>${head.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead><tbody>
${rows.map((r) => html`<tr>${r.map((c, i) => (i === 0 && rowHeader ? html`<th scope="row">${c}</th>` : html`<td>${c}</td>`))}</tr>\n`)}</tbody></table>`;
}

export const hidden = (name: string, value: string): Html => html`<input type="hidden" name="${name}" value="${value}">`;

/** A link to a workspace path built from parts: each part is URL-encoded, the whole escaped. */
export const link = (parts: readonly string[], text: HtmlValue): Html => html`<a href="${href(parts)}">${text}</a>`;
export const href = (parts: readonly string[]): string => `/${parts.map(encodeURIComponent).join('/')}`;
