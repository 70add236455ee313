/**
 * HTML that is escaped by default. Every page, e-mail and report kiinni writes is built with the
 * `html` tagged template: an interpolated value is escaped (& < > " ') unless it is itself `Html`
 * built the same way. Markup from elsewhere (a chart's SVG) enters only through `unsafeRawHtml`,
 * the one visibly unsafe call.
 */
export class Html {
  /** Use `html`…`` or `unsafeRawHtml`; the constructor is not for page code. */
  private constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
  /** @internal */
  static of(text: string): Html {
    return new Html(text);
  }
}

/** What may stand in `${…}`: text and numbers (escaped), Html (as is), lists of them, nothing (''). */
export type HtmlValue = Html | string | number | bigint | boolean | null | undefined | readonly HtmlValue[];

const entities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text into HTML text or a quoted attribute value. */
export const escapeHtml = (s: unknown): string => String(s ?? '').replace(/[&<>"']/g, (c) => entities[c]!);

function part(v: HtmlValue): string {
  if (v instanceof Html) return v.text;
  if (Array.isArray(v)) return v.map(part).join('');
  if (v === null || v === undefined || v === false || v === true) return '';
  return escapeHtml(v);
}

/** The tagged template: html`<p>${text}</p>` escapes `text`; nested html`` stays markup. */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): Html {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += part(values[i]!) + strings[i + 1]!;
  return Html.of(out);
}

/** Markup made elsewhere (vega's SVG), trusted as it is. The only way around escaping: keep its uses few and named. */
export function unsafeRawHtml(markup: string): Html {
  return Html.of(markup);
}

/** Fragments one after another, with `separator` (text, escaped) between them. */
export function joinHtml(parts: readonly HtmlValue[], separator: HtmlValue = ''): Html {
  return Html.of(parts.map(part).join(part(separator)));
}
