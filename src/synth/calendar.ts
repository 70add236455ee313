/** Dates as UTC day numbers (days since 1970-01-01): cheap arithmetic, no time zones. */
export type Day = number;

const MS_PER_DAY = 86_400_000;

/** 'YYYY-MM-DD' → day number. */
export function parseDay(iso: string): Day {
  return Math.floor(Date.parse(iso + 'T00:00:00Z') / MS_PER_DAY);
}

const dayText = new Map<Day, string>();

/** day number → 'YYYY-MM-DD' (cached: the generator formats the same few thousand days millions of times). */
export function formatDay(day: Day): string {
  let s = dayText.get(day);
  if (s === undefined) dayText.set(day, (s = new Date(day * MS_PER_DAY).toISOString().slice(0, 10)));
  return s;
}

/** day number → 'D.M.YYYY', the way Finnish registers print dates. */
export function formatFinnish(day: Day): string {
  const d = new Date(day * MS_PER_DAY);
  return `${d.getUTCDate()}.${d.getUTCMonth() + 1}.${d.getUTCFullYear()}`;
}

/** 0 = Monday … 6 = Sunday. */
export function weekday(day: Day): number {
  return (new Date(day * MS_PER_DAY).getUTCDay() + 6) % 7;
}

export function yearOf(day: Day): number {
  return new Date(day * MS_PER_DAY).getUTCFullYear();
}

export function monthOf(day: Day): number {
  return new Date(day * MS_PER_DAY).getUTCMonth() + 1;
}

/** The Monday on or after `day`. */
export function mondayOnOrAfter(day: Day): Day {
  return day + ((7 - weekday(day)) % 7);
}

/** Monday of ISO week `week` of `year`. */
export function isoWeekMonday(year: number, week: number): Day {
  const jan4 = parseDay(`${year}-01-04`);
  return jan4 - weekday(jan4) + (week - 1) * 7;
}

/** One teaching week of a Finnish school year. */
export interface SchoolWeek {
  monday: Day;
  /** Academic year by its autumn: 2024 = 2024–25. */
  academicYear: number;
  term: 'autumn' | 'spring';
  /** 0 for the first week of the term. */
  weekOfTerm: number;
  /** The first week after a break (autumn, Christmas, winter break). */
  afterBreak: boolean;
}

/**
 * Teaching weeks of academic year `y` as in southern Finland: autumn term from the Monday after
 * 9 August to 20 December with the autumn break in ISO week 42, spring term from the Monday
 * after 6 January to the end of May with the winter break in ISO week 8.
 */
export function schoolWeeks(y: number): SchoolWeek[] {
  const weeks: SchoolWeek[] = [];
  const autumnStart = mondayOnOrAfter(parseDay(`${y}-08-10`));
  const autumnEnd = parseDay(`${y}-12-20`);
  const autumnBreak = isoWeekMonday(y, 42);
  const springStart = mondayOnOrAfter(parseDay(`${y + 1}-01-07`));
  const springEnd = parseDay(`${y + 1}-05-31`);
  const winterBreak = isoWeekMonday(y + 1, 8);
  let n = 0;
  let after = false;
  for (let m = autumnStart; m <= autumnEnd; m += 7) {
    if (m === autumnBreak) {
      after = true;
      continue;
    }
    weeks.push({ monday: m, academicYear: y, term: 'autumn', weekOfTerm: n++, afterBreak: after });
    after = false;
  }
  n = 0;
  after = true;
  for (let m = springStart; m <= springEnd - 4; m += 7) {
    if (m === winterBreak) {
      after = true;
      continue;
    }
    weeks.push({ monday: m, academicYear: y, term: 'spring', weekOfTerm: n++, afterBreak: after });
    after = false;
  }
  return weeks;
}

/** Teaching weeks from `from` (inclusive) to `to` (exclusive), across academic years. */
export function schoolWeeksBetween(from: Day, to: Day): SchoolWeek[] {
  const out: SchoolWeek[] = [];
  const firstYear = monthOf(from) >= 8 ? yearOf(from) : yearOf(from) - 1;
  for (let y = firstYear; ; y++) {
    const weeks = schoolWeeks(y);
    if (weeks[0]!.monday >= to) break;
    for (const w of weeks) if (w.monday >= from - 6 && w.monday < to) out.push(w);
  }
  return out;
}
