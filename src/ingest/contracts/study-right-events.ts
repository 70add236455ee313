import type { Contract } from './types.js';
import { studyRightEvents } from './enums.js';

/** Study-right events: they define outcomes (negative exit, transfer, graduation). */
export const studyRightEventsContract: Contract = {
  kind: 'study_right_events',
  title: 'Study-right events',
  description: 'Changes of a study right (KOSKI states map onto these). Outcomes are defined from them.',
  key: ['student_id', 'date', 'event'],
  columns: [
    { name: 'student_id', type: 'string', required: true, sensitivity: 'ordinary', references: { kind: 'students', column: 'student_id' }, description: 'Student the event belongs to.' },
    { name: 'date', type: 'date', required: true, sensitivity: 'ordinary', description: 'Date the event took effect.' },
    { name: 'event', type: 'string', required: true, sensitivity: 'ordinary', values: studyRightEvents, description: 'What happened to the study right.' },
    { name: 'reason', type: 'string', required: false, sensitivity: 'ordinary', maxLength: 200, description: 'Reason code from the register; never a free-text diagnosis.' },
  ],
};
