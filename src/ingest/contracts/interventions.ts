import type { Contract } from './types.js';
import { codePattern, idPattern, staffRoles } from './enums.js';

/** Support given to a student, and the trigger it answers. */
export const interventions: Contract = {
  kind: 'interventions',
  title: 'Interventions',
  description: 'Support given: to whom, by whom and in which role, when, individual or group, and which trigger it answers.',
  key: ['intervention_id'],
  columns: [
    { name: 'intervention_id', type: 'string', required: true, sensitivity: 'ordinary', pattern: idPattern, description: 'Identifier of the record.' },
    { name: 'student_id', type: 'string', required: true, sensitivity: 'ordinary', references: { kind: 'students', column: 'student_id' }, description: 'Student supported.' },
    { name: 'staff_id', type: 'string', required: true, sensitivity: 'ordinary', references: { kind: 'staff', column: 'staff_id' }, description: 'Who gave the support.' },
    { name: 'role', type: 'string', required: true, sensitivity: 'ordinary', values: staffRoles, description: 'Role in which it was given; support by welfare roles is visible to welfare roles only.' },
    { name: 'date', type: 'date', required: true, sensitivity: 'ordinary', description: 'When.' },
    { name: 'type', type: 'string', required: true, sensitivity: 'ordinary', pattern: codePattern, description: 'Kind of support: contact, meeting, study_plan_revision, support_group, referral, …' },
    { name: 'scope', type: 'string', required: true, sensitivity: 'ordinary', values: ['individual', 'group'], description: 'Individual or group-level support.' },
    { name: 'trigger_id', type: 'string', required: false, sensitivity: 'ordinary', maxLength: 100, description: 'The trigger (heräte) this answers, if any.' },
  ],
};
