import type { Config } from '../core/config.js';
import { displayName, formatDate, hasMessage, msg, valueWord, type Language, type MessageKey } from '../i18n/index.js';

/**
 * The report's words for its codes: a column's title (`report.col.<name>`), and a cell's code in
 * words by the column it is in — education types, roles, kinds of support and trigger, units and
 * programmes by their display names, dates as 31.5.2026, months as "syyskuu 2025". The files keep
 * the codes (their columns are explained in data_dictionary.csv).
 */

export const columnTitle = (lang: Language, name: string): string => {
  const key = `report.col.${name}`;
  return hasMessage(key) ? msg(lang, key as MessageKey) : msg(lang, `value.band.${name}` as MessageKey);
};

const locales: Record<Language, string> = { fi: 'fi-FI', sv: 'sv-FI', en: 'en-GB' };

/** "2025-09" as the reader says a month. */
export const monthWord = (lang: Language, month: string): string =>
  new Intl.DateTimeFormat(locales[lang], { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(`${month}-01T00:00:00Z`));

/** Columns whose cells are codes with words of their own in the catalogue (`report.value.<column>.<code>`). */
const valueFamilies: ReadonlySet<string> = new Set(['education_type', 'family', 'dimension', 'kind']);

export function codeWord(lang: Language, column: string, code: unknown, names?: Config['displayNames'], context?: Record<string, unknown>): string {
  if (code === null || code === undefined) return '';
  const c = String(code);
  if (column === 'unit') return displayName(names?.units ?? {}, lang, c) ?? c;
  if (column === 'programme') return displayName(names?.programmes ?? {}, lang, c) ?? c;
  if (column === 'role') return valueWord(lang, 'role', c);
  if (column === 'type') return valueWord(lang, 'intervention', c);
  if (column === 'scope') return valueWord(lang, 'scope', c);
  if (column === 'provider') return msg(lang, 'report.value.provider_all');
  if (/^\d{4}-\d{2}-\d{2}$/.test(c)) return formatDate(lang, c);
  if (column === 'month' && /^\d{4}-\d{2}$/.test(c)) return monthWord(lang, c);
  // Cells whose meaning depends on another column of the row (check-ins, model groups): named like that breakdown's own column.
  if ((column === 'value' || column === 'group') && context?.['dimension'] !== undefined) return codeWord(lang, String(context['dimension']), c, names);
  const family = column === 'group' || valueFamilies.has(column) ? column : undefined;
  if (family) {
    const key = `report.value.${family}.${c}`;
    if (hasMessage(key)) return msg(lang, key as MessageKey);
  }
  if (column === 'bottleneck' && hasMessage(`bottleneck.${c}.title`)) return msg(lang, `bottleneck.${c}.title` as MessageKey);
  for (const f of ['question_set', 'gender', 'home_language']) if (column === f && hasMessage(`report.value.${f}.${c}`)) return msg(lang, `report.value.${f}.${c}` as MessageKey);
  if (column === 'home_language' && /^[a-z]{2}$/.test(c)) return new Intl.DisplayNames([locales[lang]], { type: 'language' }).of(c) ?? c;
  return c;
}
