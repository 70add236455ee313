/**
 * One message catalogue for every surface (workspace, digests, sign-in mail, report, trigger
 * rules, check-in questions, feature reasons), in ICU MessageFormat: `msg(lang, key, values)`.
 * Numbers and dates are written the way the reader's language writes them (31.5.2026, 0,25).
 */
import { IntlMessageFormat } from 'intl-messageformat';
import { parse, TYPE, type MessageFormatElement } from '@formatjs/icu-messageformat-parser';
import { languages, type Language } from '../core/vocabulary.js';
import { en, type MessageKey } from './messages/en.js';
import { fi } from './messages/fi.js';
import { sv } from './messages/sv.js';
import type { Catalogue } from './messages/types.js';

export type { MessageKey } from './messages/en.js';
export type { Language } from '../core/vocabulary.js';

export const catalogues: Record<Language, Catalogue> = { fi, sv, en };

/** Values a message may use: text and numbers (dates are formatted by `formatDate` first). */
export type MessageValues = Record<string, string | number>;

const locales: Record<Language, string> = { fi: 'fi-FI', sv: 'sv-FI', en: 'en-GB' };
const compiled = new Map<string, IntlMessageFormat>();

function compile(lang: Language, source: string): IntlMessageFormat {
  const id = `${lang}\u0000${source}`;
  let f = compiled.get(id);
  if (!f) compiled.set(id, (f = new IntlMessageFormat(source, locales[lang], undefined, { ignoreTag: true })));
  return f;
}

/** A catalogue message in `lang` with its placeholders filled. */
export function msg(lang: Language, key: MessageKey, values: MessageValues = {}): string {
  return formatMessage(lang, catalogues[lang][key], values);
}

/** Any ICU message text (a provider's own rule text, say) with its placeholders filled. */
export function formatMessage(lang: Language, source: string, values: MessageValues = {}): string {
  return String(compile(lang, source).format(values));
}

/** `msg` bound to one language: `const t = translator('fi'); t('term.student')`. */
export type Translate = (key: MessageKey, values?: MessageValues) => string;
export const translator = (lang: Language): Translate => (key, values) => msg(lang, key, values);

/** Whether the catalogue has `key` (for keys built from a code, e.g. `value.item.<code>`). */
export function hasMessage(key: string): key is MessageKey {
  return Object.hasOwn(en, key);
}

/**
 * A stored code in words: `value.<kind>.<code>` from the catalogue. A code the catalogue does not
 * know (a provider's own intervention type, say) is shown with its underscores as spaces.
 */
export function valueWord(lang: Language, kind: 'status' | 'severity' | 'band' | 'outcome' | 'role' | 'intervention' | 'scope' | 'item', code: string): string {
  const key = `value.${kind}.${code}`;
  return hasMessage(key) ? msg(lang, key) : code.replace(/_/g, ' ');
}

/** The three texts of a shipped model's message (rule title, feature reason, …), or undefined. */
export function catalogueText(key: string): Record<Language, string> | undefined {
  if (!hasMessage(key)) return undefined;
  return { fi: fi[key], sv: sv[key], en: en[key] };
}

/** The names of a message's arguments (`{name}`, `{n, plural, …}`), nested ones included. */
export function messageArguments(source: string): string[] {
  const names = new Set<string>();
  const walk = (els: MessageFormatElement[]) => {
    for (const e of els) {
      if (e.type === TYPE.argument || e.type === TYPE.number || e.type === TYPE.date || e.type === TYPE.time) names.add(e.value);
      if (e.type === TYPE.select || e.type === TYPE.plural) {
        names.add(e.value);
        for (const o of Object.values(e.options)) walk(o.value);
      }
      if (e.type === TYPE.tag) walk(e.children);
    }
  };
  walk(parse(source, { ignoreTag: true }));
  return [...names];
}

/** A problem with an ICU message text (unbalanced braces, a bad plural), or null. */
export function messageProblem(source: string): string | null {
  try {
    parse(source, { ignoreTag: true });
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

/** A calendar date (YYYY-MM-DD) as the reader writes it: 31.5.2026 in all three languages. */
export function formatDate(_lang: Language, iso: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
  return m ? `${Number(m[3])}.${Number(m[2])}.${m[1]}` : iso;
}

/** A number with the language's decimal mark (0,25 in Finnish and Swedish). */
export function formatDecimal(lang: Language, text: string): string {
  return lang === 'en' ? text : text.replace('.', ',');
}

/** The language to use before anyone has signed in: ?lang=, then Accept-Language, then Finnish. */
export function guessLanguage(query: unknown, acceptLanguage: string | undefined): Language {
  if ((languages as readonly unknown[]).includes(query)) return query as Language;
  for (const part of (acceptLanguage ?? '').split(',')) {
    const code = part.trim().slice(0, 2).toLowerCase();
    if ((languages as readonly string[]).includes(code)) return code as Language;
  }
  return 'fi';
}

/** A programme's or unit's name as the reader's language has it (config `display_names`), else its code. */
export function displayName(names: Readonly<Record<string, string | { fi: string; sv?: string | undefined; en?: string | undefined }>>, lang: Language, code: string | null | undefined): string | null {
  if (code === null || code === undefined) return null;
  const n = names[code];
  if (n === undefined) return code;
  return typeof n === 'string' ? n : (n[lang] ?? n.fi);
}
