export { loadPipelines, planRun, runLogFile, runPipeline, stepNames, type PipelineDefinition, type RunEffects, type RunOptions, type RunSummary, type StepResult } from './run.js';
export { listRuns, pipelineMigrations, type RunRow, type StepRow } from './run-log.js';
export { loadInbox, scanInbox, waitingFiles, type InboxSummary } from './inbox.js';
