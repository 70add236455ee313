export { loadCatalogue, catalogueFile, type FeatureSpec, type Language } from './catalogue.js';
export { panelSql, scoringPanelSql, snapshotDatesSql, latestDataDate, resolveAsOf, attendanceLagDays, negativeExits, exitEvents } from './panel.js';
export { featureMatrix, featureColumns, featureSql, type FeatureMatrix } from './matrix.js';
