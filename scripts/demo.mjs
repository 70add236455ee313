#!/usr/bin/env node
// `npm run demo`: the main job on the bundled fixtures, from nothing. Grows as stages land
// (issue #9 turns it into `kiinni run nightly`). Data goes to ./data-demo, recreated each time.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const data = path.join(root, 'data-demo');
const kiinni = (...args) => {
  process.stdout.write(`\n$ kiinni ${args.join(' ')}\n`);
  const r = spawnSync(process.execPath, [path.join(root, 'bin', 'kiinni.js'), '--data-dir', data, ...args], { stdio: 'inherit' });
  if (r.status !== 0) {
    process.stderr.write(`demo: 'kiinni ${args.join(' ')}' exited with ${r.status}\n`);
    process.exit(r.status ?? 1);
  }
};

rmSync(data, { recursive: true, force: true });
kiinni('init');
kiinni('ingest', '--dir', path.join(root, 'fixtures', 'cohort'));
kiinni('status');
process.stdout.write(`\nWarehouse: ${path.join(data, 'kiinni.duckdb')}\nTry: npx kiinni --data-dir data-demo contracts attendance\n`);
