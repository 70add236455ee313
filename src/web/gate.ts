import type { Config } from '../core/config.js';
import type { DataDir } from '../core/data-dir.js';
import { ErrorCode, KiinniError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { acquireWriterLock, type WriterLock } from '../db/lock.js';
import { migrate, type Migration } from '../db/migrate.js';
import { Warehouse } from '../db/warehouse.js';

/**
 * The workspace's way into the warehouse. DuckDB allows one writing process per file, and the
 * nightly pipeline must get in, so the server opens the warehouse (taking the writer lock) when
 * a request needs it and closes it after `idleMs` without requests. Requests run on a small
 * pool of connections to the one open file, each request on its own connection (its own
 * transactions); more requests than connections wait their turn. While another kiinni command
 * holds the lock, requests fail with LOCKED (the server answers 503, try again shortly).
 */
export class WarehouseGate {
  private db: Warehouse | undefined;
  private opening: Promise<Warehouse> | undefined;
  private lock: WriterLock | undefined;
  private free: Warehouse[] = [];
  private all: Warehouse[] = [];
  private waiting: ((w: Warehouse) => void)[] = [];
  private idleTimer: NodeJS.Timeout | undefined;
  private active = 0;

  constructor(
    private readonly dir: DataDir,
    private readonly config: Config,
    private readonly logger: Logger,
    private readonly clock: () => Date,
    /** Every stage's migrations (the front door assembles them; the server does not reach into stages). */
    private readonly migrations: readonly Migration[],
    private readonly idleMs = 2000,
    private readonly connections = 4,
    /** Called each time the warehouse is (re)opened: data may have changed since (a nightly run). */
    private readonly onOpen: () => void = () => undefined,
  ) {}

  /** Runs `fn` with a connection of its own to the warehouse. */
  async use<T>(fn: (db: Warehouse) => Promise<T>): Promise<T> {
    return this.held(async () => {
      const conn = await this.acquire();
      try {
        return await fn(conn);
      } finally {
        this.release(conn);
      }
    });
  }

  /** Keeps the warehouse open while `fn` runs: several requests that must see one opening of it. */
  async holdOpen<T>(fn: () => Promise<T>): Promise<T> {
    return this.held(async () => {
      await this.open();
      return fn();
    });
  }

  private async held<T>(fn: () => Promise<T>): Promise<T> {
    this.active++;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    try {
      return await fn();
    } finally {
      this.active--;
      if (this.active === 0) this.idleTimer = setTimeout(() => this.closeIfIdle(), this.idleMs);
    }
  }

  private async acquire(): Promise<Warehouse> {
    const owner = await this.open();
    const conn = this.free.pop();
    if (conn) return conn;
    if (this.all.length < this.connections) {
      const c = await owner.connect();
      this.all.push(c);
      return c;
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(conn: Warehouse): void {
    const next = this.waiting.shift();
    if (next) next(conn);
    else this.free.push(conn);
  }

  private open(): Promise<Warehouse> {
    if (this.db) return Promise.resolve(this.db);
    this.opening ??= this.openNow().finally(() => (this.opening = undefined));
    return this.opening;
  }

  private async openNow(): Promise<Warehouse> {
    try {
      this.lock = acquireWriterLock(this.dir.lock, 'serve');
    } catch (err) {
      if (err instanceof KiinniError && err.code === ErrorCode.Locked) throw new KiinniError(ErrorCode.Locked, 'The warehouse is being updated by another kiinni command.', 'Try again in a few minutes.');
      throw err;
    }
    let db: Warehouse | undefined;
    try {
      db = await Warehouse.open(this.dir.warehouse, { memoryLimit: this.config.warehouse.memoryLimit, threads: this.config.warehouse.threads, tempDirectory: this.dir.tmp, keepPrepared: true });
      const migrated = await migrate(db, this.migrations, this.clock());
      if (migrated.length) this.logger.info({ versions: migrated }, 'migrations_applied');
      this.db = db;
      this.onOpen();
      return db;
    } catch (err) {
      db?.close();
      this.lock.release();
      this.lock = undefined;
      throw err;
    }
  }

  private closeIfIdle(): void {
    if (this.active === 0 && !this.opening) this.closeNow();
  }

  private closeNow(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    for (const c of this.all) c.close();
    this.all = [];
    this.free = [];
    this.db?.close();
    this.db = undefined;
    this.lock?.release();
    this.lock = undefined;
  }

  /** Closes the warehouse once the requests under way have finished. */
  async close(): Promise<void> {
    while (this.active > 0) await new Promise((r) => setTimeout(r, 10));
    this.closeNow();
  }
}
