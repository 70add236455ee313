import type { Contract } from './types.js';

/** Attendance per student and day (or week, dated by its Monday). */
export const attendance: Contract = {
  kind: 'attendance',
  title: 'Attendance',
  description: 'Lessons scheduled and absences per student and day (or week).',
  key: ['student_id', 'date'],
  columns: [
    { name: 'student_id', type: 'string', required: true, sensitivity: 'ordinary', references: { kind: 'students', column: 'student_id' }, description: 'Student.' },
    { name: 'date', type: 'date', required: true, sensitivity: 'ordinary', description: 'Day, or the Monday of a week for weekly exports.' },
    { name: 'lessons_scheduled', type: 'integer', required: true, sensitivity: 'ordinary', min: 0, max: 100, description: 'Lessons the student was scheduled for.' },
    { name: 'absent_excused', type: 'integer', required: true, sensitivity: 'ordinary', min: 0, max: 100, description: 'Lessons missed with an accepted reason.' },
    { name: 'absent_unexcused', type: 'integer', required: true, sensitivity: 'ordinary', min: 0, max: 100, description: 'Lessons missed without an accepted reason.' },
    { name: 'late', type: 'integer', required: false, sensitivity: 'ordinary', min: 0, max: 100, description: 'Lessons the student arrived late to.' },
  ],
  rules: [
    {
      column: 'absent_unexcused',
      predicate: 'absent_excused + absent_unexcused <= lessons_scheduled',
      reason: 'absences (excused + unexcused) exceed lessons_scheduled',
    },
  ],
};
