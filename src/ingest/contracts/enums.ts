/** Canonical values shared by several contracts (DOMAIN.md, "Canonical values"). */

export { staffRoles } from '../../core/roles.js';

export { studyRightEvents, courseStatuses, needCategories, languages as uiLanguages } from '../../core/vocabulary.js';

/** A snake_case code such as `study_motivation`. */
export const codePattern = { regex: '^[a-z][a-z0-9_]{0,63}$', description: 'a lower-case code like study_motivation' };
/** A provider's pseudonymous identifier. */
export const idPattern = { regex: '^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$', description: 'an identifier of letters, digits, _ . : - (at most 64)' };
