#!/usr/bin/env node
// Trains kiinni's forest or gradient-boosted trees on any table and evaluates it by stratified
// k-fold CV (or on a test file). Usage: npm run -s bench:model -- --csv FILE [--test FILE2]
//   --target COL --positive VALUE [--model forest|boosting] [--folds 5] [--trees 300] [--seed 0]
//   [--max-features sqrt] [--min-samples-leaf 1] [--exclude REGEX] [--json]
//   boosting: [--max-iter 100] [--learning-rate 0.1] [--max-leaf-nodes 31] [--l2 0]
//   [--categorical auto|none] (auto: text columns split by sets of categories)
import { Random } from '../src/core/random.js';
import { averagePrecision, boosterProba, brier, predictProba, readTabular, rocAuc, stratifiedFolds, trainBoosting, trainForest, type ForestOptions } from '../src/model/index.js';
import { args, num, report } from './lib/harness.js';

const a = args(
  'bench-model',
  {
    csv: { type: 'string' },
    test: { type: 'string' },
    target: { type: 'string' },
    positive: { type: 'string' },
    folds: { type: 'string', default: '5' },
    trees: { type: 'string', default: '300' },
    seed: { type: 'string', default: '0' },
    'max-features': { type: 'string', default: 'sqrt' },
    'min-samples-leaf': { type: 'string' },
    exclude: { type: 'string' },
    model: { type: 'string', default: 'forest' },
    'max-iter': { type: 'string', default: '100' },
    'learning-rate': { type: 'string', default: '0.1' },
    'max-leaf-nodes': { type: 'string', default: '31' },
    l2: { type: 'string', default: '0' },
    categorical: { type: 'string', default: 'auto' },
  },
  ['csv', 'target', 'positive'],
);
const csv = a.csv!;
const folds = num('folds', a.folds);
const seed = num('seed', a.seed);
const mf = a['max-features'];
const options: Partial<ForestOptions> = {
  nTrees: num('trees', a.trees),
  maxFeatures: (/^[0-9.]+$/.test(mf) ? Number(mf) : mf) as ForestOptions['maxFeatures'],
  minSamplesLeaf: num('min-samples-leaf', a['min-samples-leaf'] ?? '1'),
  seed,
  threads: 0,
};
if (a.model !== 'forest' && a.model !== 'boosting') throw new Error(`--model: forest or boosting, not ${a.model}`);
const boosting = a.model === 'boosting';

const data = await readTabular(csv, a.target!, a.positive!);
// --exclude REGEX leaves out feature columns whose names match (e.g. later-semester units).
if (a.exclude) {
  const re = new RegExp(a.exclude);
  const keep = data.featureNames.map((n, f) => (re.test(n) ? -1 : f)).filter((f) => f >= 0);
  data.columns = keep.map((f) => data.columns[f]!);
  data.featureNames = keep.map((f) => data.featureNames[f]!);
}
const mean = (xs: number[]) => xs.reduce((s, v) => s + v, 0) / xs.length;
const sd = (xs: number[]) => Math.sqrt(mean(xs.map((v) => (v - mean(xs)) ** 2)));
const take = (cols: readonly Float64Array[], rows: readonly number[]) => cols.map((c) => Float64Array.from(rows, (i) => c[i]!));
const results: { roc_auc: number; pr_auc: number; brier: number }[] = [];
let trainSeconds = 0;
const rounds: number[] = [];
const run = async (trainRows: number[], testCols: Float64Array[], testY: ArrayLike<number>) => {
  const t0 = performance.now();
  const trainY = Uint8Array.from(trainRows, (i) => data.y[i]!);
  let p: Float64Array;
  if (boosting) {
    // Text columns are categories (their codes fitted on the training file) unless --categorical none.
    const categorical = data.featureNames.map((name) => a.categorical === 'auto' && name in data.categories);
    const booster = trainBoosting(take(data.columns, trainRows), trainY, {
      maxIter: num('max-iter', a['max-iter']),
      learningRate: Number(a['learning-rate']),
      maxLeafNodes: num('max-leaf-nodes', a['max-leaf-nodes']),
      minSamplesLeaf: num('min-samples-leaf', a['min-samples-leaf'] ?? '20'),
      l2: Number(a.l2),
      categorical,
      seed,
    });
    trainSeconds += (performance.now() - t0) / 1000;
    rounds.push(booster.trees.length);
    p = boosterProba(booster, testCols);
  } else {
    const forest = await trainForest(take(data.columns, trainRows), trainY, options);
    trainSeconds += (performance.now() - t0) / 1000;
    p = predictProba(forest, testCols);
  }
  results.push({ roc_auc: rocAuc(p, testY), pr_auc: averagePrecision(p, testY), brier: brier(p, testY) });
};
const all = Array.from({ length: data.y.length }, (_, i) => i);
if (a.test) {
  // Encoded as the training file was (its columns, its categories' codes; one it never saw is missing).
  const test = await readTabular(a.test, a.target!, a.positive!, data);
  await run(all, test.columns, test.y);
} else {
  const rng = new Random(seed, 0xf01d);
  const fold = stratifiedFolds(data.y, folds, () => rng.next());
  for (let k = 0; k < folds; k++) {
    const testRows = all.filter((i) => fold[i] === k);
    await run(all.filter((i) => fold[i] !== k), take(data.columns, testRows), Uint8Array.from(testRows, (i) => data.y[i]!));
  }
}
const out = {
  rows: data.y.length,
  features: data.featureNames.length,
  positives: Array.from(data.y).reduce((x, y) => x + y, 0),
  folds: a.test ? 0 : folds,
  model: a.model,
  trees: boosting ? Math.round(mean(rounds)) : options.nTrees,
  roc_auc: +mean(results.map((r) => r.roc_auc)).toFixed(4),
  roc_auc_sd: +sd(results.map((r) => r.roc_auc)).toFixed(4),
  pr_auc: +mean(results.map((r) => r.pr_auc)).toFixed(4),
  brier: +mean(results.map((r) => r.brier)).toFixed(4),
  train_seconds: +trainSeconds.toFixed(2),
};
report(a.json, out, (o) => `${csv}: ${o.rows} rows, ${o.features} features, ${o.positives} positive; ${o.folds ? `${o.folds}-fold CV` : 'test file'}, ${o.model}, ${o.trees} trees\nROC AUC ${o.roc_auc} ± ${o.roc_auc_sd}   PR AUC ${o.pr_auc}   Brier ${o.brier}   train ${o.train_seconds} s`);
