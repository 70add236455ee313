import { formatDay, parseDay, schoolWeeks, type Day, type SchoolWeek } from './calendar.js';
import { lukioSubjects, otherLanguages, programmes, surveyItems, vocationalUnits, givenNames, familyNames, type Programme } from './catalogue.js';
import { params as P } from './params.js';
import { clamp, Random, sigmoid } from '../core/random.js';
import type { Group, ProviderStructure } from './structure.js';

export type Cell = string | number | boolean | null;
export type RowOut = Cell[];

/** Everything one student contributes to the export and to the truth files. */
export interface StudentOutput {
  students: RowOut[];
  study_right_events: RowOut[];
  course_progress: RowOut[];
  attendance: RowOut[];
  wellbeing: RowOut[];
  interventions: RowOut[];
  assignments: RowOut[];
  truthStudent: RowOut;
  truthWeekly: RowOut[];
  truthInterventions: RowOut[];
  /** The check-in programme's log as kiinni records it (checkin_candidates / checkin_plans), and its truth. */
  checkinCandidates: RowOut[];
  checkinPlans: RowOut[];
  truthCheckins: RowOut[];
}

/** The generator's bottlenecks, in kiinni's priority order, with the question set kiinni sends. */
const programmeBottlenecks = [
  ['third_week', 'start_of_studies'],
  ['unexcused_absences', 'how_are_you'],
  ['failed_or_interrupted_unit', 'studies_check'],
  ['no_credits_60d', 'studies_check'],
  ['back_from_break', 'how_are_you'],
] as const;

/** The window the export covers. */
export interface CohortWindow {
  seed: number;
  /** First day of the window, e.g. 2024-08-01. */
  start: Day;
  /** Export date: nothing on or after it is written. */
  end: Day;
  firstCohortYear: number;
  lastCohortYear: number;
  /** Run the check-in programme from this day (undefined: no programme). */
  checkinProgrammeFrom?: Day;
}

interface Course {
  id: string;
  credits: number;
  plannedStart: Day;
  plannedEnd: Day;
  /** Week index (into the student's weeks) at which the outcome is decided. */
  dueWeek: number;
  attempts: number;
  status: 'planned' | 'in_progress' | 'completed' | 'failed' | 'interrupted';
  grade: string | null;
  completedOn: Day | null;
  updatedAt: Day;
}

const weekCache = new Map<number, SchoolWeek[]>();
function weeksOf(year: number): SchoolWeek[] {
  let w = weekCache.get(year);
  if (!w) weekCache.set(year, (w = schoolWeeks(year)));
  return w;
}

const totalWeight = programmes.reduce((a, p) => a + p.weight, 0);

/** Need categories a student asks help for, and their weights given engagement e and well-being w. */
import { needCategories } from '../core/vocabulary.js';

export { needCategories };
export const needCategoryWeights = (e: number, w: number): number[] => [0.4 + 0.3 * Math.max(0, -e), 0.25 + 0.2 * Math.max(0, -w), 0.15, 0.15];

/**
 * How a student answers a check-in of the programme at a bottleneck: the probability of an
 * answer, and of a request for help in it, given engagement e and well-being w that week.
 * The evaluation (scripts/eval-checkins.ts) answers kiinni's own plans with the same model.
 */
export const programmeAnswer = {
  responds: (e: number) => sigmoid(P.checkinProgramme.response + P.checkinProgramme.responseFromEngagement * e),
  asksHelp: (e: number, w: number) => sigmoid(P.checkinProgramme.help - 0.9 * w - 0.6 * e),
};
const f2 = (x: number) => Math.round(x * 100) / 100;
const ts = (day: Day, minutes: number, seconds = 0) =>
  `${formatDay(day)} ${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}:${String(seconds).padStart(2, '0')}`;

/** Pseudonymous student id for student number i. */
export const studentIdOf = (i: number) => `S${String(i + 1).padStart(7, '0')}`;

/**
 * Simulates one student from the start of their study right to their exit or the export date.
 * Deterministic for (seed, i). The phases run in a fixed order and draw from the student's
 * random stream in that order (the check-in programme from a stream of its own): background,
 * the weeks they could attend, the study plan, then week by week the latent process and what
 * it shows (attendance, answers, staff contact, course outcomes, exits), and last the course rows
 * as the register shows them on the export date.
 */
