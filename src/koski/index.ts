export { ingestKoski, type KoskiIngestResult, type KoskiOptions } from './ingest.js';
export { mapDocument, emptyCounts, followedTypes, type KoskiCounts } from './map.js';
export { pseudonymiser, type Pseudonymiser } from './pseudonym.js';
export { koskiDocuments } from './read.js';
