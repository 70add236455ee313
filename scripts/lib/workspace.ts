// Helpers for the scripts that drive the staff workspace (bench-serve, screenshot-workspace).
// The tests have their own (src/testing/), which are not part of the build.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import type { Page } from 'puppeteer-core';
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
export async function linkFromOutbox(dataDir: string, email: string, since = 0): Promise<string> {
  const dir = path.join(dataDir, 'outbox', 'sign-in');
  for (const until = Date.now() + 10_000; Date.now() < until; await new Promise((r) => setTimeout(r, 50))) {
    if (!existsSync(dir)) continue;
    // Only mail written since the link was asked for (`since`, ms): an older one may be used already.
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.eml') && statSync(path.join(dir, x)).mtimeMs >= since).sort().reverse()) {
      const mail = await simpleParser(readFileSync(path.join(dir, f)));
      const to = Array.isArray(mail.to) ? mail.to.map((x) => x.text).join(', ') : (mail.to?.text ?? '');
      const url = to.includes(email) ? /https?:\/\/\S+\/auth\/link\?token=\S+/.exec(mail.text ?? '')?.[0] : undefined;
      if (url) return url;
    }
  }
  throw new Error(`no sign-in e-mail to ${email}`);
}

/** A sign-in link pointed at `base`: the demo's links name its configured address, the script's server listens elsewhere. */
export function atServer(link: string, base: string): string {
  const u = new URL(link);
  return `${base}${u.pathname}${u.search}`;
}

/** Screenshots the page, whole or cut at `maxHeight` pixels (small PNGs for the README); returns the file. */
export async function screenshot(page: Page, file: string, maxHeight?: number): Promise<string> {
  const height = await page.evaluate('document.documentElement.scrollHeight') as number;
  const width = page.viewport()?.width ?? 1000;
  if (maxHeight && height > maxHeight) await page.screenshot({ path: file as `${string}.png`, clip: { x: 0, y: 0, width, height: maxHeight }, captureBeyondViewport: true });
  else await page.screenshot({ path: file as `${string}.png`, fullPage: true });
  return compressPng(file);
}

/** Smaller files for the repository where pngquant is installed (apt-get install pngquant); as taken otherwise. */
export function compressPng(file: string): string {
  spawnSync('pngquant', ['--force', '--skip-if-larger', '--ext', '.png', '--quality', '60-90', file]);
  return file;
}

/** `--config <dir>/kiinni.yaml` when the data directory has its own config (the demo's: its day and address). */
export const demoConfig = (dataDir: string): string[] => (existsSync(path.join(dataDir, 'kiinni.yaml')) ? ['--config', path.join(dataDir, 'kiinni.yaml')] : []);
