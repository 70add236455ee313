import { attendanceLagDays, featureColumns, featureMatrix } from '../features/index.js';
import { takeLabels, takeRows } from '../core/arrays.js';
import type { Warehouse } from '../db/warehouse.js';
import { calibratedProba, evaluate, highThreshold, permutationImportances, type Evaluation } from './evaluate.js';
import { rocAuc } from './metrics.js';
import { findVersion, loadArtifact } from './registry.js';
import { buildTrainingPanel, evalRowsFor, oracleScores, PANEL, panelMeta } from './train.js';

/**
 * Re-evaluates a stored model version on its own test snapshots, recomputed from the warehouse
 * (so the figures are checked, not just read back). With a generator's truth directory, adds the
 * best achievable ROC AUC on the same students and dates.
 */
export async function evaluateVersion(db: Warehouse, version: string | undefined, truthDir: string | undefined): Promise<{ version: string } & Evaluation> {
  const row = await findVersion(db, version);
  const { artifact, learner } = loadArtifact(row.directory);
  const lag = artifact.attendance_lag_days ?? (await attendanceLagDays(db));
  await buildTrainingPanel(db, artifact.data_as_of, artifact.horizon_days);
  try {
    const matrix = await featureMatrix(db, PANEL, artifact.features, lag);
    const meta = await panelMeta(db);
    const asOf = meta['as_of'] as string[];
    const label = matrix.label;
    const evalDates = new Set([...artifact.split.validation, ...artifact.split.test]);
    const testDates = new Set(artifact.split.test);
    const evalRows = asOf.flatMap((d, i) => (evalDates.has(d) ? [i] : []));
    const testRows = evalRows.filter((i) => testDates.has(asOf[i]!));
    const p = calibratedProba(learner, artifact.calibration, featureColumns(matrix, artifact.features, evalRows));
    const rows = evalRowsFor(meta, label, evalRows, p);
    const yTest = takeLabels(label, testRows);
    const oracle = truthDir ? rocAuc(takeRows(await oracleScores(db, truthDir), testRows), yTest) : null;
    const evaluation = evaluate(rows.filter((r) => testDates.has(r.asOf)), highThreshold(artifact.spec, rows.map((r) => r.p)), {
      importances: permutationImportances(learner, featureColumns(matrix, artifact.features, testRows), yTest, artifact.features.map((f) => f.name), artifact.spec.forest.seed),
      oracle,
    });
    evaluation.lead_time = evaluate(rows, highThreshold(artifact.spec, rows.map((r) => r.p)), { importances: [], oracle: null }).lead_time;
    return { version: artifact.version, ...evaluation };
  } finally {
    await db.run(`DROP TABLE IF EXISTS ${PANEL}`);
  }
}
