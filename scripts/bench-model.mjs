#!/usr/bin/env node
// Trains kiinni's forest on any table and evaluates it by stratified k-fold CV (or on a test
// file). Usage: npm run -s bench:model -- --csv FILE [--test FILE2] --target COL --positive VALUE
//   [--folds 5] [--trees 300] [--seed 0] [--max-features sqrt] [--min-samples-leaf 1] [--exclude REGEX] [--json]
import { Random } from '../dist/core/random.js';
import { predictProba, trainForest } from '../dist/model/forest/forest.js';
import { averagePrecision, brier, rocAuc, stratifiedFolds } from '../dist/model/metrics.js';
import { readTabular } from '../dist/model/tabular.js';

const argv = process.argv.slice(2);
const arg = (name, dflt) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : dflt;
};
const csv = arg('--csv');
const target = arg('--target');
const positive = arg('--positive');
if (!csv || !target || positive === undefined) {
  process.stderr.write('usage: bench-model --csv FILE [--test FILE2] --target COL --positive VALUE [--folds 5] [--trees 300] [--seed 0] [--json]\n');
  process.exit(2);
}
const folds = Number(arg('--folds', '5'));
const seed = Number(arg('--seed', '0'));
const mf = arg('--max-features', 'sqrt');
const options = {
  nTrees: Number(arg('--trees', '300')),
  maxFeatures: /^[0-9.]+$/.test(mf) ? Number(mf) : mf,
  minSamplesLeaf: Number(arg('--min-samples-leaf', '1')),
  seed,
  threads: 0,
};

const data = await readTabular(csv, target, positive);
// --exclude REGEX leaves out feature columns whose names match (e.g. later-semester units).
if (arg('--exclude')) {
  const re = new RegExp(arg('--exclude'));
  const keep = data.featureNames.map((n, f) => (re.test(n) ? -1 : f)).filter((f) => f >= 0);
  data.columns = keep.map((f) => data.columns[f]);
  data.featureNames = keep.map((f) => data.featureNames[f]);
}
const mean = (a) => a.reduce((s, v) => s + v, 0) / a.length;
const sd = (a) => Math.sqrt(mean(a.map((v) => (v - mean(a)) ** 2)));
const take = (cols, rows) => cols.map((c) => Float64Array.from(rows, (i) => c[i]));
const results = [];
let trainSeconds = 0;
const run = async (trainRows, testCols, testY) => {
  const t0 = performance.now();
  const forest = await trainForest(take(data.columns, trainRows), Uint8Array.from(trainRows, (i) => data.y[i]), options);
  trainSeconds += (performance.now() - t0) / 1000;
  const p = predictProba(forest, testCols);
  results.push({ roc_auc: rocAuc(p, testY), pr_auc: averagePrecision(p, testY), brier: brier(p, testY) });
};
const all = Array.from({ length: data.y.length }, (_, i) => i);
if (arg('--test')) {
  const test = await readTabular(arg('--test'), target, positive);
  await run(all, test.columns, test.y);
} else {
  const rng = new Random(seed, 0xf01d);
  const fold = stratifiedFolds(data.y, folds, () => rng.next());
  for (let k = 0; k < folds; k++) {
    const testRows = all.filter((i) => fold[i] === k);
    await run(all.filter((i) => fold[i] !== k), take(data.columns, testRows), Uint8Array.from(testRows, (i) => data.y[i]));
  }
}
const out = {
  rows: data.y.length,
  features: data.featureNames.length,
  positives: data.y.reduce((a, b) => a + b, 0),
  folds: arg('--test') ? 0 : folds,
  trees: options.nTrees,
  roc_auc: +mean(results.map((r) => r.roc_auc)).toFixed(4),
  roc_auc_sd: +sd(results.map((r) => r.roc_auc)).toFixed(4),
  pr_auc: +mean(results.map((r) => r.pr_auc)).toFixed(4),
  brier: +mean(results.map((r) => r.brier)).toFixed(4),
  train_seconds: +trainSeconds.toFixed(2),
};
if (argv.includes('--json')) process.stdout.write(JSON.stringify(out) + '\n');
else console.log(`${csv}: ${out.rows} rows, ${out.features} features, ${out.positives} positive; ${out.folds ? `${out.folds}-fold CV` : 'test file'}, ${out.trees} trees\nROC AUC ${out.roc_auc} ± ${out.roc_auc_sd}   PR AUC ${out.pr_auc}   Brier ${out.brier}   train ${out.train_seconds} s`);
