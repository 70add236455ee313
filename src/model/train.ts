import path from 'node:path';
import { takeLabels, takeRows } from '../core/arrays.js';
import { noProgress, type Progress } from '../core/progress.js';
import { ErrorCode, KiinniError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { literal } from '../db/sql.js';
import type { Warehouse } from '../db/warehouse.js';
import { attendanceLagDays, featureColumns, featureMatrix, latestDataDate, loadCatalogue, panelSql, snapshotDatesSql, type FeatureSpec } from '../features/index.js';
import { fitCalibration } from './calibration.js';
import { renderCard } from './card.js';
import { calibratedProba, evaluate, highThreshold, permutationImportances, r4, type EvalRow, type Evaluation } from './evaluate.js';
import { trainForest } from './forest/forest.js';
import { trainBoosting } from './forest/boost.js';
import { learnerKind, learnerProba, type Learner } from './forest/learner.js';
import { calibrate } from './calibration.js';
import { expectedCalibrationError, logLoss, rocAuc } from './metrics.js';
import { findVersion, loadArtifact, promoteVersion, registerVersion, saveArtifact, type ModelArtifact } from './registry.js';
import { boostingGrid, loadModelSpec, type ModelSpec } from './spec.js';

export interface TrainOptions {
  /** Last day of data to use (default: the latest date in the warehouse). */
  asOf?: string | undefined;
  horizon?: number | undefined;
  /** A generator's truth/ directory: adds the best achievable ROC AUC to the card. */
  truthDir?: string | undefined;
  /** Promote if the rule allows (default true). */
  promote: boolean;
  spec?: ModelSpec;
  catalogue?: FeatureSpec[];
}

export interface TrainResult {
  version: string;
  directory: string;
  data_as_of: string;
  evaluation: Evaluation;
  promoted: boolean;
  promotion_note: string;
}

export const PANEL = '_model_panel';

/** A student's fixed place in [0, 1) (FNV-1a of the id): splits by student that do not move between runs. */
function hashShare(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return (h >>> 0) / 2 ** 32;
}

/** Panel metadata aligned with the feature matrix (both ordered by as_of, student_id). */
export async function panelMeta(db: Warehouse): Promise<Record<string, (string | null)[]>> {
  // Every column is text (a repeated value is one string: see streamColumns).
  return (await db.streamColumns(`
    SELECT p.student_id, strftime(p.as_of, '%Y-%m-%d') AS as_of, strftime(p.exit_date, '%Y-%m-%d') AS exit_date,
      coalesce(s.gender, 'unknown') AS gender, CASE WHEN s.home_language IN ('fi', 'sv') THEN s.home_language WHEN s.home_language IS NULL OR s.home_language = 'unknown' THEN 'unknown' ELSE 'other' END AS home_language,
      s.education_type, s.unit,
      CASE WHEN s.birth_year IS NULL THEN 'unknown' WHEN year(p.as_of) - s.birth_year < 18 THEN 'under 18' WHEN year(p.as_of) - s.birth_year < 20 THEN '18–19'
           WHEN year(p.as_of) - s.birth_year < 25 THEN '20–24' ELSE '25 or older' END AS age_band
    FROM ${PANEL} p JOIN students s USING (student_id) ORDER BY p.as_of, p.student_id`)) as Record<string, (string | null)[]>;
}

/** The training panel as of `asOf`: every snapshot whose outcome window is known. */
export async function buildTrainingPanel(db: Warehouse, asOf: string, horizon: number): Promise<void> {
  await db.run(panelSql(PANEL, snapshotDatesSql), { as_of: asOf, horizon });
  await db.run(`DELETE FROM ${PANEL} WHERE censored`);
}

/** Evaluation rows (student, date, label, probability, exit, groups) for panel rows `rows` with probabilities `p`. */
export function evalRowsFor(meta: Record<string, unknown[]>, label: Int32Array, rows: readonly number[], p: ArrayLike<number>): EvalRow[] {
  return rows.map((i, j) => ({
    studentId: (meta['student_id'] as string[])[i]!,
    asOf: (meta['as_of'] as string[])[i]!,
    label: label[i]!,
    p: p[j]!,
    exitDate: (meta['exit_date'] as (string | null)[])[i] ?? null,
    groups: Object.fromEntries(['gender', 'home_language', 'education_type', 'unit', 'age_band'].map((g) => [g, String((meta[g] as string[])[i])])),
  }));
}

/** True weekly hazard of each panel row from a generator's truth files (latest week on or before the date). */
export async function oracleScores(db: Warehouse, truthDir: string): Promise<Float64Array> {
  const cols = await db.columns(`
    SELECT coalesce(t.weekly_hazard, 0) AS h FROM ${PANEL} p
    ASOF LEFT JOIN (SELECT student_id, week, weekly_hazard FROM read_csv(${literal(path.join(truthDir, 'weekly_risk.csv'))}, header = true)) t
      ON p.student_id = t.student_id AND p.as_of >= t.week
    ORDER BY p.as_of, p.student_id`);
  return Float64Array.from(cols['h'] as number[]);
}

/**
 * Trains, calibrates and evaluates a model on monthly snapshots split in time, writes its
 * version directory and card, registers it, and promotes it when the rule allows.
 */
export async function trainModel(db: Warehouse, modelsDir: string, opts: TrainOptions, fx: { logger: Logger; clock: () => Date; progress?: Progress | undefined }): Promise<TrainResult> {
  const progress = fx.progress ?? noProgress;
  const spec = opts.spec ?? loadModelSpec();
  const catalogue = opts.catalogue ?? loadCatalogue();
  const asOf = opts.asOf ?? (await latestDataDate(db));
  if (!asOf) throw new KiinniError(ErrorCode.InsufficientData, 'The warehouse holds no study data yet.', "Load exports first with 'kiinni ingest'.");
  const horizon = opts.horizon ?? spec.horizon_days;
  const t0 = performance.now();
  const lag = await attendanceLagDays(db);

  await buildTrainingPanel(db, asOf, horizon);
  const lap = (step: string, since: number) =>
    fx.logger.debug({ step, ms: Math.round(performance.now() - since), rss_mb: Math.round(process.memoryUsage.rss() / 2 ** 20), peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024) }, 'train_step');
  let t = performance.now();
  const matrix = await featureMatrix(db, PANEL, catalogue, lag);
  const meta = await panelMeta(db);
  lap('features', t);
  const dates = [...new Set(meta['as_of'] as string[])].sort();
  const k = spec.split.test_snapshots + spec.split.validation_snapshots;
  if (dates.length < k + 2) {
    throw new KiinniError(ErrorCode.InsufficientData, `Only ${dates.length} snapshot dates with a known ${horizon}-day outcome up to ${asOf}; training needs at least ${k + 2}.`, 'Load more history, or shorten --horizon.');
  }
  const testDates = dates.slice(-spec.split.test_snapshots);
  const valDates = dates.slice(-k, -spec.split.test_snapshots);
  const valStart = Date.parse(valDates[0]!);
  const trainDates = dates.filter((d) => d < valDates[0]! && Date.parse(d) + horizon * 86_400_000 < valStart);
  const asOfCol = meta['as_of'] as string[];
  const label = matrix.label;
  const rowsOf = (ds: string[]) => {
    const wanted = new Set(ds);
    const rows: number[] = [];
    for (let i = 0; i < asOfCol.length; i++) if (wanted.has(asOfCol[i]!)) rows.push(i);
    return rows;
  };
  const trainRows = rowsOf(trainDates);
  const valRows = rowsOf(valDates);
  const testRows = rowsOf(testDates);
  const yOf = (rows: number[]) => takeLabels(label, rows);
  const yTrain = yOf(trainRows);
  const trainExits = yTrain.reduce((a, b) => a + b, 0);
  if (trainExits < 10) {
    throw new KiinniError(ErrorCode.InsufficientData, `Only ${trainExits} negative exits in the training snapshots (${trainDates.length} dates); a model needs at least 10.`, 'Load more history.');
  }
  fx.logger.info({ rows: trainRows.length, exits: trainExits, features: catalogue.length }, 'model_training');

  t = performance.now();
  const trainCols = featureColumns(matrix, catalogue, trainRows);
  // What the model had to do without: a missing value is information (the forest's missing bin), not zero.
  const studentOf = meta['student_id'] as string[];
  const missing = catalogue
    .map((f, j) => {
      const col = trainCols[j]!;
      const students = new Set<string>();
      let rows = 0;
      for (let r = 0; r < col.length; r++) {
        if (Number.isNaN(col[r]!)) {
          rows++;
          students.add(studentOf[trainRows[r]!]!);
        }
      }
      return { feature: f.name, rows, students: students.size };
    })
    .filter((m) => m.rows > 0)
    .sort((a, b) => b.rows - a.rows);
  // Candidates: each kind (and each point of the boosting grid) fitted on the training snapshots
  // and judged on the validation snapshots by log-loss after calibration, cross-fitted over the
  // validation students (calibration fitted on one half, measured on the other, both ways).
  const yVal = yOf(valRows);
  const valCols = featureColumns(matrix, catalogue, valRows);
  const grid = spec.candidates.includes('boosting') ? boostingGrid(spec) : [];
  const categorical = catalogue.map((f) => Boolean(f.categorical));
  progress.start('training', (spec.candidates.includes('forest') ? spec.forest.trees : 0) + grid.length * (spec.boosting?.max_iter ?? 0), 'trees');
  // The learners train while DuckDB, idle, gives back the pages it keeps cached.
  const { result: fitted, steppedDown } = await db.whileIdle(async () => {
    const fitted: { name: string; learner: Learner; seconds: number }[] = [];
    if (spec.candidates.includes('forest')) {
      const t1 = performance.now();
      const forest = await trainForest(trainCols, yTrain, {
        nTrees: spec.forest.trees,
        maxFeatures: spec.forest.max_features,
        maxDepth: spec.forest.max_depth,
        minSamplesLeaf: spec.forest.min_samples_leaf,
        classWeight: spec.forest.class_weight,
        maxSamples: Math.min(1, spec.forest.max_samples_per_tree / trainRows.length),
        seed: spec.forest.seed,
        threads: 0,
      }, () => progress.advance());
      fitted.push({ name: `forest (${spec.forest.trees} trees)`, learner: forest, seconds: (performance.now() - t1) / 1000 });
    }
    if (grid.length) {
      // Early stopping on a tenth of the training students (all their snapshots), so the
      // validation snapshots stay for calibration and the choice.
      const b = spec.boosting!;
      const held = trainRows.map((i) => hashShare(studentOf[i]!) < 0.1);
      const fitIdx = trainRows.flatMap((_, k) => (held[k] ? [] : [k]));
      const stopIdx = trainRows.flatMap((_, k) => (held[k] ? [k] : []));
      // Rows of the training columns, not copies of them (a copy was a gigabyte nationally).
      const fitY = takeLabels(yTrain, fitIdx);
      const stop = { columns: trainCols, rows: stopIdx, y: takeLabels(yTrain, stopIdx) };
      for (const c of grid) {
        const t1 = performance.now();
        let rounds = 0;
        const booster = trainBoosting({ columns: trainCols, rows: fitIdx }, fitY, {
          maxIter: b.max_iter,
          learningRate: c.learning_rate,
          maxLeafNodes: c.max_leaf_nodes,
          minSamplesLeaf: c.min_samples_leaf,
          l2: b.l2,
          colsample: b.colsample,
          subsample: Math.min(1, b.max_samples_per_tree / fitIdx.length),
          patience: b.patience,
          categorical,
          seed: b.seed,
        }, stop, () => (rounds++, progress.advance()));
        progress.advance(b.max_iter - rounds);
        fitted.push({ name: `boosting (learning rate ${c.learning_rate}, ${c.max_leaf_nodes} leaves, min ${c.min_samples_leaf} per leaf; ${booster.trees.length} trees)`, learner: booster, seconds: (performance.now() - t1) / 1000 });
      }
    }
    return fitted;
  });
  if (!steppedDown) fx.logger.debug({ step: 'candidates' }, 'warehouse_budget_kept');
  progress.finish();
  lap('candidates', t);
  t = performance.now();
  // The two halves of the validation students, the same for every candidate.
  const halfA = valRows.map((i) => hashShare(studentOf[i]!) < 0.5);
  const side = (a: boolean) => valRows.flatMap((_, k) => (halfA[k] === a ? [k] : []));
  const [a, bSide] = [side(true), side(false)];
  const judged = fitted.map((f) => {
    const p = learnerProba(f.learner, valCols);
    const crossFitted = new Float64Array(valRows.length);
    for (const [fitOn, applyTo] of [[a, bSide], [bSide, a]] as const) {
      const cal = fitCalibration(spec.calibration, takeRows(p, fitOn), takeLabels(yVal, fitOn));
      for (const k of applyTo) crossFitted[k] = calibrate(cal, p[k]!);
    }
    return { ...f, pVal: p, validation_log_loss: logLoss(crossFitted, yVal), validation_roc_auc: rocAuc(p, yVal) };
  });
  judged.sort((x, y) => x.validation_log_loss - y.validation_log_loss);
  const chosen = judged[0]!;
  const learner = chosen.learner;
  const candidates = judged.map((j) => ({ name: j.name, validation_log_loss: r4(j.validation_log_loss), validation_roc_auc: r4(j.validation_roc_auc), train_seconds: Math.round(j.seconds * 10) / 10 }));
  fx.logger.info({ chosen: chosen.name, candidates: candidates.length }, 'model_candidates');
  const pValRaw = chosen.pVal;
  const calibration = fitCalibration(spec.calibration, pValRaw, yVal);
  const testCols = featureColumns(matrix, catalogue, testRows);
  const yTest = yOf(testRows);
  const evalRows = [...valRows, ...testRows];
  const pEval = calibratedProba(learner, calibration, featureColumns(matrix, catalogue, evalRows));
  const rowObjects = evalRowsFor(meta, label, evalRows, pEval);
  const testSet = new Set(testDates);
  const testObjects = rowObjects.filter((r) => testSet.has(r.asOf));
  let oracle: number | null = null;
  if (opts.truthDir) {
    const h = await oracleScores(db, opts.truthDir);
    oracle = rocAuc(takeRows(h, testRows), yTest);
  }
  const evaluation = evaluate(testObjects, highThreshold(spec, rowObjects.map((r) => r.p)), {
    importances: permutationImportances(learner, testCols, yTest, catalogue.map((f) => f.name), spec.forest.seed),
    oracle,
  });
  lap('evaluate', t);
  // Lead time uses validation and test snapshots: an exit is seen from its first high score.
  evaluation.lead_time = evaluate(rowObjects, highThreshold(spec, rowObjects.map((r) => r.p)), { importances: [], oracle: null }).lead_time;
  const pValCal = rowObjects.filter((r) => !testSet.has(r.asOf));

  const now = fx.clock();
  const version = `m${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, '').replace('T', '-')}`;
  const artifact: ModelArtifact = {
    version,
    created_at: now.toISOString().replace(/\.\d+Z$/, ''),
    data_as_of: asOf,
    horizon_days: horizon,
    attendance_lag_days: lag,
    spec,
    features: catalogue,
    calibration,
    split: {
      train: trainDates,
      validation: valDates,
      test: testDates,
      train_rows: trainRows.length,
      train_exits: trainExits,
      validation_rows: valRows.length,
      validation_exits: yVal.reduce((a, b) => a + b, 0),
    },
    training_seconds: Math.round((performance.now() - t0) / 100) / 10,
    validation: {
      roc_auc: Math.round(rocAuc(pValCal.map((r) => r.p), pValCal.map((r) => r.label)) * 10000) / 10000,
      ece: Math.round(expectedCalibrationError(pValCal.map((r) => r.p), pValCal.map((r) => r.label)) * 10000) / 10000,
    },
    missing,
    learner: learnerKind(chosen.learner),
    candidates,
    evaluation,
  };
  const directory = saveArtifact(modelsDir, artifact, learner, renderCard(artifact));
  await registerVersion(db, artifact, directory);

  // Promotion: compare with the current model on this model's test snapshots.
  let promoted = false;
  let note: string;
  const current = await findVersion(db).catch(() => undefined);
  if (!current) {
    note = 'first model';
    promoted = opts.promote;
  } else {
    const cur = loadArtifact(current.directory);
    // The same features on the same panel are the same test columns: computed once (the matrix nationally 3 minutes).
    const same = cur.artifact.attendance_lag_days === lag && JSON.stringify(cur.artifact.features) === JSON.stringify(catalogue);
    const curTestCols = same ? testCols : featureColumns(await featureMatrix(db, PANEL, cur.artifact.features, cur.artifact.attendance_lag_days), cur.artifact.features, testRows);
    const pCur = calibratedProba(cur.learner, cur.artifact.calibration, curTestCols);
    const curAuc = rocAuc(pCur, yTest);
    const curEce = expectedCalibrationError(pCur, yTest);
    const ok = evaluation.roc_auc >= curAuc - spec.promotion.max_auc_drop && evaluation.ece <= curEce + spec.promotion.max_ece_rise;
    note = `on ${testDates.join(', ')}: ROC AUC ${evaluation.roc_auc.toFixed(3)} vs ${curAuc.toFixed(3)} (${current.version}), ECE ${evaluation.ece.toFixed(3)} vs ${curEce.toFixed(3)}${ok ? '' : ': not promoted, worse beyond tolerance'}`;
    promoted = ok && opts.promote;
  }
  if (!opts.promote) note += ' (--no-promote: registered as a candidate)';
  if (promoted) await promoteVersion(db, version, note, now);
  await db.run(`DROP TABLE IF EXISTS ${PANEL}`);
  fx.logger.info({ version, roc_auc: evaluation.roc_auc, ece: evaluation.ece, promoted }, 'model_trained');
  return { version, directory, data_as_of: asOf, evaluation, promoted, promotion_note: note };
}
