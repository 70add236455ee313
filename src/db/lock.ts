import { closeSync, linkSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { diskError, ErrorCode, KiinniError } from '../core/errors.js';

/** What the writer lock file records about its holder. */
export interface LockHolder {
  pid: number;
  hostname: string;
  command: string;
  started_at: string;
  /** Process start time from /proc (clock ticks since boot), so a reused pid is not mistaken for the holder. */
  proc_start: string | null;
}

/** A held writer lock; release it when the writing command ends. */
export interface WriterLock {
  holder: LockHolder;
  /** True when a lock left by a killed process was found and taken over. */
  tookOverStale: LockHolder | undefined;
  release(): void;
}

function procStart(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22 (starttime) follows the parenthesised command name, which may itself hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null;
  } catch {
    return null;
  }
}

/** True when the process that wrote `holder` still runs on this machine. */
export function isHolderAlive(holder: LockHolder): boolean {
  if (holder.hostname !== os.hostname()) return true; // cannot check another machine: assume alive
  try {
    process.kill(holder.pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  const start = procStart(holder.pid);
  return holder.proc_start === null || start === null || start === holder.proc_start;
}

function readHolder(file: string): LockHolder | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as LockHolder;
  } catch {
    return undefined;
  }
}

function tryCreate(file: string, holder: LockHolder): boolean {
  // Write a private file, then hard-link it into place: the link either appears whole or fails.
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, JSON.stringify(holder, null, 2));
    } finally {
      closeSync(fd);
    }
    linkSync(tmp, file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    // A full or read-only disk: say so, and leave no half-written lock behind.
    throw diskError(err, path.dirname(file));
  } finally {
    rmSync(tmp, { force: true });
  }
}

/**
 * Takes the warehouse writer lock or throws LOCKED at once. A lock whose holder is no longer
 * running (killed, crashed) is stale and is taken over.
 */
export function acquireWriterLock(file: string, command: string): WriterLock {
  const holder: LockHolder = {
    pid: process.pid,
    hostname: os.hostname(),
    command,
    started_at: new Date().toISOString(),
    proc_start: procStart(process.pid),
  };
  let tookOverStale: LockHolder | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    if (tryCreate(file, holder)) {
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        const current = readHolder(file);
        if (current?.pid === holder.pid && current.started_at === holder.started_at) rmSync(file, { force: true });
        process.off('exit', release);
      };
      process.on('exit', release);
      return { holder, tookOverStale, release };
    }
    const existing = readHolder(file);
    if (existing && isHolderAlive(existing)) {
      throw new KiinniError(
        ErrorCode.Locked,
        `Another kiinni command is writing to this warehouse: '${existing.command}' (pid ${existing.pid} on ${existing.hostname}, started ${existing.started_at}).`,
        'Wait for it to finish and run this again. If that process is gone for good, delete the lock file ' + file + '.',
      );
    }
    // Stale: move it aside atomically, so of two racing takers only one wins.
    try {
      renameSync(file, `${file}.stale`);
      tookOverStale = existing;
    } catch {
      // someone else moved it first: try again
    }
  }
  throw new KiinniError(ErrorCode.Locked, `Could not take the writer lock ${file}.`, 'Run the command again.');
}

/**
 * Like `acquireWriterLock`, but when the holder is the staff workspace (`kiinni serve`, which
 * lets go of the warehouse after two seconds without requests) waits up to `waitMs` for it.
 * Any other holder is refused at once, as before.
 */
export async function acquireWriterLockPatiently(file: string, command: string, waitMs = 120_000): Promise<WriterLock> {
  const until = Date.now() + waitMs;
  for (;;) {
    try {
      return acquireWriterLock(file, command);
    } catch (err) {
      const holder = readHolder(file);
      if (!(err instanceof KiinniError) || err.code !== ErrorCode.Locked || holder?.command !== 'serve' || Date.now() > until) throw err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

/** Waits (up to `waitMs`) while the staff workspace holds the warehouse, for commands that only read it. */
export async function waitWhileWorkspaceHolds(file: string, waitMs = 120_000): Promise<void> {
  const until = Date.now() + waitMs;
  for (;;) {
    const holder = readHolder(file);
    if (holder?.command !== 'serve' || !isHolderAlive(holder) || Date.now() > until) return;
    await new Promise((r) => setTimeout(r, 250));
  }
}