export function simulateStudent(i: number, win: CohortWindow, org: ProviderStructure): StudentOutput {
  const rng = new Random(win.seed, i);
  const out: StudentOutput = {
    students: [],
    study_right_events: [],
    course_progress: [],
    attendance: [],
    wellbeing: [],
    interventions: [],
    assignments: [],
    truthStudent: [],
    truthWeekly: [],
    truthInterventions: [],
    checkinCandidates: [],
    checkinPlans: [],
    truthCheckins: [],
  };
  const s = drawBackground(rng, i, win, org, out);
  const weeks = attendableWeeks(s, win);
  const plan = studyPlan(s, weeks);
  const latent = startLatent(rng, s, weeks, win, i);
  for (let k = 0; k < weeks.length && !latent.exit; k++) simulateWeek(k, rng, s, weeks, plan, latent, win, org, out);
  if (latent.exit) out.study_right_events.push([s.id, formatDay(latent.exit.day), latent.exit.event, latent.exit.event === 'transferred' ? 'other_institution' : null]);
  writeCourseRows(s, plan.courses, latent.exit, win, out);
  const exit = latent.exit;
  const negative = exit !== null && (exit.event === 'resigned' || exit.event === 'deemed_resigned');
  out.truthStudent = [s.id, s.prog.educationType, f2(s.backgroundRisk), f2(latent.mu), exit ? exit.event : 'active', exit ? formatDay(exit.day) : null, negative];
  return out;
}

/** Who the student is: background (taustadata), study right, group and counsellor. */
export interface StudentBackground {
  i: number;
  id: string;
  prog: Programme;
  voc: boolean;
  unit: string;
  cohortYear: number;
  startMonday: Day;
  plannedYears: number;
  plannedEnd: Day;
  backgroundRisk: number;
  group: Group;
  counsellor: string;
}

