#!/usr/bin/env node
// Forest benchmark (issue #5): kiinni's forest against scikit-learn (Debian python3-sklearn,
// n_jobs=2) and ml-random-forest, on the same synthetic data in the same run: train time,
// predict time, peak RSS, test ROC AUC, and ratios. 40 features, 200 trees, max_features=sqrt,
// min_samples_leaf=1 for every library. Usage: npm run bench:forest -- [--sizes 100000,300000,1000000] [--json]
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { args, measureChild, num, workDir } from './lib/harness.js';
import { F, makeData } from './lib/synthetic.js';

const here = fileURLToPath(import.meta.url);
const argv = process.argv.slice(2);
/** Trees for every library; children get it as their last argument. */
const childMode = argv[0] === '--child-kiinni' || argv[0] === '--child-mlrf';
const a = childMode ? undefined : args('bench-forest', { sizes: { type: 'string', default: '100000,300000,1000000' }, trees: { type: 'string', default: '200' } });
const TREES = childMode ? Number(argv.at(-1)) : num('trees', a!.trees);

interface Measured { train_seconds: number; predict_seconds: number; roc_auc: number; peak_rss_mib: number }

// --- child modes: one library per process, so peak RSS is measured per library -------------
if (childMode) {
  const dir = argv[1]!;
  const ntr = Number(argv[2]);
  const buf = readFileSync(path.join(dir, 'X.f64'));
  const X = new Float64Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  const y = new Uint8Array(readFileSync(path.join(dir, 'y.u8')));
  const n = y.length;
  const { rocAuc } = await import('../src/model/index.js');
  let trainS: number;
  let predictS: number;
  let p: ArrayLike<number>;
  if (argv[0] === '--child-kiinni') {
    const { trainForest, predictProba } = await import('../src/model/index.js');
    const cols = (from: number, to: number) => Array.from({ length: F }, (_, f) => Float64Array.from({ length: to - from }, (_, i) => X[(from + i) * F + f]!));
    const train = cols(0, ntr);
    const test = cols(ntr, n);
    let t0 = performance.now();
    const forest = await trainForest(train, y.subarray(0, ntr), { nTrees: TREES, maxFeatures: 'sqrt', minSamplesLeaf: 1, seed: 0, threads: 0 });
    trainS = (performance.now() - t0) / 1000;
    t0 = performance.now();
    p = predictProba(forest, test);
    predictS = (performance.now() - t0) / 1000;
  } else {
    const { RandomForestClassifier } = await import('ml-random-forest');
    const rows = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => Array.from(X.subarray((from + i) * F, (from + i + 1) * F)));
    const mlTrees = Number(argv[3]);
    const rf = new RandomForestClassifier({ seed: 0, nEstimators: mlTrees, maxFeatures: Math.floor(Math.sqrt(F)) / F, treeOptions: { gainThreshold: 1e-4 }, noOOB: true } as ConstructorParameters<typeof RandomForestClassifier>[0]);
    let t0 = performance.now();
    rf.train(rows(0, ntr), Array.from(y.subarray(0, ntr)));
    trainS = ((performance.now() - t0) / 1000) * (Number(argv[4]) / mlTrees);
    t0 = performance.now();
    p = rf.predictProbability(rows(ntr, n), 1);
    predictS = (performance.now() - t0) / 1000;
  }
  process.stdout.write(JSON.stringify({ train_seconds: trainS, predict_seconds: predictS, roc_auc: rocAuc(p, y.subarray(ntr)) }));
  process.exit(0);
}

const sklearnScript = `
import sys, json, time, numpy as np
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import roc_auc_score
d, ntr, trees = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
X = np.fromfile(d + '/X.f64', dtype=np.float64).reshape(-1, ${F}); y = np.fromfile(d + '/y.u8', dtype=np.uint8)
t0 = time.perf_counter(); rf = RandomForestClassifier(n_estimators=trees, max_features='sqrt', n_jobs=2, random_state=0).fit(X[:ntr], y[:ntr]); t1 = time.perf_counter()
p = rf.predict_proba(X[ntr:])[:, 1]; t2 = time.perf_counter()
print(json.dumps({'train_seconds': t1 - t0, 'predict_seconds': t2 - t1, 'roc_auc': roc_auc_score(y[ntr:], p)}))`;

const measure = async (cmd: string, cmdArgs: string[]): Promise<Measured> => {
  const r = await measureChild(cmd, cmdArgs, 50);
  return { ...(JSON.parse(r.stdout) as Omit<Measured, 'peak_rss_mib'>), peak_rss_mib: r.peak_rss_mib };
};

