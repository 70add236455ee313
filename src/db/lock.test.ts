import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { caught, expectKiinniError } from '../testing/errors.js';
import { tempDir } from '../testing/temp-dir.js';
import { acquireWriterLock } from './lock.js';

describe('writer lock', () => {
  it('refuses a second writer while the first holds the lock, and frees it on release', async () => {
    const file = path.join(tempDir(), 'kiinni.lock');
    const lock = acquireWriterLock(file, 'ingest');
    const err = await caught(() => acquireWriterLock(file, 'run nightly'));
    expectKiinniError(err, { code: 'LOCKED', message: new RegExp(`'ingest' \\(pid ${process.pid} `) });
    lock.release();
    expect(existsSync(file)).toBe(false);
    acquireWriterLock(file, 'run nightly').release();
  });

  it('takes over a lock left by a process that no longer runs', () => {
    const file = path.join(tempDir(), 'kiinni.lock');
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    const pid = Number(dead.stdout.toString());
    writeFileSync(file, JSON.stringify({ pid, hostname: os.hostname(), command: 'ingest', started_at: '2025-01-01T00:00:00Z', proc_start: null }));
    const lock = acquireWriterLock(file, 'ingest');
    expect(lock.tookOverStale?.pid).toBe(pid);
    lock.release();
  });

  it('does not mistake a reused pid for the holder', () => {
    const file = path.join(tempDir(), 'kiinni.lock');
    // Our own pid is alive, but with another start time it is not the process that wrote the lock.
    writeFileSync(file, JSON.stringify({ pid: process.pid, hostname: os.hostname(), command: 'ingest', started_at: 'x', proc_start: '1' }));
    const lock = acquireWriterLock(file, 'ingest');
    expect(lock.tookOverStale?.pid).toBe(process.pid);
    lock.release();
  });
});