/** Phase 1: the background draws, the students row, the start event and the counsellor's assignment. */
export function drawBackground(rng: Random, i: number, win: CohortWindow, org: ProviderStructure, out: StudentOutput): StudentBackground {
  const id = studentIdOf(i);
  const prog: Programme = rng.pick(programmes, programmes.map((p) => p.weight / totalWeight));
  const voc = prog.educationType === 'vocational';
  const unit = rng.pick(org.unitsOf(prog));
  const continuous = voc && rng.chance(0.35);
  let cohortYear = rng.int(win.firstCohortYear, win.lastCohortYear);
  const yearWeeks = weeksOf(cohortYear);
  let startWeekIdx = 0;
  if (continuous) startWeekIdx = rng.int(1, yearWeeks.length - 4);
  let startMonday = yearWeeks[startWeekIdx]!.monday;
  if (startMonday >= win.end - 14) {
    cohortYear = win.firstCohortYear;
    startWeekIdx = 0;
    startMonday = weeksOf(cohortYear)[0]!.monday;
  }
  const studyRightStart = continuous ? startMonday : startMonday - 7;
  const ageAtStart = continuous ? 17 + Math.floor(Math.abs(rng.normal(0, 5))) : rng.pick([16, 17, 18, 19], [88, 7, 3, 2]);
  const birthYear = cohortYear - ageAtStart;
  const r = rng.next();
  const gender = r < 0.006 ? 'unknown' : r < 0.016 ? 'other' : rng.chance(prog.female) ? 'female' : 'male';
  const langDraw = rng.next();
  const otherShare = voc ? 0.19 : 0.09;
  const homeLanguage = langDraw < otherShare ? rng.pick(otherLanguages.map((l) => l[0]), otherLanguages.map((l) => l[1])) : langDraw < otherShare + 0.04 ? 'sv' : 'fi';
  let gpa: number | null = voc ? clamp(rng.normal(7.25, 0.8), 4.6, 9.9) : clamp(rng.normal(8.55, 0.55), 6.6, 10);
  if (continuous && ageAtStart >= 20 && rng.chance(0.35)) gpa = null;
  const lowGpa = gpa === null ? 0 : Math.max(0, 7.5 - gpa);
  const supportDraw = rng.next() - lowGpa * 0.08;
  const support = voc ? (supportDraw < 0.13 ? 'special' : supportDraw < 0.32 ? 'intensified' : 'none') : supportDraw < 0.02 ? 'special' : supportDraw < 0.07 ? 'intensified' : 'none';
  const firstChoice = rng.chance(continuous ? 0.95 : voc ? 0.78 : 0.86);
  const priorInterruptions = rng.poisson(voc ? (continuous ? 0.6 : 0.15) : 0.08);
  const livesIndependently = ageAtStart >= 18 ? rng.chance(0.6) : rng.chance(0.05);
  const B = P.background;
  const backgroundRisk =
    B.gpa * (gpa === null ? 0.4 : 7.5 - gpa) +
    (support === 'intensified' ? B.intensified : support === 'special' ? B.special : 0) +
    (firstChoice ? 0 : B.notFirstChoice) +
    B.priorInterruption * priorInterruptions +
    (continuous ? B.continuousIntake : 0) +
    (ageAtStart >= 20 ? B.olderStarter : 0) +
    (livesIndependently && ageAtStart < 20 ? B.livesIndependentlyYoung : 0) +
    Math.log(prog.risk) +
    rng.normal(0, B.unobserved);

  // Planned end: lukio 3 years (some 2.5 or 4), vocational an individual 2–3.5 years.
  const plannedYears = voc ? rng.pick([2, 2.5, 3, 3.5], [15, 30, 45, 10]) : rng.pick([2.5, 3, 4], [5, 87, 8]);
  const startYearFrac = cohortYear + (continuous ? startWeekIdx / yearWeeks.length : 0);
  const endAt = startYearFrac + plannedYears;
  const plannedEnd = endAt % 1 < 0.5 ? parseDay(`${Math.floor(endAt)}-05-31`) : parseDay(`${Math.floor(endAt)}-12-20`);

  const group: Group = org.groupFor(unit, prog, cohortYear, weeksOf(cohortYear)[0]!.monday);
  const given = rng.pick(givenNames);
  const family = rng.pick(familyNames);
  out.students.push([
    id, unit, prog.code, prog.educationType, group.code, formatDay(studyRightStart), formatDay(plannedEnd), birthYear, gender, homeLanguage,
    continuous ? 'continuous' : 'joint', firstChoice, gpa === null ? null : f2(gpa), support, priorInterruptions, livesIndependently, given, family,
  ]);
  out.study_right_events.push([id, formatDay(studyRightStart), 'started', null]);

  // Counsellor: one per student, 1 in 10 changes in the January of their second year.
  const counsellor = org.pooled(unit, 'guidance_counsellor', i);
  const change = rng.chance(0.1) ? parseDay(`${cohortYear + 2}-01-01`) : null;
  if (change !== null && change < win.end) {
    const second = org.pooled(unit, 'guidance_counsellor', i + 1);
    out.assignments.push([counsellor, 'guidance_counsellor', id, null, formatDay(studyRightStart), formatDay(change - 1)]);
    out.assignments.push([second, 'guidance_counsellor', id, null, formatDay(change), null]);
  } else {
    out.assignments.push([counsellor, 'guidance_counsellor', id, null, formatDay(studyRightStart), null]);
  }
  return { i, id, prog, voc, unit, cohortYear, startMonday, plannedYears, plannedEnd, backgroundRisk, group, counsellor };
}

/** Phase 2: the school weeks from the start up to the export date (or well past the planned end). */
export function attendableWeeks(s: StudentBackground, win: CohortWindow): SchoolWeek[] {
  const weeks: SchoolWeek[] = [];
  for (let y = s.cohortYear; y <= s.cohortYear + 5; y++) {
    for (const w of weeksOf(y)) if (w.monday >= s.startMonday && w.monday < win.end) weeks.push(w);
    if (weeksOf(y)[0]!.monday > s.plannedEnd + 400) break;
  }
  return weeks;
}

export interface StudyPlan {
  courses: Course[];
  /** A course planned between two week indexes (retakes are added as the weeks go). */
  newCourse(code: string, credits: number, fromWeek: number, toWeek: number): Course;
  /** Credits needed to graduate. */
  required: number;
}

