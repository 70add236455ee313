export { trainModel, type TrainOptions, type TrainResult } from './train.js';
export { scoreStudents, topScores, type ScoreSummary, type RiskReason, type Band } from './score.js';
export { listVersions, findVersion, hasCurrentModel, loadArtifact, promoteVersion, type ModelArtifact, type ModelVersionRow } from './registry.js';
export { evaluate, calibratedProba, type Evaluation } from './evaluate.js';
export { loadModelSpec, type ModelSpec } from './spec.js';
export { modelMigrations } from './schema.js';
export { trainForest, predictProba, contributions, serializeForest, deserializeForest, type Forest, type ForestOptions } from './forest/forest.js';
export { evaluateVersion } from './evaluate-version.js';
export { reasonSentences, parseReasons, visibleRisk } from './reasons.js';
