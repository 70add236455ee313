import type { Contract } from './types.js';
import { codePattern, needCategories } from './enums.js';

/**
 * Well-being survey and check-in answers. Every answer column is welfare data (Student Welfare
 * Act 1287/2013): only welfare roles may ever see it.
 */
export const wellbeing: Contract = {
  kind: 'wellbeing',
  title: 'Well-being answers',
  description: 'Answers to the provider’s well-being survey and to check-ins (e.g. an SMS bot).',
  key: ['student_id', 'answered_at', 'source', 'item'],
  columns: [
    { name: 'student_id', type: 'string', required: true, sensitivity: 'ordinary', references: { kind: 'students', column: 'student_id' }, description: 'Student who answered.' },
    { name: 'answered_at', type: 'timestamp', required: true, sensitivity: 'ordinary', description: 'When the answer was given.' },
    { name: 'source', type: 'string', required: true, sensitivity: 'ordinary', values: ['survey', 'check-in'], description: 'survey or check-in.' },
    { name: 'item', type: 'string', required: true, sensitivity: 'welfare', pattern: codePattern, description: 'Question asked: mood, sleep, stress, loneliness, study_motivation, health, finances, housing, …' },
    { name: 'value', type: 'integer', required: false, sensitivity: 'welfare', min: 1, max: 5, description: 'Likert answer 1–5 (5 = best).' },
    { name: 'need_help', type: 'boolean', required: false, sensitivity: 'welfare', description: 'The student asked to be contacted.' },
    { name: 'need_category', type: 'string', required: false, sensitivity: 'welfare', values: needCategories, description: 'What the help is about: studies, wellbeing, health or life_situation.' },
  ],
  rules: [{ column: 'value', predicate: 'value IS NOT NULL OR need_help IS NOT NULL', reason: 'an answer needs a value or need_help' }],
};
