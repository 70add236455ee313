/**
 * What every benchmark, evaluation and screenshot script shares: its arguments (one declaration,
 * typed, with a usage line), progress lines, the real CLI as a child process, peak RSS, Chromium,
 * a work directory of its own, and one way to print a result (`--json` or words).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

/** The repository root (scripts run from dist/scripts/, sources in scripts/). */
export const repoRoot = (() => {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return dir;
})();

type Spec = Record<string, { type: 'string' | 'boolean'; default?: string | boolean; multiple?: boolean; help?: string }>;
type Values<S extends Spec> = { [K in keyof S]: S[K]['type'] extends 'boolean' ? boolean : S[K]['default'] extends string ? string : string | undefined } & { json: boolean; positionals: string[] };

/**
 * The script's options (`--name value`, `--flag`), declared once: unknown options and missing
 * values end the script with its usage line and exit 2. `--json` is always accepted.
 */
export function args<S extends Spec>(script: string, spec: S, required: readonly (keyof S & string)[] = [], positional?: string): Values<S> {
  const usage = `usage: ${script} ${Object.entries(spec)
    .map(([k, o]) => (required.includes(k) ? `--${k} ${o.type === 'string' ? 'VALUE' : ''}`.trim() : `[--${k}${o.type === 'string' ? ` ${o.default !== undefined ? String(o.default) : 'VALUE'}` : ''}]`))
    .join(' ')} [--json]${positional ? ` ${positional}` : ''}`;
  try {
    const parsed = parseArgs({ args: process.argv.slice(2), options: { ...spec, json: { type: 'boolean', default: false } } as NonNullable<Parameters<typeof parseArgs>[0]>['options'], strict: true, allowPositionals: positional !== undefined });
    const values = parsed.values as Record<string, unknown>;
    const positionals = parsed.positionals;
    for (const r of required) if (values[r] === undefined) throw new Error(`--${r} is required`);
    if (positional && positionals.length !== 1) throw new Error(`expected one ${positional}`);
    return { ...values, positionals } as unknown as Values<S>;
  } catch (err) {
    process.stderr.write(`${script}: ${(err as Error).message}\n${usage}\n`);
    process.exit(2);
  }
}

/** A number option; a value that is not a number ends the script (exit 2). */
export function num(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n)) {
    process.stderr.write(`--${name}: expected a number, got "${value}"\n`);
    process.exit(2);
  }
  return n;
}

/** A progress line on stderr, stamped with the time of day. */
export const log = (msg: string): void => {
  process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${msg}\n`);
};

/**
 * Runs `kiinni <globalArgs…> <args…>` to completion in Helsinki time and returns its stdout;
 * a failing command ends the script with exit 1.
 */
export const kiinniRunner =
  (globalArgs: readonly string[] = []) =>
  (...cliArgs: string[]): string => {
    const r = spawnSync(process.execPath, [path.join(repoRoot, 'bin', 'kiinni.js'), ...globalArgs, ...cliArgs], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, TZ: 'Europe/Helsinki' }, maxBuffer: 1 << 30 });
    if (r.status !== 0) {
      process.stderr.write(`kiinni ${cliArgs.join(' ')} exited with ${r.status}\n${r.stdout}`);
      process.exit(1);
    }
    return r.stdout.toString();
  };

/** This process's peak resident set size so far, in MiB. */
export const peakRssMiB = (): number => Math.round(process.resourceUsage().maxRSS / 1024);

/** Chromium for screenshots and browser runs: KIINNI_CHROMIUM, else Debian's or Chrome's usual paths; exits 1 with how to install it. */
export function chromiumPath(script: string): string {
  const found = process.env['KIINNI_CHROMIUM'] ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find(existsSync);
  if (!found) {
    process.stderr.write(`${script}: no Chromium found; install it (apt-get install chromium) or set KIINNI_CHROMIUM.\n`);
    process.exit(1);
  }
  return found;
}

/** A fresh work directory of this script's own under the system temp dir (never a shared fixed path). */
export const workDir = (script: string): string => mkdtempSync(path.join(os.tmpdir(), `kiinni-${script}-`));

/** Prints the result: one JSON line with `--json`, else the words. */
export function report<T>(json: boolean, result: T, words: (r: T) => string): void {
  process.stdout.write(json ? `${JSON.stringify(result)}\n` : `${words(result)}\n`);
}

/** A child process run to its end with its wall time and peak RSS (VmHWM polled from /proc), and its stdout. */
export function measureChild(cmd: string, cmdArgs: readonly string[], pollMs = 20): Promise<{ seconds: number; peak_rss_mib: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, cmdArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
    let peak = 0;
    let out = '';
    let err = '';
    const poll = setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) peak = Math.max(peak, Number(m[1]) / 1024);
      } catch {
        // the process has just ended
      }
    }, pollMs);
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(poll);
      if (code !== 0) reject(new Error(`${cmd} ${cmdArgs.join(' ')} exited ${code}: ${err.slice(-500)}`));
      else resolve({ seconds: (performance.now() - t0) / 1000, peak_rss_mib: Math.round(peak), stdout: out });
    });
  });
}

/** Rows of a query the script knows the shape of. */
export const rowsAs = async <T>(rows: Promise<Record<string, unknown>[]>): Promise<T[]> => (await rows) as unknown as T[];
/** The one row of a query the script knows the shape of (a script's query that finds none is a bug: it throws). */
export const rowAs = async <T>(row: Promise<Record<string, unknown> | undefined | null>): Promise<T> => {
  const r = await row;
  if (!r) throw new Error('the query returned no row');
  return r as unknown as T;
};
