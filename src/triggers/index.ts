export { loadRules, parseRuleFile, renderMessage, shippedRulesDir, languages, type TriggerRule, type Language } from './rules.js';
export { facts, factByName, factsRead, factsVisibleTo, predicateShapeProblem, predicateBindProblem, studentFactsSql, triggerFamilies, type Fact, type TriggerFamily } from './facts.js';
export { runTriggers, lastTriggerRun, type TriggerRunSummary } from './run.js';
export {
  listTriggers, liveRoutedTriggers, liveRoutedList, storedTrigger, showTrigger, acknowledgeTrigger, resolveTrigger, addIntervention, listInterventions, resolveViewer,
  triggerStatuses, resolutionOutcomes, handOverRoles, handOverTrigger, takeTrigger, othersOnStudent, type ListOptions, type NewIntervention, type ResolutionOutcome,
} from './lifecycle.js';
export { viewTrigger, listTrigger, type TriggerSummary, type TriggerListRow, viewIntervention, coordinatorViewer, type Viewer, type TriggerView, type StoredTrigger, type StoredIntervention, type ViewContext } from './visibility.js';
export { triggerMigrations } from './schema.js';
export { addNote, cleanNote, notesFor, noteMaxLength, type SupportNote } from './notes.js';
