import { mean, medianSorted } from 'simple-statistics';
import { takeLabels, takeRows } from '../core/arrays.js';
import { Random } from '../core/random.js';
import { learnerProba, type Learner } from './forest/learner.js';
import { calibrate, type Calibration } from './calibration.js';
import type { ModelSpec } from './spec.js';
import { atCapacity, averagePrecision, brier, calibrationDeciles, calibrationTable, expectedCalibrationError, rocAuc } from './metrics.js';

/** One evaluated row: a student on a snapshot date. */
export interface EvalRow {
  studentId: string;
  asOf: string;
  label: number;
  /** Calibrated probability. */
  p: number;
  exitDate: string | null;
  groups: Record<string, string>;
}

/** Per-group error rates: a risk score must not become a label that is wrong more often for some. */
export interface GroupFigures {
  value: string;
  n: number;
  exits: number;
  roc_auc: number | null;
  false_positive_rate: number;
  mean_predicted: number;
  observed_rate: number;
}

/** Everything `kiinni model evaluate --json` prints (stable field names). */
export interface Evaluation {
  rows: number;
  exits: number;
  snapshots: string[];
  roc_auc: number;
  pr_auc: number;
  brier: number;
  ece: number;
  calibration: { from: number; to: number; n: number; predicted: number; observed: number }[];
  /** The same by risk decile (ten equal-sized groups), as the leadership report shows it. */
  calibration_deciles: { decile: number; n: number; predicted: number; observed: number }[];
  capacity: { top_5_percent: { flagged: number; precision: number; recall: number }; top_10_percent: { flagged: number; precision: number; recall: number } };
  lead_time: { exits: number; flagged_before_exit: number; median_days: number | null; share_flagged_30_days_before: number | null };
  groups: Record<string, GroupFigures[]>;
  importances: { feature: string; auc_drop: number }[];
  oracle_roc_auc: number | null;
}

/** Rounded to four decimals, as model figures are stored and shown. */
export const r4 = (x: number) => (Number.isFinite(x) ? Math.round(x * 10000) / 10000 : x);

/** Group figures for one dimension (gender, home language, …); `high` is the band threshold. */
function groupFigures(rows: readonly EvalRow[], dimension: string, high: number): GroupFigures[] {
  const byValue = new Map<string, EvalRow[]>();
  for (const r of rows) {
    const v = r.groups[dimension] ?? 'unknown';
    if (!byValue.has(v)) byValue.set(v, []);
    byValue.get(v)!.push(r);
  }
  return [...byValue.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([value, rs]) => {
      const p = rs.map((r) => r.p);
      const y = rs.map((r) => r.label);
      const exits = y.reduce((a, b) => a + b, 0);
      const negatives = rs.filter((r) => !r.label);
      return {
        value,
        n: rs.length,
        exits,
        roc_auc: exits > 0 && exits < rs.length ? r4(rocAuc(p, y)) : null,
        false_positive_rate: r4(negatives.length ? negatives.filter((r) => r.p >= high).length / negatives.length : 0),
        mean_predicted: r4(mean(p)),
        observed_rate: r4(exits / rs.length),
      };
    });
}

/**
 * Lead time: for each student who left negatively, the days between the first snapshot that
 * put them in the high band and their exit.
 */
function leadTime(rows: readonly EvalRow[], high: number): Evaluation['lead_time'] {
  const firstHigh = new Map<string, { asOf: string; exit: string }>();
  const exiting = new Set<string>();
  for (const r of rows) {
    if (!r.label || !r.exitDate) continue;
    exiting.add(r.studentId);
    if (r.p >= high) {
      const prev = firstHigh.get(r.studentId);
      if (!prev || r.asOf < prev.asOf) firstHigh.set(r.studentId, { asOf: r.asOf, exit: r.exitDate });
    }
  }
  const days = [...firstHigh.values()].map((v) => (Date.parse(v.exit) - Date.parse(v.asOf)) / 86_400_000).sort((a, b) => a - b);
  const median = days.length ? medianSorted(days) : null;
  return {
    exits: exiting.size,
    flagged_before_exit: days.length,
    median_days: median,
    share_flagged_30_days_before: exiting.size ? r4(days.filter((d) => d >= 30).length / exiting.size) : null,
  };
}

