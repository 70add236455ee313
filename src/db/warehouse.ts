import type { DuckDBConnection, DuckDBInstance as Instance, DuckDBMaterializedResult, DuckDBPreparedStatement, DuckDBResultReader, DuckDBValue } from '@duckdb/node-api';
import path from 'node:path';
import { ErrorCode, KiinniError } from '../core/errors.js';
import { duckdb } from './duckdb.js';
import { literal } from './sql.js';

const { DuckDBInstance, DuckDBTypeId } = duckdb;

/** Bound parameters: named (`$as_of`) values; never pasted into SQL text. */
export type SqlParams = Record<string, DuckDBValue>;
/** A result row as plain JSON values: dates as 'YYYY-MM-DD' strings, integers as numbers. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type Row = Record<string, Json>;

export interface OpenOptions {
  readOnly?: boolean;
  memoryLimit?: string | undefined;
  threads?: number | undefined;
  /** Where DuckDB may spill when a query exceeds the memory limit. */
  tempDirectory?: string | undefined;
  /**
   * Keep statements with parameters prepared (a server's many small reads). DuckDB 1.5 builds a
   * prepared plan with the table statistics of its moment and reuses them, so a kept statement
   * could miss rows written since or return broken text (duckdb/duckdb#23704); such a warehouse is
   * opened with statistics propagation off, as the upstream fix (duckdb#24696) does for every
   * prepared plan. Off by default: one-shot work (ingest, the nightly run) keeps the statistics.
   */
  keepPrepared?: boolean | undefined;
}

const numericTypes = new Set([
  DuckDBTypeId.DOUBLE, DuckDBTypeId.FLOAT, DuckDBTypeId.INTEGER, DuckDBTypeId.BIGINT, DuckDBTypeId.SMALLINT, DuckDBTypeId.TINYINT, DuckDBTypeId.HUGEINT,
  DuckDBTypeId.UINTEGER, DuckDBTypeId.UBIGINT, DuckDBTypeId.USMALLINT, DuckDBTypeId.UTINYINT,
]);
/** Prepared statements kept per connection. */
const preparedKept = 64;
/** DuckDB's memory budget while it is idle (whileIdle). */
const IDLE_MEMORY = '256MB';
/** Rows of each further block of a streamed column (when more rows come than announced). */
const BLOCK_ROWS = 65_536;
const wideIntegerTypes = new Set([DuckDBTypeId.BIGINT, DuckDBTypeId.UBIGINT, DuckDBTypeId.HUGEINT, DuckDBTypeId.UHUGEINT]);

/**
 * The embedded DuckDB warehouse: one file, one connection. The only place SQL is executed;
 * driver errors are wrapped here once, keeping the cause (our SQL carries no values, so the
 * statement may be shown with --debug).
 */
export class Warehouse {
  /** Transactions open on this connection (0: none; more than 1: nested ones joined the outer). */
  private depth = 0;
  /**
   * With `keepPrepared`: statements with parameters, prepared once per connection and text (least
   * recently used out past `preparedKept`): a page's point reads then skip parsing and planning,
   * which is most of their cost. One in use is not lent twice (bindings are per statement).
   */
  private prepared = new Map<string, DuckDBPreparedStatement>();
  private preparedBusy = new Set<DuckDBPreparedStatement>();
  /** The memory budget the file was opened with (undefined: DuckDB's default), for whileIdle to put back. */
  private budget: string | undefined;

  private constructor(
    readonly file: string,
    private readonly instance: Instance,
    private readonly connection: DuckDBConnection,
    readonly readOnly: boolean,
    /** A second connection to an instance another Warehouse owns: closing it leaves the file open. */
    private readonly borrowed = false,
    private readonly keepPrepared = false,
  ) {}

  /**
   * Another connection to the same open file, for work that runs beside this one (a server's
   * concurrent requests). Each has its own transactions; close it before the owner.
   */
  async connect(): Promise<Warehouse> {
    const db = new Warehouse(this.file, this.instance, await this.instance.connect(), this.readOnly, true, this.keepPrepared);
    db.budget = this.budget;
    return db;
  }

  /** Opens (creating if needed) the warehouse file. */
  static async open(file: string, options: OpenOptions = {}): Promise<Warehouse> {
    const settings: Record<string, string> = {};
    if (options.readOnly) settings['access_mode'] = 'READ_ONLY';
    if (options.memoryLimit) settings['memory_limit'] = options.memoryLimit;
    if (options.threads) settings['threads'] = String(options.threads);
    if (options.tempDirectory) settings['temp_directory'] = options.tempDirectory;
    if (options.keepPrepared) settings['disabled_optimizers'] = 'statistics_propagation';
    let instance: Instance;
    try {
      instance = await DuckDBInstance.create(file, settings);
    } catch (err) {
      throw wrapOpenError(err, file);
    }
    const connection = await instance.connect();
    const db = new Warehouse(file, instance, connection, Boolean(options.readOnly), false, Boolean(options.keepPrepared));
    db.budget = options.memoryLimit;
    return db;
  }

