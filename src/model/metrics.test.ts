import { describe, expect, it } from 'vitest';
import { atCapacity, averagePrecision, brier, calibrationTable, expectedCalibrationError, rocAuc, stratifiedFolds } from './metrics.js';

describe('metrics', () => {
  // Values from scikit-learn 1.2: roc_auc_score([0,0,1,1],[.1,.4,.35,.8]) = 0.75,
  // average_precision_score(same) = 0.8333…
  it('ROC AUC and average precision match scikit-learn on its documented example', () => {
    expect(rocAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBeCloseTo(0.75, 10);
    expect(averagePrecision([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBeCloseTo(0.8333333333, 8);
  });

  it('counts ties as one half in ROC AUC', () => {
    expect(rocAuc([0.5, 0.5, 0.5, 0.5], [0, 1, 0, 1])).toBe(0.5);
    expect(rocAuc([0.2, 0.9], [0, 1])).toBe(1);
  });

  it('Brier score, calibration table and ECE by hand', () => {
    expect(brier([0.2, 0.9], [0, 1])).toBeCloseTo((0.04 + 0.01) / 2, 12);
    const t = calibrationTable([0.05, 0.05, 0.95, 0.95], [0, 1, 1, 1], 10);
    expect(t[0]).toMatchObject({ n: 2, predicted: 0.05, observed: 0.5 });
    expect(t[9]).toMatchObject({ n: 2, predicted: 0.95, observed: 1 });
    expect(expectedCalibrationError([0.05, 0.05, 0.95, 0.95], [0, 1, 1, 1], 10)).toBeCloseTo(0.5 * 0.45 + 0.5 * 0.05, 12);
  });

  it('precision and recall at staff capacity', () => {
    expect(atCapacity([0.9, 0.8, 0.1, 0.7, 0.2], [1, 0, 0, 1, 1], 0.4)).toEqual({ flagged: 2, precision: 0.5, recall: 1 / 3 });
  });

  it('stratified folds keep the class balance', () => {
    const y = Array.from({ length: 100 }, (_, i) => (i < 30 ? 1 : 0));
    let s = 1;
    const fold = stratifiedFolds(y, 5, () => ((s = (s * 16807) % 2147483647) / 2147483647));
    for (let k = 0; k < 5; k++) expect(y.filter((v, i) => v === 1 && fold[i] === k)).toHaveLength(6);
  });
});
