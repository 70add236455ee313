import type { Contract } from './types.js';
import { idPattern } from './enums.js';

/**
 * Background data (taustadata): one row per student and study right. Fields no national source
 * holds (admission route, first choice, prior support, gender, home language, group, planned end)
 * may be empty or `unknown`; features treat them as missing, not as zero.
 */
export const students: Contract = {
  kind: 'students',
  title: 'Students (taustadata)',
  description: 'Background data known at the start of studies, one row per student.',
  key: ['student_id'],
  columns: [
    { name: 'student_id', type: 'string', required: true, sensitivity: 'ordinary', pattern: idPattern, description: "The provider's pseudonymous student id; never a personal identity code." },
    { name: 'unit', type: 'string', required: true, sensitivity: 'ordinary', maxLength: 100, description: 'Unit (toimipiste) the student studies at.' },
    { name: 'programme', type: 'string', required: true, sensitivity: 'ordinary', maxLength: 100, description: 'Qualification or lukio line.' },
    { name: 'education_type', type: 'string', required: true, sensitivity: 'ordinary', values: ['vocational', 'upper_secondary'], description: 'Vocational (ammatillinen) or general upper secondary (lukio).' },
    { name: 'group', type: 'string', required: false, sensitivity: 'ordinary', maxLength: 100, description: 'Teaching or home group (ryhmä) with its group supervisor.' },
    { name: 'study_right_start', type: 'date', required: true, sensitivity: 'ordinary', description: 'Start of the study right.' },
    { name: 'planned_end', type: 'date', unknownAllowed: true, planned: true, required: false, sensitivity: 'ordinary', description: 'Planned end of studies (graduation).' },
    { name: 'birth_year', type: 'integer', unknownAllowed: true, required: false, sensitivity: 'ordinary', min: 1900, max: 2020, description: 'Year of birth (never the full date).' },
    { name: 'gender', type: 'string', required: false, sensitivity: 'ordinary', values: ['female', 'male', 'other', 'unknown'], description: 'Gender as registered.' },
    { name: 'home_language', type: 'string', required: false, sensitivity: 'ordinary', pattern: { regex: '^([a-z]{2}|unknown)$', description: 'an ISO 639-1 code like fi, sv or so, or unknown' }, description: 'Home language, ISO 639-1.' },
    { name: 'admission_route', type: 'string', required: false, sensitivity: 'ordinary', values: ['joint', 'continuous', 'unknown'], description: 'Joint application (yhteishaku) or continuous application (jatkuva haku).' },
    { name: 'first_choice', type: 'boolean', unknownAllowed: true, required: false, sensitivity: 'ordinary', description: 'Whether this was the applicant’s first choice.' },
    { name: 'prior_gpa', type: 'decimal', unknownAllowed: true, required: false, sensitivity: 'ordinary', min: 4, max: 10, description: 'Basic-education grade average, 4–10.' },
    { name: 'prior_special_support', type: 'string', required: false, sensitivity: 'ordinary', values: ['none', 'intensified', 'special', 'unknown'], description: 'Support in basic education: none, intensified (tehostettu) or special (erityinen).' },
    { name: 'prior_interruptions', type: 'integer', unknownAllowed: true, required: false, sensitivity: 'ordinary', min: 0, max: 20, description: 'Earlier interrupted upper-secondary study rights.' },
    { name: 'lives_independently', type: 'boolean', unknownAllowed: true, required: false, sensitivity: 'ordinary', description: 'Lives away from guardians.' },
    { name: 'given_name', type: 'string', required: false, sensitivity: 'ordinary', maxLength: 100, description: 'Optional name shown to the student’s own staff in digests; never logged or reported.' },
    { name: 'family_name', type: 'string', required: false, sensitivity: 'ordinary', maxLength: 100, description: 'Optional family name, as given_name.' },
    { name: 'person_key', type: 'string', required: false, sensitivity: 'ordinary', pattern: idPattern, description: "Links one person's study rights (a keyed pseudonym made at the edge, e.g. by 'kiinni ingest koski'); never an identity code or OID." },
  ],
  // Background no national register holds may be unknown: an empty or `unknown` value never
  // replaces a known one already in the warehouse (a KOSKI export and a register export of
  // groups fill a student together).
  keepKnown: true,
  rules: [{ column: 'planned_end', predicate: 'planned_end >= study_right_start', reason: 'planned_end must not be before study_right_start' }],
};
