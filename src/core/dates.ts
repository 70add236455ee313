import { z } from 'zod';

/** The calendar date (YYYY-MM-DD) of an instant in Finland: what "today" means for a school. */
export function localDate(at: Date, timeZone = 'Europe/Helsinki'): string {
  return new Intl.DateTimeFormat('sv-SE', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

/** Adds days to a YYYY-MM-DD date. */
export function addDays(day: string, days: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** Adds calendar months to a YYYY-MM-DD date, a day past the month's end clamped to it (2024-02-29 − 12 months = 2023-02-28), as SQL's `date + INTERVAL n MONTH`. */
export function addMonths(day: string, months: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const first = new Date(Date.UTC(y, m - 1 + months, 1));
  const last = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
  first.setUTCDate(Math.min(d, last));
  return first.toISOString().slice(0, 10);
}

/** Whole days from one YYYY-MM-DD date to another (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** True for a real calendar date written YYYY-MM-DD (2025-02-28 yes; 2025-02-30, 2026-13-45 no). */
export function isCalendarDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

/** Plausible dates of school data: no record of a student is older than this, and none is dated far ahead. */
export const plausibleDates = { earliest: '1990-01-01', yearsAhead: 10 } as const;

/** A calendar date written YYYY-MM-DD, checked once where it enters (an option, a config key, a form field). */
export type IsoDate = string & { readonly __brand: 'IsoDate' };

/** The one date parser at the edge: a real calendar date, or a zod error saying what is expected. */
export const isoDateSchema = z
  .string()
  .refine(isCalendarDate, 'expected a calendar date like 2026-05-31')
  .transform((s) => s as IsoDate);

/** The day of the week of a calendar date, 0 = Sunday … 6 = Saturday (as `Date.getUTCDay`). */
export const dayOfWeek = (day: string): number => new Date(`${day}T12:00:00Z`).getUTCDay();

/** The name of the day of the week of a calendar date, as the config writes it (`digest.reminder_weekday`). */
export const weekdayOf = (day: string) => (['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const)[dayOfWeek(day)]!;