/** Drop in ROC AUC when one feature's values are shuffled (on at most `maxRows` rows). */
export function permutationImportances(forest: Learner, columns: Float64Array[], y: Uint8Array, names: readonly string[], seed: number, maxRows = 5_000): { feature: string; auc_drop: number }[] {
  const rng = new Random(seed, 0x1a9);
  let rows = Array.from({ length: y.length }, (_, i) => i);
  if (rows.length > maxRows) {
    for (let i = rows.length - 1; i > 0; i--) {
      const j = Math.floor(rng.next() * (i + 1));
      [rows[i], rows[j]] = [rows[j]!, rows[i]!];
    }
    rows = rows.slice(0, maxRows);
  }
  const cols = columns.map((c) => takeRows(c, rows));
  const ys = takeLabels(y, rows);
  const base = rocAuc(learnerProba(forest, cols), ys);
  return names
    .map((feature, f) => {
      const saved = cols[f]!;
      const shuffled = Float64Array.from(saved);
      for (let i = shuffled.length - 1; i > 0; i--) {
        const j = Math.floor(rng.next() * (i + 1));
        const t = shuffled[i]!;
        shuffled[i] = shuffled[j]!;
        shuffled[j] = t;
      }
      cols[f] = shuffled;
      const auc = rocAuc(learnerProba(forest, cols), ys);
      cols[f] = saved;
      return { feature, auc_drop: r4(base - auc) };
    })
    .sort((a, b) => b.auc_drop - a.auc_drop);
}

/** Evaluates calibrated probabilities on held-out rows. */
export function evaluate(rows: readonly EvalRow[], high: number, extra: { importances: Evaluation['importances']; oracle: number | null }): Evaluation {
  const p = rows.map((r) => r.p);
  const y = rows.map((r) => r.label);
  const dims = Object.keys(rows[0]?.groups ?? {});
  return {
    rows: rows.length,
    exits: y.reduce((a, b) => a + b, 0),
    snapshots: [...new Set(rows.map((r) => r.asOf))].sort(),
    roc_auc: r4(rocAuc(p, y)),
    pr_auc: r4(averagePrecision(p, y)),
    brier: r4(brier(p, y)),
    ece: r4(expectedCalibrationError(p, y)),
    calibration: calibrationTable(p, y).map((b) => ({ ...b, predicted: r4(b.predicted), observed: r4(b.observed) })),
    calibration_deciles: calibrationDeciles(p, y).map((b) => ({ ...b, predicted: r4(b.predicted), observed: r4(b.observed) })),
    capacity: { top_5_percent: atCapacity(p, y, 0.05), top_10_percent: atCapacity(p, y, 0.1) },
    lead_time: leadTime(rows, high),
    groups: Object.fromEntries(dims.map((d) => [d, groupFigures(rows, d, high)])),
    importances: extra.importances,
    oracle_roc_auc: extra.oracle === null ? null : r4(extra.oracle),
  };
}

/**
 * The probability from which a student is in the high band: the spec's threshold, or with
 * capacity bands the (1 − high_share) quantile of the probabilities being evaluated.
 */
export function highThreshold(spec: ModelSpec, p: readonly number[]): number {
  if (spec.bands.mode === 'probability' || p.length === 0) return spec.bands.high;
  const sorted = [...p].sort((a, b) => b - a);
  return sorted[Math.max(0, Math.ceil(spec.bands.high_share * sorted.length) - 1)]!;
}

/** Calibrated probabilities of a model for given columns. */
export function calibratedProba(forest: Learner, calibration: Calibration, columns: Float64Array[]): Float64Array {
  const raw = learnerProba(forest, columns);
  for (let i = 0; i < raw.length; i++) raw[i] = calibrate(calibration, raw[i]!);
  return raw;
}