  /**
   * Runs `work` (JavaScript work that needs no query, such as training on read columns) with
   * DuckDB's memory budget stepped down to IDLE_MEMORY, so the pages it keeps cached are freed for
   * the work (nationally 0.7 GB), and puts the budget back afterwards. When DuckDB cannot step
   * down (it holds more than that in use), the budget stays and the work runs all the same.
   */
  async whileIdle<T>(work: () => Promise<T>): Promise<{ result: T; steppedDown: boolean }> {
    const steppedDown = await this.run(`SET memory_limit = '${IDLE_MEMORY}'`).then(
      () => true,
      () => false,
    );
    try {
      return { result: await work(), steppedDown };
    } finally {
      if (steppedDown) await this.run(this.budget ? `SET memory_limit = ${literal(this.budget)}` : 'RESET memory_limit');
    }
  }

  /** Runs statements; returns the number of rows changed by the last one. */
  async run(sql: string, params?: SqlParams): Promise<number> {
    try {
      const result = params ? await this.withPrepared(sql, params, (p) => p.run(), () => this.connection.run(sql, params)) : await this.connection.run(sql);
      return Number(result.rowsChanged);
    } catch (err) {
      throw wrapQueryError(err, sql, this.file);
    }
  }

  /** Runs one statement with bound parameters on a kept prepared statement (not kept, or several statements: prepared afresh). */
  private async withPrepared<T extends DuckDBMaterializedResult | DuckDBResultReader>(sql: string, params: SqlParams, exec: (p: DuckDBPreparedStatement) => Promise<T>, severally: () => Promise<T>): Promise<T> {
    if (!this.keepPrepared) return severally();
    let stmt = this.prepared.get(sql);
    if (stmt && this.preparedBusy.has(stmt)) stmt = undefined;
    else if (stmt) {
      this.prepared.delete(sql);
      this.prepared.set(sql, stmt);
    } else {
      const extracted = await this.connection.extractStatements(sql);
      // Several statements: the driver runs all but the last, then the last with the parameters.
      if (extracted.count !== 1) return severally();
      stmt = await extracted.prepare(0);
      this.prepared.set(sql, stmt);
      if (this.prepared.size > preparedKept) {
        const [oldest, old] = this.prepared.entries().next().value!;
        this.prepared.delete(oldest);
        if (!this.preparedBusy.has(old)) old.destroySync();
      }
    }
    if (!stmt) {
      // The kept one is in use by a call running beside this one: a statement of its own.
      const own = await this.connection.prepare(sql);
      try {
        own.bind(params);
        return await exec(own);
      } finally {
        own.destroySync();
      }
    }
    this.preparedBusy.add(stmt);
    try {
      stmt.clearBindings();
      stmt.bind(params);
      return await exec(stmt);
    } finally {
      this.preparedBusy.delete(stmt);
      // Let go (past the limit) while in use: no longer kept, so freed here.
      if (this.prepared.get(sql) !== stmt) stmt.destroySync();
    }
  }

  /** Runs a query and returns all rows as JSON-safe objects. */
  async all<T extends Row = Row>(sql: string, params?: SqlParams): Promise<T[]> {
    try {
      const reader = params ? await this.withPrepared(sql, params, (p) => p.runAndReadAll(), () => this.connection.runAndReadAll(sql, params)) : await this.connection.runAndReadAll(sql);
      const rows = reader.getRowObjectsJson() as Row[];
      const names = reader.columnNames();
      const wide = names.filter((_, i) => wideIntegerTypes.has(reader.columnTypeId(i)));
      if (wide.length) {
        for (const row of rows) for (const name of wide) if (row[name] !== null) row[name] = Number(row[name]);
      }
      return rows as T[];
    } catch (err) {
      throw wrapQueryError(err, sql, this.file);
    }
  }

  /** Runs a query and returns its columns (name → values), integers as numbers. */
  async columns(sql: string, params?: SqlParams): Promise<Record<string, Json[]>> {
    try {
      const reader = params ? await this.withPrepared(sql, params, (p) => p.runAndReadAll(), () => this.connection.runAndReadAll(sql, params)) : await this.connection.runAndReadAll(sql);
      const cols = reader.getColumnsObjectJson() as Record<string, Json[]>;
      reader.columnNames().forEach((name, i) => {
        const col = cols[name];
        if (col && wideIntegerTypes.has(reader.columnTypeId(i))) for (let k = 0; k < col.length; k++) if (col[k] !== null) col[k] = Number(col[k]);
      });
      return cols;
    } catch (err) {
      throw wrapQueryError(err, sql, this.file);
    }
  }

