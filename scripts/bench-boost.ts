#!/usr/bin/env node
// Boosting benchmark (issue #22): kiinni's gradient-boosted trees against scikit-learn's
// HistGradientBoostingClassifier (Debian python3-sklearn, its defaults: 100 rounds at most,
// learning rate 0.1, 31 leaves, 20 rows per leaf, early stopping on a tenth of the rows after 10
// rounds without a better loss) on the same synthetic rows in the same run: train time, peak
// RSS, test ROC AUC and the ratios. Each library in its own process, so peak RSS is its own; the
// two take turns `--rounds` times and the medians are compared (one pair's ratio moves by a fifth
// with a shared machine's pace).
// Usage: npm run bench:boost -- [--sizes 100000,300000] [--rounds 3] [--json]
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { args, measureChild, num, workDir } from './lib/harness.js';
import { F, makeData } from './lib/synthetic.js';

const here = fileURLToPath(import.meta.url);
const argv = process.argv.slice(2);

interface Measured { train_seconds: number; predict_seconds: number; roc_auc: number; rounds: number; peak_rss_mib: number }

if (argv[0] === '--child-kiinni') {
  const dir = argv[1]!;
  const ntr = Number(argv[2]);
  const buf = readFileSync(path.join(dir, 'X.f64'));
  const X = new Float64Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  const y = new Uint8Array(readFileSync(path.join(dir, 'y.u8')));
  const { boosterProba, rocAuc, trainBoosting } = await import('../src/model/index.js');
  const cols = (from: number, to: number) => Array.from({ length: F }, (_, f) => Float64Array.from({ length: to - from }, (_, i) => X[(from + i) * F + f]!));
  const train = cols(0, ntr);
  const test = cols(ntr, y.length);
  let t0 = performance.now();
  const b = trainBoosting(train, y.subarray(0, ntr), { maxIter: 100, learningRate: 0.1, maxLeafNodes: 31, minSamplesLeaf: 20, l2: 0, patience: 10, validationShare: 0.1, seed: 0 });
  const trainS = (performance.now() - t0) / 1000;
  t0 = performance.now();
  const p = boosterProba(b, test);
  const predictS = (performance.now() - t0) / 1000;
  process.stdout.write(JSON.stringify({ train_seconds: trainS, predict_seconds: predictS, roc_auc: rocAuc(p, y.subarray(ntr)), rounds: b.trees.length }));
  process.exit(0);
}

const a = args('bench-boost', { sizes: { type: 'string', default: '100000,300000' }, rounds: { type: 'string', default: '3' } });
const rounds = num('rounds', a.rounds);

const sklearnScript = `
import sys, json, time, numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score
d, ntr = sys.argv[1], int(sys.argv[2])
X = np.fromfile(d + '/X.f64', dtype=np.float64).reshape(-1, ${F}); y = np.fromfile(d + '/y.u8', dtype=np.uint8)
t0 = time.perf_counter(); m = HistGradientBoostingClassifier(random_state=0).fit(X[:ntr], y[:ntr]); t1 = time.perf_counter()
p = m.predict_proba(X[ntr:])[:, 1]; t2 = time.perf_counter()
print(json.dumps({'train_seconds': t1 - t0, 'predict_seconds': t2 - t1, 'roc_auc': roc_auc_score(y[ntr:], p), 'rounds': int(m.n_iter_)}))`;

const measure = async (cmd: string, cmdArgs: string[]): Promise<Measured> => {
  const r = await measureChild(cmd, cmdArgs, 50);
  return { ...(JSON.parse(r.stdout) as Omit<Measured, 'peak_rss_mib'>), peak_rss_mib: r.peak_rss_mib };
};

