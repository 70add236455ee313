/**
 * Staff roles and what each may see. This is the one table of role-based data minimisation
 * (DOMAIN.md, "Lines never to cross"); triggers, digests and reports all ask it.
 */

export const staffRoles = [
  'teacher',
  'group_supervisor',
  'guidance_counsellor',
  'special_needs_teacher',
  'social_worker',
  'psychologist',
  'nurse',
  'leadership',
  'data_coordinator',
] as const;
export type StaffRole = (typeof staffRoles)[number];

/** Student Welfare Act 1287/2013: school social workers, psychologists and nurses. */
export const welfareRoles = ['social_worker', 'psychologist', 'nurse'] as const satisfies readonly StaffRole[];

/**
 * Visibility classes of anything about one student:
 * - `ordinary`: study performance and background; any role that works with individual students.
 * - `guidance`: a student's own request for help with studies; guidance and welfare roles.
 * - `risk_score`: the raw model probability; counsellors and data coordinators only ("a raw
 *   risk number appears only for roles that need it").
 * - `welfare`: well-being and health answers and what is derived from them; welfare roles only.
 */
export const visibilityClasses = ['ordinary', 'guidance', 'risk_score', 'welfare'] as const;
export type Visibility = (typeof visibilityClasses)[number];

const whoSees: Record<Visibility, readonly StaffRole[]> = {
  ordinary: ['teacher', 'group_supervisor', 'guidance_counsellor', 'special_needs_teacher', 'social_worker', 'psychologist', 'nurse', 'data_coordinator'],
  guidance: ['guidance_counsellor', 'special_needs_teacher', 'social_worker', 'psychologist', 'nurse'],
  risk_score: ['guidance_counsellor', 'special_needs_teacher', 'data_coordinator'],
  // Student Welfare Act 1287/2013: welfare answers never reach teachers or leadership.
  welfare: welfareRoles,
};

/** The roles that may see something of this visibility class. Leadership never sees individuals. */
export function rolesThatSee(visibility: Visibility): readonly StaffRole[] {
  return whoSees[visibility];
}

/** True when a person holding `roles` may see something of class `visibility`. */
export function maySee(roles: readonly string[], visibility: Visibility): boolean {
  return roles.some((r) => (whoSees[visibility] as readonly string[]).includes(r));
}

/** True for the student-welfare roles. */
export function isWelfareRole(role: string): boolean {
  return (welfareRoles as readonly string[]).includes(role);
}

/** True for a known role identifier. */
export function isStaffRole(role: string): role is StaffRole {
  return (staffRoles as readonly string[]).includes(role);
}
