export { subjectAccess, subjectAccessHtml, studentTables, type SubjectAccessExport } from './subject-access.js';
export { applyRetention, type RetentionOptions, type RetentionSummary } from './retention.js';
