// Helpers for the scripts that drive the staff workspace (bench-serve, screenshot-workspace).
// The tests have the same two in TypeScript (src/testing/cli.ts startServe,
// src/testing/workspace.ts linkFromOutbox); scripts run the built JS and cannot import those.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { simpleParser } from 'mailparser';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Starts `kiinni serve --port 0` (global options first); resolves with the child and its address. */
export async function startServe(globalArgs) {
  const server = spawn(process.execPath, [path.join(root, 'bin', 'kiinni.js'), ...globalArgs, 'serve', '--port', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  const base = await new Promise((resolve, reject) => {
    let err = '';
    server.stderr.on('data', (d) => {
      err += d;
      const m = /workspace on (http:\/\/\S+)/.exec(err);
      if (m) resolve(m[1]);
    });
    server.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${err}`)));
  });
  return { server, base };
}

/**
 * The sign-in link in the newest sign-in e-mail to `email` in the data directory's outbox. The
 * server sends sign-in mail after answering, so this waits for it (up to 10 s).
 */
export async function linkFromOutbox(dataDir, email) {
  const dir = path.join(dataDir, 'outbox', 'sign-in');
  for (const until = Date.now() + 10_000; Date.now() < until; await new Promise((r) => setTimeout(r, 50))) {
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.eml')).sort().reverse()) {
      const mail = await simpleParser(readFileSync(path.join(dir, f)));
      const url = mail.to?.text?.includes(email) ? /https?:\/\/\S+\/auth\/link\?token=\S+/.exec(mail.text ?? '')?.[0] : undefined;
      if (url) return url;
    }
  }
  throw new Error(`no sign-in e-mail to ${email}`);
}
