import { ErrorCode, KiinniError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { acquireWriterLock, type WriterLock } from '../db/lock.js';
import { migrate } from '../db/migrate.js';
import { Warehouse } from '../db/warehouse.js';
import { allMigrations } from '../pipeline/schema.js';
import type { DataDir } from '../core/data-dir.js';
import type { Config } from '../core/config.js';

/**
 * The workspace's way into the warehouse. DuckDB allows one writing process per file, and the
 * nightly pipeline must get in, so the server opens the warehouse (taking the writer lock) when
 * a request needs it and closes it after `idleMs` without requests. Requests use it one at a
 * time: one DuckDB connection, and transactions that cannot interleave. While another kiinni
 * command holds the lock, requests fail with BUSY (the server answers 503, try again shortly).
 */
export class WarehouseGate {
  private db: Warehouse | undefined;
  private lock: WriterLock | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private idleTimer: NodeJS.Timeout | undefined;
  private active = 0;

  constructor(
    private readonly dir: DataDir,
    private readonly config: Config,
    private readonly logger: Logger,
    private readonly clock: () => Date,
    private readonly idleMs = 2000,
  ) {}

  /** Runs `fn` with the warehouse, after every request queued before it. */
  use<T>(fn: (db: Warehouse) => Promise<T>): Promise<T> {
    const run = async () => {
      this.active++;
      if (this.idleTimer) clearTimeout(this.idleTimer);
      try {
        return await fn(await this.open());
      } finally {
        this.active--;
        if (this.active === 0) this.idleTimer = setTimeout(() => this.queueClose(), this.idleMs);
      }
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async open(): Promise<Warehouse> {
    if (this.db) return this.db;
    try {
      this.lock = acquireWriterLock(this.dir.lock, 'serve');
    } catch (err) {
      if (err instanceof KiinniError && err.code === ErrorCode.Locked) throw new KiinniError(ErrorCode.Locked, 'The warehouse is being updated by another kiinni command.', 'Try again in a few minutes.');
      throw err;
    }
    try {
      this.db = await Warehouse.open(this.dir.warehouse, { memoryLimit: this.config.warehouse.memoryLimit, threads: this.config.warehouse.threads, tempDirectory: this.dir.tmp });
      const migrated = await migrate(this.db, allMigrations, this.clock());
      if (migrated.length) this.logger.info({ versions: migrated }, 'migrations_applied');
      return this.db;
    } catch (err) {
      this.db?.close();
      this.db = undefined;
      this.lock.release();
      this.lock = undefined;
      throw err;
    }
  }

  /** Closes after whatever is queued, unless a request came in meanwhile. */
  private queueClose(): void {
    const step = async () => {
      if (this.active === 0) this.closeNow();
    };
    this.queue = this.queue.then(step, step);
  }

  private closeNow(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.db?.close();
    this.db = undefined;
    this.lock?.release();
    this.lock = undefined;
  }

  /** Closes the warehouse after the requests already queued. */
  async close(): Promise<void> {
    await this.queue;
    this.closeNow();
  }
}
