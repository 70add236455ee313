import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../testing/temp-dir.js';
import { Warehouse } from './warehouse.js';

describe('warehouse statements with parameters (prepared once per connection)', () => {
  it('never reuses an earlier call\'s values, runs the same text side by side correctly, and follows a table replaced under it', async () => {
    const db = await Warehouse.open(path.join(tempDir(), 'w.duckdb'));
    try {
      await db.run(`CREATE TABLE t (k VARCHAR, v INTEGER)`);
      await db.run(`INSERT INTO t VALUES ('a', 1), ('b', 2), ('c', 3)`);
      const q = `SELECT v FROM t WHERE k = $k`;
      expect(await db.all(q, { k: 'a' })).toEqual([{ v: 1 }]);
      expect(await db.all(q, { k: 'b' })).toEqual([{ v: 2 }]);
      // A parameter left out is an error, not the value the statement was last given.
      await expect(db.all(q, {})).rejects.toThrow();
      // The same text at the same time on one connection: each call its own values.
      const many = await Promise.all(['a', 'b', 'c', 'a', 'c'].map((k) => db.one(q, { k })));
      expect(many.map((r) => r?.['v'])).toEqual([1, 2, 3, 1, 3]);
      // Writes through a kept statement, and a table dropped and made again with other columns.
      await db.run(`INSERT INTO t VALUES ($k, $v)`, { k: 'd', v: 4 });
      await db.run(`INSERT INTO t VALUES ($k, $v)`, { k: 'e', v: 5 });
      expect(await db.all(`SELECT count(*) AS n FROM t WHERE v > $min`, { min: 3 })).toEqual([{ n: 2 }]);
      await db.run(`DROP TABLE t`);
      await db.run(`CREATE TABLE t (k VARCHAR, w VARCHAR, v INTEGER)`);
      await db.run(`INSERT INTO t VALUES ('a', 'x', 10)`);
      expect(await db.all(q, { k: 'a' })).toEqual([{ v: 10 }]);
      // Several statements with parameters on the last still run (not kept).
      expect(await db.all(`CREATE TEMP TABLE u AS SELECT 1 AS x; SELECT x + $n AS y FROM u`, { n: 1 })).toEqual([{ y: 2 }]);
      // More texts than are kept: the oldest are let go and made again when asked.
      for (let i = 0; i < 80; i++) expect(await db.one(`SELECT $i::INTEGER + ${i} AS s`, { i })).toEqual({ s: 2 * i });
      expect(await db.all(q, { k: 'a' })).toEqual([{ v: 10 }]);
    } finally {
      db.close();
    }
  });
});
