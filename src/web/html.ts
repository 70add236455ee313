import { escapeHtml } from '../core/html.js';
import type { SignedIn } from './auth.js';
import { t, type UiLanguage } from './i18n.js';

/** Text and attribute values into HTML. Every value from the warehouse passes through here. */
export const esc = (s: unknown): string => escapeHtml(s).replace(/'/g, '&#39;');

/** A raw HTML fragment already escaped by the page builders. */
export type Html = string;

// Colours checked for WCAG 2.1 AA: text #1a1a1a on #fff (17:1), links and buttons #0b4f9c
// (8.6:1 on white; white on it 8.6:1), muted #4a4a4a (8.9:1), focus ring 3 px #b45309.
const css = [
  'body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1a1a1a;background:#fff;margin:0;line-height:1.45}',
  '.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:#fff;padding:.5rem;z-index:2}',
  'header{background:#eef1f5;border-bottom:1px solid #c5ccd6;padding:.6rem 1rem}header nav ul{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:1rem;align-items:center}',
  'main{max-width:62rem;margin:1rem auto;padding:0 1rem}a{color:#0b4f9c}a:focus,button:focus,input:focus,select:focus{outline:3px solid #b45309;outline-offset:2px}',
  'table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{border:1px solid #aab2bd;padding:.35rem .5rem;text-align:left;vertical-align:top}thead th,th[scope=row]{background:#eef1f5}',
  'button{background:#0b4f9c;color:#fff;border:0;border-radius:4px;padding:.45rem .9rem;font-size:1rem;cursor:pointer}button.link{background:none;color:#0b4f9c;text-decoration:underline;padding:0}',
  'label{display:block;font-weight:600;margin:.6rem 0 .2rem}input,select{font-size:1rem;padding:.35rem;border:1px solid #4a4a4a;border-radius:4px;max-width:100%}',
  'form.inline{display:inline-block;margin:.2rem .5rem .2rem 0}.note{color:#4a4a4a}.flash{border-left:4px solid #0b4f9c;background:#eef1f5;padding:.5rem .8rem}',
  '.sev-high{font-weight:700}fieldset{border:1px solid #aab2bd;margin:1rem 0;padding:.5rem 1rem}legend{font-weight:600}',
].join('');

export interface PageOptions {
  lang: UiLanguage;
  title: string;
  user?: SignedIn | undefined;
  csrf?: string | undefined;
  flash?: string | undefined;
}

/** The page frame: language, skip link, navigation by role, one h1, a main landmark. */
export function page(o: PageOptions, body: Html): string {
  const u = o.user;
  const links: Html[] = [];
  if (u) {
    const staffRole = u.roles.some((r) => r !== 'leadership' && r !== 'data_coordinator');
    if (staffRole) links.push(`<li><a href="/">${esc(t(o.lang, 'my_triggers'))}</a></li>`);
    if (u.roles.includes('group_supervisor')) links.push(`<li><a href="/groups">${esc(t(o.lang, 'my_groups'))}</a></li>`);
    if (u.roles.includes('leadership') || u.roles.includes('data_coordinator')) links.push(`<li><a href="/report">${esc(t(o.lang, 'report'))}</a></li>`);
    if (u.roles.includes('data_coordinator')) links.push(`<li><a href="/admin">${esc(t(o.lang, 'admin'))}</a></li>`);
    links.push(`<li class="note">${esc(t(o.lang, 'signed_in_as', { name: u.name }))}</li>`);
    links.push(`<li><form method="post" action="/sign-out" class="inline"><input type="hidden" name="_csrf" value="${esc(o.csrf)}"><button type="submit" class="link">${esc(t(o.lang, 'sign_out'))}</button></form></li>`);
  }
  return [
    '<!DOCTYPE html>',
    `<html lang="${o.lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">`,
    `<title>${esc(o.title)} – kiinni</title><style>${css}</style></head><body>`,
    `<a class="skip" href="#main">${esc(t(o.lang, 'skip'))}</a>`,
    `<header><nav aria-label="${esc(t(o.lang, 'nav'))}"><ul><li><strong>kiinni</strong></li>${links.join('')}</ul></nav></header>`,
    `<main id="main"><h1>${esc(o.title)}</h1>`,
    o.flash ? `<p class="flash" role="status">${esc(o.flash)}</p>` : '',
    body,
    '</main></body></html>',
  ].join('\n');
}

/** A table with a caption, column headers and (optionally) a row header in the first column. */
export function table(caption: string, head: readonly string[], rows: readonly Html[][], rowHeader = true): Html {
  if (!rows.length) return '';
  return [
    `<table><caption>${esc(caption)}</caption><thead><tr>${head.map((h) => `<th scope="col">${esc(h)}</th>`).join('')}</tr></thead><tbody>`,
    ...rows.map((r) => `<tr>${r.map((c, i) => (i === 0 && rowHeader ? `<th scope="row">${c}</th>` : `<td>${c}</td>`)).join('')}</tr>`),
    '</tbody></table>',
  ].join('\n');
}

export const hidden = (name: string, value: string): Html => `<input type="hidden" name="${esc(name)}" value="${esc(value)}">`;
