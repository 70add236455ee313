export { buildWorkspace, type WorkspaceOptions } from './app.js';
export { webMigrations } from './schema.js';
export { webSecret, createSignInToken, digestSignInLinks } from './auth.js';
export { listAudit, recordAudit, type AuditRow } from './audit.js';
