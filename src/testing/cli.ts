import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The real launcher users run. */
export const kiinniBin = path.join(root, 'bin', 'kiinni.js');
export const repoRoot = root;

export interface CliResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Starts the real CLI as a child process (for tests that need to kill it). */
export function startCli(args: readonly string[], opts: { cwd?: string; env?: Record<string, string> } = {}): ChildProcess {
  return spawn(process.execPath, [kiinniBin, ...args], {
    cwd: opts.cwd ?? root,
    env: { ...process.env, TZ: 'Europe/Helsinki', KIINNI_LOG_LEVEL: 'warn', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Runs the real CLI to completion and returns its exit code and output. */
export function runCli(args: readonly string[], opts: { cwd?: string; env?: Record<string, string> } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = startCli(args, opts);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (exitCode, signal) => resolve({ exitCode, signal, stdout, stderr }));
  });
}

/** Runs the CLI with --json and parses stdout. */
export async function runCliJson<T = unknown>(args: readonly string[], opts: { cwd?: string; env?: Record<string, string> } = {}): Promise<{ result: CliResult; json: T }> {
  const result = await runCli(['--json', ...args], opts);
  let json: T;
  try {
    json = JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(`not JSON (exit ${result.exitCode}): ${result.stdout}\n${result.stderr}`);
  }
  return { result, json };
}

/** Starts `kiinni serve --port 0` on a data directory; resolves with the child and its address. */
export async function startServe(dataDir: string, env: Record<string, string> = {}): Promise<{ server: ChildProcess; base: string }> {
  const server = startCli(['--data-dir', dataDir, 'serve', '--port', '0'], { env });
  const base = await new Promise<string>((resolve, reject) => {
    let err = '';
    server.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /workspace on (http:\/\/\S+)/.exec(err);
      if (m) resolve(m[1]!);
    });
    server.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${err}`)));
  });
  return { server, base };
}