/** Phase 3: the study plan (HOKS / lukio plan): vocational units or lukio modules spread over the planned years. */
export function studyPlan(s: StudentBackground, weeks: readonly SchoolWeek[]): StudyPlan {
  const courses: Course[] = [];
  const planWeeks = Math.max(8, Math.round(s.plannedYears * 36));
  const weekAt = (k: number): Day => (weeks[Math.min(k, weeks.length - 1)]?.monday ?? s.startMonday + k * 7);
  const newCourse = (code: string, credits: number, fromWeek: number, toWeek: number): Course => ({
    id: code, credits, plannedStart: weekAt(fromWeek), plannedEnd: weekAt(toWeek) + 4, dueWeek: toWeek, attempts: 1, status: 'planned', grade: null, completedOn: null, updatedAt: weekAt(fromWeek) - 14,
  });
  if (s.voc) {
    const totalCredits = vocationalUnits.reduce((a, u) => a + u[1], 0);
    let acc = 0;
    for (const [suffix, credits] of vocationalUnits) {
      const from = Math.floor((acc / totalCredits) * planWeeks * 0.9);
      acc += credits;
      const to = Math.max(from + 4, Math.round((acc / totalCredits) * planWeeks) - 1);
      courses.push(newCourse(`${s.prog.code.toUpperCase()}-${suffix}`, credits, from, to));
    }
  } else {
    const modules: [string, number][] = [];
    for (const [subject, n, credits] of lukioSubjects) for (let k = 1; k <= n; k++) modules.push([`${subject}${String(k).padStart(2, '0')}`, credits]);
    const periods = Math.max(1, Math.round(s.plannedYears * 5));
    const perPeriod = Math.ceil(modules.length / periods);
    modules.forEach(([code, credits], k) => {
      const period = Math.floor(k / perPeriod);
      const from = Math.round((period * planWeeks) / periods);
      courses.push(newCourse(code, credits, from, from + Math.max(3, Math.round(planWeeks / periods) - 1)));
    });
  }
  return { courses, newCourse, required: s.voc ? 180 : 150 };
}

/** The weekly latent process and everything it carries from one week to the next. */
interface Latent {
  mu: number;
  muW: number;
  e: number;
  w: number;
  ema: number;
  credits: number;
  exit: { day: Day; event: string } | null;
  pausedUntil: number;
  effectUntil: number;
  effectMultiplier: number;
  cooldownUntil: number;
  lastUnexcusedRate: number;
  checkInEvery: number;
  checkInOffset: number;
  interventionNo: number;
  firstAcademicYear: number;
  /** The check-in programme's state; its draws come from `crng`, so switching it on changes nothing else. */
  programme: {
    crng: Random;
    unexcusedHist: [number, number][];
    lastFailWeek: number;
    lastCreditWeek: number;
    lastAskedWeek: number;
    held: Map<string, boolean>;
    until: number;
    multiplier: number;
    no: number;
  };
}

/** Phase 4a: the student's latent engagement and well-being levels and the week-to-week state. */
function startLatent(rng: Random, s: StudentBackground, weeks: readonly SchoolWeek[], win: CohortWindow, i: number): Latent {
  const E = P.engagement;
  const W = P.wellbeing;
  const mu = E.fromBackground * s.backgroundRisk + rng.normal(0, E.sd);
  const muW = W.fromEngagement * mu + rng.normal(0, W.sd);
  const e = mu + rng.normal(0, 0.3);
  const w = muW + rng.normal(0, 0.3);
  const checkInEvery = rng.int(P.checkIn.everyWeeksMin, P.checkIn.everyWeeksMax);
  const checkInOffset = rng.int(0, checkInEvery - 1);
  return {
    mu, muW, e, w, ema: e, credits: 0, exit: null, pausedUntil: -1, effectUntil: -1, effectMultiplier: 1, cooldownUntil: -1, lastUnexcusedRate: 0,
    checkInEvery, checkInOffset, interventionNo: 0, firstAcademicYear: weeks[0]?.academicYear ?? s.cohortYear,
    programme: { crng: new Random(win.seed, i, 0xc4ec), unexcusedHist: [], lastFailWeek: -99, lastCreditWeek: 0, lastAskedWeek: -99, held: new Map(), until: -1, multiplier: 1, no: 0 },
  };
}