const python = ['/usr/bin/python3', 'python3'].find((p) => spawnSync(p, ['-c', 'import sklearn'], { stdio: 'ignore' }).status === 0);
if (!python) throw new Error("scikit-learn is not installed: 'apt-get install python3-sklearn' (Debian) gives the reference this benchmark measures against.");
const log = (s: string) => void (!a.json && process.stderr.write(s + '\n'));
interface Row { train_rows: number; test_rows: number; kiinni: Measured; sklearn: Measured; train_ratio: number; rss_ratio: number; auc_diff: number; turn_ratios: number[] }
const results: Row[] = [];
for (const nTrain of a.sizes.split(',').map(Number)) {
  const dir = workDir('bench-boost');
  const nTest = Math.min(50_000, Math.round(nTrain / 4));
  const { X, y } = makeData(nTrain + nTest, 11);
  writeFileSync(path.join(dir, 'X.f64'), X);
  writeFileSync(path.join(dir, 'y.u8'), y);
  log(`${nTrain.toLocaleString('en')} training rows × ${F} features …`);
  const runs: { kiinni: Measured; sklearn: Measured }[] = [];
  for (let r = 0; r < rounds; r++) {
    const kiinni = await measure(process.execPath, [here, '--child-kiinni', dir, String(nTrain)]);
    const sklearn = await measure(python, ['-c', sklearnScript, dir, String(nTrain)]);
    log(`  turn ${r + 1}: kiinni ${kiinni.train_seconds.toFixed(1)} s (${kiinni.rounds} rounds), scikit-learn ${sklearn.train_seconds.toFixed(1)} s (${sklearn.rounds} rounds)`);
    runs.push({ kiinni, sklearn });
  }
  rmSync(dir, { recursive: true, force: true });
  // Each library's turn of median train time (the same model every turn: only the time moves).
  const medianOf = (pick: (r: (typeof runs)[number]) => Measured) => [...runs.map(pick)].sort((x, y) => x.train_seconds - y.train_seconds)[Math.floor((runs.length - 1) / 2)]!;
  const kiinni = medianOf((r) => r.kiinni);
  const sklearn = medianOf((r) => r.sklearn);
  results.push({
    train_rows: nTrain,
    test_rows: nTest,
    kiinni,
    sklearn,
    train_ratio: +(kiinni.train_seconds / sklearn.train_seconds).toFixed(2),
    rss_ratio: +(kiinni.peak_rss_mib / sklearn.peak_rss_mib).toFixed(2),
    auc_diff: +(kiinni.roc_auc - sklearn.roc_auc).toFixed(4),
    turn_ratios: runs.map((r) => +(r.kiinni.train_seconds / r.sklearn.train_seconds).toFixed(2)),
  });
}
const out = { cores: os.availableParallelism(), features: F, reference: 'python3-sklearn HistGradientBoostingClassifier (defaults)', results };
if (a.json) process.stdout.write(JSON.stringify(out, null, 2) + '\n');
else {
  console.log(`\nkiinni boosting vs scikit-learn HistGradientBoosting (same rows, same run, medians of ${rounds} turns each; ${F} features, ${out.cores} cores)`);
  console.log('train rows   kiinni s  sklearn s  ratio  kiinni AUC  sklearn AUC  rounds (k/s)  kiinni RSS MiB  sklearn RSS MiB  ratio each turn');
  for (const r of results) {
    console.log(
      [String(r.train_rows).padEnd(11), r.kiinni.train_seconds.toFixed(1).padStart(8), r.sklearn.train_seconds.toFixed(1).padStart(9), r.train_ratio.toFixed(2).padStart(5), r.kiinni.roc_auc.toFixed(4).padStart(10),
       r.sklearn.roc_auc.toFixed(4).padStart(11), `${r.kiinni.rounds}/${r.sklearn.rounds}`.padStart(12), String(r.kiinni.peak_rss_mib).padStart(14), String(r.sklearn.peak_rss_mib).padStart(15), r.turn_ratios.map((x) => x.toFixed(2)).join(' ')].join('  '),
    );
  }
  console.log(`target: ratio ≤ 1.0 at equal AUC (± 0.005) → ${results.every((r) => r.train_ratio <= 1 && Math.abs(r.auc_diff) <= 0.005) ? 'met' : 'NOT met'}`);
}
