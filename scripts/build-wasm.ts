#!/usr/bin/env node
// Compiles the WebAssembly text files of src/ (*.wat) to dist/src/…/*.wasm with wabt, the
// WebAssembly project's own toolkit. Run by `npm run build` after tsc.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import wabtInit from 'wabt';
import { repoRoot } from './lib/harness.js';

const wabt = await wabtInit();
const src = path.join(repoRoot, 'src');
for (const entry of readdirSync(src, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !entry.name.endsWith('.wat')) continue;
  const file = path.join(entry.parentPath, entry.name);
  const module = wabt.parseWat(file, readFileSync(file, 'utf8'), { threads: true });
  const out = path.join(repoRoot, 'dist', path.relative(repoRoot, file)).replace(/\.wat$/, '.wasm');
  mkdirSync(path.dirname(out), { recursive: true });
  const binary = module.toBinary({}).buffer;
  // Node's own engine validates it (wabt's validator does not take the threads feature here).
  new WebAssembly.Module(binary);
  writeFileSync(out, binary);
  module.destroy();
}
