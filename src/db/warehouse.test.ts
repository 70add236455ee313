import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../testing/temp-dir.js';
import { Warehouse } from './warehouse.js';

describe('warehouse statements with parameters', () => {
  it.each([false, true])('keepPrepared %s: a statement sees what was written since it last ran (duckdb#23704)', async (keepPrepared) => {
    const db = await Warehouse.open(path.join(tempDir(), 'w.duckdb'), { keepPrepared });
    try {
      await db.run(`CREATE TABLE t (k VARCHAR, n INTEGER)`);
      await db.run(`INSERT INTO t VALUES ('x', 1)`);
      await db.run(`DELETE FROM t`);
      await db.run(`CHECKPOINT`);
      // First run on an empty table: a plan kept with those statistics prunes the filter, counts
      // from the statistics and sorts text wrongly.
      const sorted = `SELECT k FROM t WHERE n > 0 AND k <> $skip ORDER BY k`;
      const counted = `SELECT count(*) AS n FROM t WHERE n = $n`;
      expect(await db.all(sorted, { skip: '-' })).toEqual([]);
      expect(await db.all(`SELECT k FROM t WHERE n > 0 ORDER BY k`, {})).toEqual([]);
      expect(await db.one(counted, { n: 3 })).toEqual({ n: 0 });
      await db.run(`INSERT INTO t VALUES ('attendance-20251124T050000Z-cfc97b18', 3), ('a longer text than twelve bytes', 5)`);
      const both = [{ k: 'a longer text than twelve bytes' }, { k: 'attendance-20251124T050000Z-cfc97b18' }];
      expect(await db.all(sorted, { skip: '-' })).toEqual(both);
      expect(await db.all(`SELECT k FROM t WHERE n > 0 ORDER BY k`, {})).toEqual(both);
      expect(await db.one(counted, { n: 3 })).toEqual({ n: 1 });
      await db.run(`DELETE FROM t`);
      await db.run(`INSERT INTO t VALUES ($k, $n)`, { k: 'only one left', n: 7 });
      expect(await db.all(sorted, { skip: '-' })).toEqual([{ k: 'only one left' }]);
      // A parameter left out is an error, not a value from an earlier call.
      await expect(db.all(sorted, {})).rejects.toThrow();
      // The same text at the same time on one connection: each call its own values.
      const many = await Promise.all(['only one left', '-', 'only one left'].map((skip) => db.all(sorted, { skip })));
      expect(many.map((r) => r.length)).toEqual([0, 1, 0]);
      // A second connection shares the choice; a table dropped and made again with other columns.
      const other = await db.connect();
      await other.run(`DROP TABLE t`);
      await other.run(`CREATE TABLE t (k VARCHAR, w VARCHAR, n INTEGER)`);
      await other.run(`INSERT INTO t VALUES ('again', 'w', 9)`);
      expect(await db.all(sorted, { skip: '-' })).toEqual([{ k: 'again' }]);
      other.close();
      // Several statements with parameters on the last still run (not kept).
      expect(await db.all(`CREATE TEMP TABLE u AS SELECT 1 AS x; SELECT x + $n AS y FROM u`, { n: 1 })).toEqual([{ y: 2 }]);
      // More texts than are kept: the oldest are let go and made again when asked.
      for (let i = 0; i < 80; i++) expect(await db.one(`SELECT $i::INTEGER + ${i} AS s`, { i })).toEqual({ s: 2 * i });
      expect(await db.all(sorted, { skip: '-' })).toEqual([{ k: 'again' }]);
    } finally {
      db.close();
    }
  });
});

describe('streamColumns', () => {
  // 5 000 rows come in three chunks of at most 2 048: announced exactly, too few, too many, or not at all.
  const sql = `SELECT i, CASE WHEN i % 7 = 0 THEN NULL ELSE i / 2 END AS x,
      CASE WHEN i % 5 = 0 THEN NULL ELSE 'group ' || (i % 3) END AS g
    FROM range(5000) r(i) ORDER BY i`;
  it.each([undefined, 5000, 10, 2048, 9000])('gives every row once, in order, when %s rows are announced', async (rows) => {
    const db = await Warehouse.open(path.join(tempDir(), 'w.duckdb'));
    try {
      const cols = await db.streamColumns(sql, undefined, rows === undefined ? {} : { rows });
      const i = cols['i'] as Float64Array;
      const x = cols['x'] as Float64Array;
      const g = cols['g'] as (string | null)[];
      expect([i.length, x.length, g.length]).toEqual([5000, 5000, 5000]);
      for (let k = 0; k < 5000; k++) {
        expect(i[k]).toBe(k);
        expect(x[k]).toBe(k % 7 === 0 ? NaN : k * 0.5);
        expect(g[k]).toBe(k % 5 === 0 ? null : `group ${k % 3}`);
      }
    } finally {
      await db.close();
    }
  });
});

describe('whileIdle', () => {
  it.each(['1500MB', undefined])('steps the memory budget (%s) down for the work and puts it back, also when the work fails', async (memoryLimit) => {
    const db = await Warehouse.open(path.join(tempDir(), 'w.duckdb'), { memoryLimit });
    const budget = async () => (await db.one<{ m: string }>(`SELECT current_setting('memory_limit') AS m`))!.m;
    try {
      const before = await budget();
      const { result, steppedDown } = await db.whileIdle(async () => budget());
      expect(steppedDown).toBe(true);
      expect(result).not.toBe(before);
      expect(await budget()).toBe(before);
      await expect(db.whileIdle(async () => Promise.reject(new Error('failed work')))).rejects.toThrow('failed work');
      expect(await budget()).toBe(before);
    } finally {
      await db.close();
    }
  });
});