/** Phase 4b: one school week — latent dynamics, then what they show, in a fixed order of draws. */
function simulateWeek(k: number, rng: Random, s: StudentBackground, weeks: readonly SchoolWeek[], plan: StudyPlan, L: Latent, win: CohortWindow, org: ProviderStructure, out: StudentOutput): void {
  const wk = weeks[k]!;
  const monday = wk.monday;
  if (k <= L.pausedUntil) {
    if (k === L.pausedUntil) out.study_right_events.push([s.id, formatDay(monday), 'resumed', null]);
    return;
  }
  const E = P.engagement;
  const W = P.wellbeing;
  // Latent dynamics, with occasional life events.
  const shock = rng.chance(P.lifeEvent.weekly);
  L.w = L.muW + W.persistence * (L.w - L.muW) + rng.normal(0, W.noise) + (shock ? P.lifeEvent.wellbeing : 0);
  L.e = L.mu + E.persistence * (L.e - L.mu) + rng.normal(0, E.noise) + E.fromWellbeing * (L.w - L.muW) * 0.2 + (shock ? P.lifeEvent.engagement : 0);
  if (wk.afterBreak) L.e -= 0.25;
  L.ema = 0.8 * L.ema + 0.2 * L.e;

  const firstAutumn = wk.academicYear === L.firstAcademicYear && wk.term === 'autumn' && k < 16;
  const H = P.hazard;
  const eta = H.background * s.backgroundRisk - H.engagement * L.e + H.wellbeingDrop * Math.max(0, L.muW - L.w) + (firstAutumn ? H.firstAutumn : 0) + (wk.afterBreak ? H.afterBreak : 0);
  const multiplier = k <= L.effectUntil ? L.effectMultiplier : 1;
  if (win.checkinProgrammeFrom !== undefined && monday >= win.checkinProgrammeFrom) checkinProgrammeWeek(k, wk, s, L, win, org, out);
  const checkinEffect = k <= L.programme.until && k > L.programme.lastAskedWeek ? L.programme.multiplier : 1;
  const hazard = Math.min(H.max, P.baseHazard[s.prog.educationType] * Math.exp(eta)) * multiplier * checkinEffect;

  const unexcusedRate = attendanceWeek(rng, s, L, monday, out);
  const { helpAsked, lowSurvey } = answersWeek(k, rng, s, L, wk, out);
  staffContactWeek(k, rng, s, L, monday, unexcusedRate, helpAsked, lowSurvey, win, org, out);
  courseOutcomesWeek(k, rng, s, plan, L, monday);
  out.truthWeekly.push([s.id, formatDay(monday), f2(L.e), f2(L.w), Math.round(hazard * 1e6) / 1e6]);
  exitsWeek(k, rng, s, weeks, plan, L, hazard, win, out);
}

/**
 * The check-in programme: at the onset of a bottleneck seen in last week's data, ask now, a
 * little later, or not at all. The effect starts next week.
 */