const python = ['/usr/bin/python3', 'python3'].find((p) => spawnSync(p, ['-c', 'import sklearn'], { stdio: 'ignore' }).status === 0);
const sizes = a!.sizes.split(',').map(Number);
const log = (s: string) => void (!a!.json && process.stderr.write(s + '\n'));
interface Row { train_rows: number; test_rows: number; kiinni: Measured; sklearn?: Measured; train_ratio_vs_sklearn?: number; auc_diff_vs_sklearn?: number }
const results: Row[] = [];
for (const nTrain of sizes) {
  const dir = workDir('bench-forest');
  const nTest = Math.min(50_000, Math.round(nTrain / 4));
  const { X, y } = makeData(nTrain + nTest, 7);
  writeFileSync(path.join(dir, 'X.f64'), X);
  writeFileSync(path.join(dir, 'y.u8'), y);
  log(`${nTrain.toLocaleString('en')} training rows × ${F} features, ${TREES} trees …`);
  const row: Row = { train_rows: nTrain, test_rows: nTest, kiinni: await measure(process.execPath, [here, '--child-kiinni', dir, String(nTrain), String(TREES)]) };
  log(`  kiinni: ${row.kiinni.train_seconds.toFixed(1)} s`);
  if (python) {
    row.sklearn = await measure(python, ['-c', sklearnScript, dir, String(nTrain), String(TREES)]);
    log(`  scikit-learn: ${row.sklearn.train_seconds.toFixed(1)} s`);
    row.train_ratio_vs_sklearn = +(row.kiinni.train_seconds / row.sklearn.train_seconds).toFixed(2);
    row.auc_diff_vs_sklearn = +(row.kiinni.roc_auc - row.sklearn.roc_auc).toFixed(4);
  }
  rmSync(dir, { recursive: true, force: true });
  results.push(row);
  log(`  ${JSON.stringify(row)}`);
}
// ml-random-forest cannot train at these sizes (O(n²) splits): measure it where it finishes,
// with 5 trees, and scale its time to 200 trees.
const small: { train_rows: number; ml_random_forest: Measured; kiinni: Measured; train_ratio_vs_ml_random_forest: number }[] = [];
for (const nTrain of [2000, 5000]) {
  const dir = workDir('bench-forest');
  const { X, y } = makeData(nTrain + 2000, 7);
  writeFileSync(path.join(dir, 'X.f64'), X);
  writeFileSync(path.join(dir, 'y.u8'), y);
  log(`${nTrain} rows: ml-random-forest (5 trees, scaled to ${TREES}) vs kiinni …`);
  const ml = await measure(process.execPath, [here, '--child-mlrf', dir, String(nTrain), '5', String(TREES)]);
  const ours = await measure(process.execPath, [here, '--child-kiinni', dir, String(nTrain), String(TREES)]);
  small.push({ train_rows: nTrain, ml_random_forest: ml, kiinni: ours, train_ratio_vs_ml_random_forest: +(ours.train_seconds / ml.train_seconds).toFixed(4) });
  rmSync(dir, { recursive: true, force: true });
}
const out = { cores: os.availableParallelism(), trees: TREES, features: F, sklearn: python ? 'python3-sklearn (n_jobs=2)' : 'not installed', results, small };
if (a!.json) process.stdout.write(JSON.stringify(out, null, 2) + '\n');
else {
  console.log(`\nkiinni forest vs scikit-learn (${out.sklearn}), ${TREES} trees, ${F} features, ${out.cores} cores`);
  console.log('train rows   kiinni train s  sklearn train s  ratio  kiinni AUC  sklearn AUC  kiinni RSS MiB  sklearn RSS MiB  kiinni predict s');
  for (const r of results) {
    console.log(
      [String(r.train_rows).padEnd(11), r.kiinni.train_seconds.toFixed(1).padStart(14), (r.sklearn?.train_seconds.toFixed(1) ?? '–').padStart(15), String(r.train_ratio_vs_sklearn ?? '–').padStart(5),
       r.kiinni.roc_auc.toFixed(4).padStart(10), (r.sklearn?.roc_auc.toFixed(4) ?? '–').padStart(11), String(r.kiinni.peak_rss_mib).padStart(14), String(r.sklearn?.peak_rss_mib ?? '–').padStart(15), r.kiinni.predict_seconds.toFixed(2).padStart(16)].join('  '),
    );
  }
  for (const s of small) console.log(`ml-random-forest at ${s.train_rows} rows: ${s.ml_random_forest.train_seconds.toFixed(1)} s for ${TREES} trees (AUC ${s.ml_random_forest.roc_auc.toFixed(4)}) vs kiinni ${s.kiinni.train_seconds.toFixed(2)} s (AUC ${s.kiinni.roc_auc.toFixed(4)}): ratio ${s.train_ratio_vs_ml_random_forest}`);
}
