/**
 * The generator's latent process, in one place. fixtures/README.md documents the same numbers;
 * tests check that the rates they produce stay within the bands the issue sets.
 *
 * Each student has a background risk b (from taustadata), a latent engagement e(t) and a latent
 * well-being w(t), both weekly AR(1) processes. Every school week the student may exit
 * negatively with hazard h(t) = base · exp(β_b·b − β_e·e(t) − β_w·(w(t) − w̄) + season) ·
 * (intervention multiplier). Observables (absences, course outcomes, answers) are noisy
 * functions of e and w, so no model can be perfect.
 */
export const params = {
  /** Weekly negative-exit hazard at b = 0, e = 0 (tuned to national annual rates). */
  baseHazard: { vocational: 0.00074, upper_secondary: 0.00056 },
  /** Background-risk weights. */
  background: {
    gpa: 0.55, // per grade point below 7.5
    intensified: 0.35,
    special: 0.6,
    notFirstChoice: 0.5,
    priorInterruption: 0.4, // per earlier interruption
    continuousIntake: 0.35,
    olderStarter: 0.35, // 20 or older at start
    livesIndependentlyYoung: 0.25, // under 20 and living alone
    unobserved: 0.45, // sd of background risk no data shows
  },
  hazard: { background: 0.55, engagement: 0.95, wellbeingDrop: 0.55, firstAutumn: 0.45, afterBreak: 0.3, max: 0.4 },
  engagement: { fromBackground: -0.55, sd: 0.5, persistence: 0.86, noise: 0.33, fromWellbeing: 0.25 },
  wellbeing: { fromEngagement: 0.45, sd: 0.6, persistence: 0.9, noise: 0.24 },
  /** A life event (illness, family, money, housing) knocks engagement and well-being down. */
  lifeEvent: { weekly: 0.008, engagement: -1.3, wellbeing: -1.4 },
  /** Positive and neutral exits and breaks. */
  weeklyTransfer: { vocational: 0.0006, upper_secondary: 0.0004 },
  weeklyPause: 0.00035,
  /**
   * Staff contact after a visible signal. True effect: contact within 7 days multiplies the
   * hazard by `timelyMultiplier` for `effectWeeks` school weeks; later contact by `lateMultiplier`.
   */
  intervention: { contactProbability: 0.6, meanDelayDays: 6, timelyMultiplier: 0.6, lateMultiplier: 0.85, effectWeeks: 10, cooldownWeeks: 6 },
  checkIn: { everyWeeksMin: 4, everyWeeksMax: 6, response: 0.35, responseFromEngagement: 0.5 },
  surveyResponse: 0.72,
  /**
   * A kiinni-style check-in programme at study bottlenecks (off unless a start date is given):
   * at the onset of a bottleneck a student is asked the same day with `askSameDay`, a few days
   * later with `askLater` (staggered to level the staff's load), otherwise not at all (capacity
   * was full). The asking is random given the bottleneck, so "asked" and "not yet asked" are
   * comparable. True effect: an answer with a request for help is followed by contact within
   * 1–3 days and multiplies the hazard by `helpMultiplier` for `helpEffectWeeks` school weeks; an
   * answer without a request by `answeredMultiplier` for `answeredEffectWeeks`.
   */
  checkinProgramme: {
    askSameDay: 0.5,
    askLater: 0.15,
    minWeeksBetween: 4,
    response: 0.5,
    responseFromEngagement: 0.5,
    help: -1.6,
    helpMultiplier: 0.5,
    helpEffectWeeks: 12,
    answeredMultiplier: 0.85,
    answeredEffectWeeks: 8,
  },
} as const;