function checkinProgrammeWeek(k: number, wk: SchoolWeek, s: StudentBackground, L: Latent, win: CohortWindow, org: ProviderStructure, out: StudentOutput): void {
  const C = P.checkinProgramme;
  const g = L.programme;
  const { crng } = g;
  const monday = wk.monday;
  const recent = g.unexcusedHist.slice(-2);
  const lessons2w = recent.reduce((a, x) => a + x[0], 0);
  const unexcused2w = recent.reduce((a, x) => a + x[1], 0);
  const now: Record<(typeof programmeBottlenecks)[number][0], boolean> = {
    third_week: k === 2,
    unexcused_absences: unexcused2w >= 8 && lessons2w > 0 && unexcused2w / lessons2w >= 0.15,
    failed_or_interrupted_unit: g.lastFailWeek === k - 1,
    no_credits_60d: k >= 9 && k - g.lastCreditWeek >= 9,
    back_from_break: wk.afterBreak,
  };
  let onset: (typeof programmeBottlenecks)[number] | undefined;
  for (const b of programmeBottlenecks) {
    if (now[b[0]] && !g.held.get(b[0]) && !onset) onset = b;
    g.held.set(b[0], now[b[0]]);
  }
  if (!onset) return;
  const entry = monday + crng.int(0, 1);
  const [bottleneck, questionSet] = onset;
  if (k - g.lastAskedWeek < C.minWeeksBetween) {
    out.checkinCandidates.push([formatDay(entry), s.id, bottleneck, 'asked_recently']);
    return;
  }
  const u = crng.next();
  const asked = u < C.askSameDay ? entry : u < C.askSameDay + C.askLater ? entry + crng.int(1, 3) : null;
  out.checkinCandidates.push([formatDay(entry), s.id, bottleneck, asked === entry ? 'planned' : 'over_capacity']);
  if (asked === null || asked >= win.end) return;
  g.lastAskedWeek = k;
  out.checkinPlans.push([formatDay(asked), s.id, bottleneck, questionSet, s.unit]);
  const responded = crng.chance(programmeAnswer.responds(L.e));
  let help: string | null = null;
  let mult = 1;
  let weeksOfEffect = 0;
  if (responded) {
    const minute = crng.int(10 * 60, 19 * 60);
    const needHelp = crng.chance(programmeAnswer.asksHelp(L.e, L.w));
    if (needHelp) help = crng.pick(needCategories, needCategoryWeights(L.e, L.w));
    const item = questionSet === 'studies_check' ? 'study_motivation' : 'mood';
    const value = Math.round(clamp((item === 'mood' ? 3.3 + 0.9 * L.w : 3.2 + 0.8 * L.e) + crng.normal(0, 0.7), 1, 5));
    out.wellbeing.push([s.id, ts(asked, minute, 30), 'check-in', item, value, needHelp, help]);
    mult = needHelp ? C.helpMultiplier : C.answeredMultiplier;
    weeksOfEffect = needHelp ? C.helpEffectWeeks : C.answeredEffectWeeks;
    if (help !== null) {
      const day = asked + crng.int(1, 3);
      const role = help === 'studies' ? 'guidance_counsellor' : help === 'life_situation' ? 'social_worker' : 'nurse';
      const staffId = role === 'guidance_counsellor' ? s.counsellor : org.pooled(s.unit, role, s.i);
      if (day < win.end) out.interventions.push([`C${s.id.slice(1)}-${++g.no}`, s.id, staffId, role, formatDay(day), 'contact', 'individual', null]);
    }
    g.until = k + weeksOfEffect;
    g.multiplier = mult;
  }
  out.truthCheckins.push([s.id, bottleneck, formatDay(entry), formatDay(asked), responded, help !== null, mult, formatDay(monday + 7), weeksOfEffect]);
}

/** Attendance: a weekly row dated by the Monday; returns the week's unexcused share. */
function attendanceWeek(rng: Random, s: StudentBackground, L: Latent, monday: Day, out: StudentOutput): number {
  const workplace = s.voc && rng.chance(0.18);
  const lessons = workplace ? 3 : Math.round(clamp(rng.normal(s.voc ? 22 : 27, s.voc ? 3 : 2.5), 12, 34));
  const pu = sigmoid(-3.4 - 1.35 * L.e);
  const px = 0.03 + 0.03 * Math.max(0, -L.w) + (rng.chance(0.05) ? 0.3 : 0);
  const unexcused = Math.min(lessons, rng.poisson(lessons * pu));
  const excused = Math.min(lessons - unexcused, rng.poisson(lessons * px));
  const late = Math.min(lessons - unexcused - excused, rng.poisson(0.5 + 0.8 * Math.max(0, -L.e)));
  out.attendance.push([s.id, formatDay(monday), lessons, excused, unexcused, late]);
  L.programme.unexcusedHist.push([lessons, unexcused]);
  return lessons ? unexcused / lessons : 0;
}

