// What the evaluation and benchmark scripts share: a timestamped progress line on stderr, and
// running the real CLI to completion.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** A progress line on stderr, stamped with the time of day. */
export const log = (msg) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${msg}\n`);

/**
 * Runs `kiinni <globalArgs…> <args…>` to completion in Helsinki time and returns its stdout;
 * a failing command ends the script with exit 1.
 */
export const kiinniRunner =
  (globalArgs = []) =>
  (...args) => {
    const r = spawnSync(process.execPath, [path.join(root, 'bin', 'kiinni.js'), ...globalArgs, ...args], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, TZ: 'Europe/Helsinki' } });
    if (r.status !== 0) {
      process.stderr.write(`kiinni ${args.join(' ')} exited with ${r.status}\n${r.stdout}`);
      process.exit(1);
    }
    return r.stdout.toString();
  };
