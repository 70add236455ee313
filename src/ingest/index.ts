export { contracts, contractFor, contractKinds, isContractKind, staffRoles, needCategories, uiLanguages, type Contract, type ContractKind, type ColumnSpec, type Sensitivity } from './contracts/index.js';
export { ingestFile, type IngestResult, type IngestEffects } from './ingest-file.js';
export { ingestDirectory, ingestFiles, planDirectory, kindOfFileName } from './ingest-dir.js';
export { findProfile, listProfiles, readProfileFile, type ImportProfile } from './profiles.js';
export { listQuarantine, exportQuarantine, type QuarantineRecord, type QuarantineFilter } from './quarantine.js';
export { warehouseStatus, type WarehouseStatus } from './status.js';
export { ingestMigrations, contractTableDdl, sqlTypeOf } from './schema.js';
export { containsIdentityCode } from './identity-code.js';
export { pathHoldsIdentityCode, shownFileName, withheldFileName } from './source.js';