/** Check-ins every 4–6 weeks and the annual survey in early November. */
function answersWeek(k: number, rng: Random, s: StudentBackground, L: Latent, wk: SchoolWeek, out: StudentOutput): { helpAsked: string | null; lowSurvey: boolean } {
  const monday = wk.monday;
  let helpAsked: string | null = null;
  if ((k + L.checkInOffset) % L.checkInEvery === 0 && rng.chance(sigmoid(P.checkIn.response + P.checkIn.responseFromEngagement * L.e))) {
    const day = monday + rng.int(0, 4);
    const minute = rng.int(8 * 60, 20 * 60);
    const mood = Math.round(clamp(3.3 + 0.9 * L.w + rng.normal(0, 0.7), 1, 5));
    const needHelp = rng.chance(sigmoid(-2.7 - 0.9 * L.w - 0.6 * L.e));
    if (needHelp) helpAsked = rng.pick(needCategories, needCategoryWeights(L.e, L.w));
    out.wellbeing.push([s.id, ts(day, minute), 'check-in', 'mood', mood, needHelp, helpAsked]);
    out.wellbeing.push([s.id, ts(day, minute + 1), 'check-in', 'study_motivation', Math.round(clamp(3.2 + 0.8 * L.e + rng.normal(0, 0.8), 1, 5)), null, null]);
  }
  let lowSurvey = false;
  if (wk.term === 'autumn' && wk.weekOfTerm === 11 && rng.chance(P.surveyResponse)) {
    const day = monday + rng.int(0, 4);
    const minute = rng.int(9 * 60, 15 * 60);
    surveyItems.forEach((item, j) => {
      const base = item === 'study_motivation' ? 3.2 + 0.8 * L.e : item === 'finances' || item === 'housing' ? 3.6 + 0.5 * L.w : 3.3 + 0.85 * L.w;
      const v = Math.round(clamp(base + rng.normal(0, 0.75), 1, 5));
      if (item === 'mood' && v <= 2) lowSurvey = true;
      out.wellbeing.push([s.id, ts(day, minute + j), 'survey', item, v, null, null]);
    });
  }
  return { helpAsked, lowSurvey };
}

/** Staff notice a signal and may contact the student; the effect is the generator's truth. */
function staffContactWeek(
  k: number, rng: Random, s: StudentBackground, L: Latent, monday: Day, unexcusedRate: number, helpAsked: string | null, lowSurvey: boolean, win: CohortWindow, org: ProviderStructure, out: StudentOutput,
): void {
  const signal = (unexcusedRate >= 0.2 && L.lastUnexcusedRate >= 0.2) || helpAsked !== null || lowSurvey;
  L.lastUnexcusedRate = unexcusedRate;
  if (!signal || k <= L.cooldownUntil || !rng.chance(P.intervention.contactProbability)) return;
  const delay = 1 + Math.floor(-Math.log(1 - rng.next()) * (P.intervention.meanDelayDays - 1));
  const day = monday + 4 + delay;
  if (day >= win.end) return;
  const timely = delay <= 7;
  const mult = timely ? P.intervention.timelyMultiplier : P.intervention.lateMultiplier;
  const startK = k + 1 + Math.floor(delay / 7);
  L.effectUntil = startK + P.intervention.effectWeeks - 1;
  L.effectMultiplier = mult;
  L.cooldownUntil = k + P.intervention.cooldownWeeks;
  L.interventionNo++;
  const welfare = helpAsked === 'health' || helpAsked === 'wellbeing' ? 'nurse' : helpAsked === 'life_situation' ? 'social_worker' : null;
  const role = welfare ?? (rng.chance(0.5) ? 'guidance_counsellor' : 'group_supervisor');
  const staffId = role === 'guidance_counsellor' ? s.counsellor : role === 'group_supervisor' ? s.group.supervisorId : org.pooled(s.unit, welfare as 'nurse' | 'social_worker', s.i);
  const type = role === 'group_supervisor' ? 'contact' : role === 'guidance_counsellor' ? rng.pick(['meeting', 'study_plan_revision']) : welfare === 'nurse' ? 'health_check' : 'meeting';
  const iid = `I${s.id.slice(1)}-${L.interventionNo}`;
  out.interventions.push([iid, s.id, staffId, role, formatDay(day), type, 'individual', null]);
  out.truthInterventions.push([iid, s.id, formatDay(monday + 4), formatDay(day), delay, mult, P.intervention.effectWeeks]);
}

