#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/src/ by `npm run build` (run by `npm install` via `prepare`).
import { existsSync } from 'node:fs';
const entry = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write("kiinni is not built yet: run 'npm run build' (npm install does this for you).\n");
  process.exit(1);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv);