  /**
   * Streams a query into columnar arrays without per-row objects: numeric columns become
   * Float64Array (NULL → NaN), text columns arrays of strings (NULL → null) in which a repeated
   * value is one string (a panel's dates, groups and ids repeat millions of times: nationally
   * 1.4 GB of separate copies). The fast hand-off for model matrices. With `rows` (how many rows
   * the query gives, or at most), numbers go straight into arrays of that size: no second copy.
   */
  async streamColumns(sql: string, params?: SqlParams, opts: { rows?: number } = {}): Promise<Record<string, Float64Array | (string | null)[]>> {
    try {
      const result = await this.connection.stream(sql, params);
      const names = result.columnNames();
      const numeric = names.map((_, i) => numericTypes.has(result.columnTypeId(i)));
      // Numbers into blocks: the first as large as `rows`, further ones (when more come) of
      // at least BLOCK_ROWS; one block is handed over as it is, several are joined once.
      const blocks: Float64Array[][] = names.map(() => []);
      const texts = names.map((_, i) => (numeric[i] ? null : ([] as (string | null)[])));
      const seen = names.map(() => new Map<string, string>());
      // Rows filled in each block (a block's unused end stays behind when a chunk does not fit).
      const filled: number[] = [];
      let size = 0;
      let room = 0;
      for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
        const rows = chunk.rowCount;
        if (rows > room) {
          room = Math.max(rows, size === 0 ? (opts.rows ?? 0) : BLOCK_ROWS);
          for (let c = 0; c < names.length; c++) if (numeric[c]) blocks[c]!.push(new Float64Array(room));
          filled.push(0);
        }
        const at = filled[filled.length - 1]!;
        for (let c = 0; c < names.length; c++) {
          const vector = chunk.getColumnVector(c);
          if (numeric[c]) {
            const block = blocks[c]!.at(-1)!;
            for (let r = 0; r < rows; r++) {
              const v = vector.getItem(r);
              block[at + r] = v === null ? NaN : Number(v);
            }
          } else {
            const text = texts[c]!;
            const known = seen[c]!;
            for (let r = 0; r < rows; r++) {
              const v = vector.getItem(r);
              if (v === null) text.push(null);
              else {
                const s = String(v);
                const same = known.get(s);
                if (same === undefined) known.set(s, s);
                text.push(same ?? s);
              }
            }
          }
        }
        room -= rows;
        size += rows;
        filled[filled.length - 1]! += rows;
      }
      const joined = (parts: Float64Array[]) => {
        if (parts.length === 1) return parts[0]!.length === size ? parts[0]! : parts[0]!.subarray(0, size);
        const out = new Float64Array(size);
        let to = 0;
        parts.forEach((part, k) => {
          out.set(part.subarray(0, filled[k]), to);
          to += filled[k]!;
        });
        return out;
      };
      return Object.fromEntries(names.map((name, c) => [name, numeric[c] ? joined(blocks[c]!) : texts[c]!]));
    } catch (err) {
      throw wrapQueryError(err, sql, this.file);
    }
  }

  /** The first row, or undefined. */
  async one<T extends Row = Row>(sql: string, params?: SqlParams): Promise<T | undefined> {
    const rows = await this.all<T>(sql, params);
    return rows[0];
  }

  /** True inside transaction(): a statement's failure then ends the caller's transaction too. */
  get inTransaction(): boolean {
    return this.depth > 0;
  }

  /** Runs `fn` inside BEGIN/COMMIT; rolls back on any error, so a file loads whole or not at all. */
  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    // Nested: the inner work joins the outer transaction (one KOSKI export = one transaction
    // over three contract loads); a failure anywhere rolls back the outermost.
    if (this.depth > 0) {
      this.depth++;
      try {
        return await fn();
      } finally {
        this.depth--;
      }
    }
    await this.run('BEGIN TRANSACTION');
    this.depth = 1;
    try {
      const value = await fn();
      await this.run('COMMIT');
      return value;
    } catch (err) {
      await this.connection.run('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      this.depth = 0;
    }
  }

  /**
   * Appends rows to an existing table with DuckDB's appender (fast bulk load from JavaScript).
   * Column kinds: 'varchar', 'double' or 'integer'; null appends NULL.
   */
  async appendRows(table: string, kinds: readonly ('varchar' | 'double' | 'integer')[], rows: Iterable<readonly (string | number | null)[]>): Promise<void> {
    const appender = await this.connection.createAppender(table);
    try {
      for (const row of rows) {
        kinds.forEach((kind, i) => {
          const v = row[i];
          if (v === null || v === undefined) appender.appendNull();
          else if (kind === 'varchar') appender.appendVarchar(String(v));
          else if (kind === 'double') appender.appendDouble(Number(v));
          else appender.appendInteger(Number(v));
        });
        appender.endRow();
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
  }

  /** True when a table (or view) of this name exists in the main schema. */
  async hasTable(name: string): Promise<boolean> {
    const row = await this.one(
      `SELECT count(*) AS n FROM duckdb_tables() WHERE schema_name = 'main' AND table_name = $name AND NOT temporary`,
      { name },
    );
    return Number(row?.['n'] ?? 0) > 0;
  }

  /** Closes the connection and the database file. */
  close(): void {
    for (const stmt of this.prepared.values()) stmt.destroySync();
    this.prepared.clear();
    this.connection.closeSync();
    if (!this.borrowed) this.instance.closeSync();
  }
}

/**
 * True when a statement failed because a transaction beside it changed the same rows first
 * (DuckDB's optimistic concurrency: the later writer loses and nothing of it is kept). Only a
 * process with several connections (the workspace) meets it.
 */
export function isWriteConflict(err: unknown): boolean {
  const cause = err instanceof KiinniError ? err.cause : err;
  return /TransactionContext Error: Conflict on|write-write conflict/i.test(messageOf(cause));
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** What kind of trouble a DuckDB message is: another process's lock, a damaged file, or the disk. */
function troubleOf(message: string): 'locked' | 'corrupt' | 'disk_full' | 'io' | undefined {
  if (/Could not set lock on file|Conflicting lock is held/i.test(message)) return 'locked';
  if (/No space left on device|disk is full|Disk quota exceeded/i.test(message)) return 'disk_full';
  if (/Corrupt database file|checksum|not a valid DuckDB database file|Invalid (database|block|file)|serializ|unexpected end of file|file is too small/i.test(message)) return 'corrupt';
  if (/^IO Error|Permission denied|Read-only file system|Input\/output error/i.test(message)) return 'io';
  return undefined;
}

/** The errors of a damaged file or a failing disk, which no retry will fix. */
function troubleError(kind: 'corrupt' | 'disk_full' | 'io', file: string, err: unknown): KiinniError {
  const dir = path.dirname(file);
  if (kind === 'corrupt') {
    return new KiinniError(
      ErrorCode.WarehouseCorrupt,
      `The warehouse ${file} is damaged (DuckDB found a checksum or format error); it cannot be used as it is.`,
      `Restore the last backup: 'kiinni backup list', then 'kiinni backup restore FILE' (the damaged file is kept beside it). README: "Backup and restore".`,
      { cause: err },
    );
  }
  if (kind === 'disk_full') {
    return new KiinniError(ErrorCode.Io, `Cannot write in ${dir}: the disk is full.`, 'Free space on that disk, then run the same command again: the warehouse keeps only whole transactions.', { cause: err });
  }
  return new KiinniError(ErrorCode.Io, `Cannot read or write the warehouse in ${dir}: an input/output or permission error.`, 'Check the disk and the folder\'s permissions, then run the same command again.', { cause: err });
}

function wrapOpenError(err: unknown, file: string): KiinniError {
  const message = messageOf(err);
  const trouble = troubleOf(message);
  if (trouble && trouble !== 'locked') return troubleError(trouble, file, err);
  if (trouble === 'locked') {
    return new KiinniError(
      ErrorCode.Locked,
      `The warehouse ${file} is in use by another kiinni command.`,
      'Wait for it to finish (see the lock file in the data directory), then run this again.',
      { cause: err },
    );
  }
  return new KiinniError(ErrorCode.Database, `Cannot open the warehouse ${file}: ${message.split('\n')[0]}`, undefined, { cause: err });
}

function wrapQueryError(err: unknown, sql: string, file: string): KiinniError {
  const trouble = troubleOf(messageOf(err));
  if (trouble && trouble !== 'locked') return troubleError(trouble, file, err);
  const first = messageOf(err).split('\n')[0] ?? 'unknown error';
  const statement = sql.trim().replace(/\s+/g, ' ').slice(0, 400);
  return new KiinniError(ErrorCode.Database, `Warehouse query failed: ${first}`, undefined, {
    cause: Object.assign(err instanceof Error ? err : new Error(String(err)), { sql: statement }),
  });
}
