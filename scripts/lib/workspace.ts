// Helpers for the scripts that drive the staff workspace (bench-serve, screenshot-workspace).
// The tests have their own (src/testing/), which are not part of the build.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { repoRoot as root } from './harness.js';

/** Starts `kiinni serve --port 0` (global options first); resolves with the child and its address. */
export async function startServe(globalArgs: readonly string[]): Promise<{ server: ChildProcess; base: string }> {
  const server = spawn(process.execPath, [path.join(root, 'bin', 'kiinni.js'), ...globalArgs, 'serve', '--port', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  const base = await new Promise<string>((resolve, reject) => {
    let err = '';
    server.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /workspace on (http:\/\/\S+)/.exec(err);
      if (m) resolve(m[1]!);
    });
    server.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${err}`)));
  });
  return { server, base };
}

/**
 * The sign-in link in the newest sign-in e-mail to `email` in the data directory's outbox. The
 * server sends sign-in mail after answering, so this waits for it (up to 10 s).
 */
export async function linkFromOutbox(dataDir: string, email: string): Promise<string> {
  const dir = path.join(dataDir, 'outbox', 'sign-in');
  for (const until = Date.now() + 10_000; Date.now() < until; await new Promise((r) => setTimeout(r, 50))) {
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.eml')).sort().reverse()) {
      const mail = await simpleParser(readFileSync(path.join(dir, f)));
      const to = Array.isArray(mail.to) ? mail.to.map((x) => x.text).join(', ') : (mail.to?.text ?? '');
      const url = to.includes(email) ? /https?:\/\/\S+\/auth\/link\?token=\S+/.exec(mail.text ?? '')?.[0] : undefined;
      if (url) return url;
    }
  }
  throw new Error(`no sign-in e-mail to ${email}`);
}
