import type { Contract } from './types.js';
import { staffRoles } from './enums.js';

/** Who is responsible for which student (or whole group) in which role, over a period. */
export const assignments: Contract = {
  kind: 'assignments',
  title: 'Assignments',
  description: 'Responsibility of a staff member for a student or a group in a role, from valid_from to valid_to.',
  key: ['staff_id', 'role', 'student_id', 'group', 'valid_from'],
  columns: [
    { name: 'staff_id', type: 'string', required: true, sensitivity: 'ordinary', references: { kind: 'staff', column: 'staff_id' }, description: 'Staff member.' },
    { name: 'role', type: 'string', required: true, sensitivity: 'ordinary', values: staffRoles, description: 'Role in which they are responsible.' },
    { name: 'student_id', type: 'string', required: false, sensitivity: 'ordinary', references: { kind: 'students', column: 'student_id' }, description: 'One student (or leave empty and give group).' },
    { name: 'group', type: 'string', required: false, sensitivity: 'ordinary', maxLength: 100, description: 'A whole group (or leave empty and give student_id).' },
    { name: 'valid_from', type: 'date', required: true, sensitivity: 'ordinary', description: 'First day of responsibility.' },
    { name: 'valid_to', type: 'date', planned: true, required: false, sensitivity: 'ordinary', description: 'Last day (empty: still valid).' },
  ],
  rules: [
    { column: 'student_id', predicate: '(student_id IS NULL) <> ("group" IS NULL)', reason: 'give exactly one of student_id and group' },
    { column: 'valid_to', predicate: 'valid_to IS NULL OR valid_to >= valid_from', reason: 'valid_to must not be before valid_from' },
  ],
};