/** Course outcomes due this week: completed, failed (with a retake), or decided later. */
function courseOutcomesWeek(k: number, rng: Random, s: StudentBackground, plan: StudyPlan, L: Latent, monday: Day): void {
  for (const c of plan.courses) {
    if (c.status === 'completed' || c.status === 'failed' || c.dueWeek !== k) continue;
    if (rng.chance(sigmoid(2.3 + 1.3 * L.ema))) {
      c.status = 'completed';
      c.completedOn = monday + 4;
      c.updatedAt = monday + 4;
      c.grade = s.voc ? String(Math.round(clamp(3 + 1.1 * L.ema + rng.normal(0, 0.8), 1, 5))) : String(Math.round(clamp(7.6 + 1.2 * L.ema + rng.normal(0, 1), 5, 10)));
      L.credits += c.credits;
      L.programme.lastCreditWeek = k;
    } else if (!s.voc || c.attempts >= 2 || rng.chance(0.3)) {
      c.status = 'failed';
      L.programme.lastFailWeek = k;
      c.grade = s.voc ? null : '4';
      c.updatedAt = monday + 4;
      if (c.attempts < 3) {
        const retake = plan.newCourse(`${c.id.split('#')[0]}#${c.attempts + 1}`, c.credits, k + 3, k + rng.int(7, 14));
        retake.attempts = c.attempts + 1;
        plan.courses.push(retake);
      }
    } else {
      c.dueWeek = k + rng.int(3, 10); // delayed: decided later
      c.attempts++;
    }
  }
}

/** Exits: negative (resigned / deemed resigned), transfers, pauses, graduation at the end of a term. */
function exitsWeek(k: number, rng: Random, s: StudentBackground, weeks: readonly SchoolWeek[], plan: StudyPlan, L: Latent, hazard: number, win: CohortWindow, out: StudentOutput): void {
  const wk = weeks[k]!;
  const monday = wk.monday;
  if (rng.chance(hazard)) {
    const deemed = L.e < -1.2 ? rng.chance(0.6) : rng.chance(0.15);
    L.exit = { day: monday + rng.int(0, 4), event: deemed ? 'deemed_resigned' : 'resigned' };
  } else if (rng.chance(P.weeklyTransfer[s.prog.educationType])) {
    L.exit = { day: monday + rng.int(0, 4), event: 'transferred' };
  } else if (rng.chance(P.weeklyPause)) {
    L.pausedUntil = k + rng.int(6, 20);
    out.study_right_events.push([s.id, formatDay(monday + 4), 'paused', rng.pick(['parental_leave', 'military_service', 'health', 'other'])]);
  } else {
    const termEnd = weeks[k + 1] === undefined || weeks[k + 1]!.term !== wk.term;
    if (termEnd && monday + 7 >= s.plannedEnd - 14 && L.credits >= plan.required * 0.95) {
      const day = wk.term === 'spring' ? parseDay(`${wk.academicYear + 1}-05-31`) : parseDay(`${wk.academicYear}-12-20`);
      if (day < win.end) L.exit = { day, event: 'graduated' };
    }
  }
}

/** Phase 5: course rows as the register shows them on the export date. */
function writeCourseRows(s: StudentBackground, courses: readonly Course[], exit: Latent['exit'], win: CohortWindow, out: StudentOutput): void {
  for (const c of courses) {
    if (c.status === 'planned' || c.status === 'in_progress') {
      if (exit && exit.event !== 'graduated') {
        if (c.plannedStart > exit.day) continue;
        c.status = 'interrupted';
        c.updatedAt = exit.day;
      } else if (c.plannedStart >= win.end) {
        if (c.id.includes('#')) continue;
        c.status = 'planned';
      } else {
        c.status = 'in_progress';
        c.updatedAt = Math.max(c.updatedAt, c.plannedStart);
      }
    }
    out.course_progress.push([
      s.id, c.id, c.credits, formatDay(c.plannedStart), formatDay(c.plannedEnd), c.status, c.grade, c.completedOn === null ? null : formatDay(c.completedOn),
      ts(Math.min(c.updatedAt, win.end - 1), 16 * 60),
    ]);
  }
}
