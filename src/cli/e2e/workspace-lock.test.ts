import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, startServe } from '../../testing/cli.js';
import { workspaceSchool } from '../../testing/workspace.js';

describe('the workspace and other commands share the warehouse', () => {
  it('a command started while the workspace holds the warehouse waits for it instead of failing', async () => {
    const { dataDir } = await workspaceSchool();
    const { server, base } = await startServe(dataDir);
    try {
      // A page that reads the warehouse: the server now holds it (and lets go 2 s after the last request).
      expect((await fetch(`${base}/auth/link?token=not.a.token`)).status).toBe(400);
      expect(JSON.parse(readFileSync(path.join(dataDir, 'kiinni.lock'), 'utf8')).command).toBe('serve');
      const reader = await runCli(['--data-dir', dataDir, '--json', 'audit', 'list']);
      expect(reader.exitCode).toBe(0);
      expect(Array.isArray(JSON.parse(reader.stdout))).toBe(true);
      expect((await fetch(`${base}/auth/link?token=not.a.token`)).status).toBe(400);
      expect(JSON.parse(readFileSync(path.join(dataDir, 'kiinni.lock'), 'utf8')).command).toBe('serve');
      const writer = await runCli(['--data-dir', dataDir, 'checkins', 'opt-out', 'S1', '--since', '2025-10-01']);
      expect(writer.exitCode).toBe(0);
      // And the workspace gets the warehouse back afterwards.
      expect((await fetch(`${base}/auth/link?token=not.a.token`)).status).toBe(400);
    } finally {
      server.kill('SIGTERM');
      await new Promise((r) => server.once('exit', r));
    }
  }, 60_000);
});
