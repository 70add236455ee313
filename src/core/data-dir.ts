import { mkdirSync } from 'node:fs';
import path from 'node:path';

/** Where everything kiinni keeps lives, under one data directory. */
export interface DataDir {
  root: string;
  warehouse: string;
  lock: string;
  outbox: string;
  inbox: string;
  archive: string;
  logs: string;
  models: string;
  tmp: string;
  backups: string;
  /** Send journals: what was handed to the outbox or SMTP server and not yet in the delivery log. */
  journal: string;
}

/** Paths inside a data directory (nothing is created). */
export function dataDirLayout(root: string): DataDir {
  const abs = path.resolve(root);
  return {
    root: abs,
    warehouse: path.join(abs, 'kiinni.duckdb'),
    lock: path.join(abs, 'kiinni.lock'),
    outbox: path.join(abs, 'outbox'),
    inbox: path.join(abs, 'inbox'),
    archive: path.join(abs, 'archive'),
    logs: path.join(abs, 'logs'),
    models: path.join(abs, 'models'),
    tmp: path.join(abs, 'tmp'),
    backups: path.join(abs, 'backups'),
    journal: path.join(abs, 'journal'),
  };
}

/** Creates the data directory and its sub-folders. */
export function ensureDataDir(dir: DataDir): void {
  for (const p of [dir.root, dir.outbox, dir.inbox, dir.archive, dir.logs, dir.models, dir.tmp]) {
    mkdirSync(p, { recursive: true });
  }
}
