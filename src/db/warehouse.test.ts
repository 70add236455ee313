import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../testing/temp-dir.js';
import { Warehouse } from './warehouse.js';

describe('warehouse statements with parameters', () => {
  it('see what was written since the same text last ran: no plan is kept with the statistics of its time (duckdb#23704)', async () => {
    const db = await Warehouse.open(path.join(tempDir(), 'w.duckdb'));
    try {
      await db.run(`CREATE TABLE t (k VARCHAR, n INTEGER)`);
      await db.run(`INSERT INTO t VALUES ('x', 1)`);
      await db.run(`DELETE FROM t`);
      await db.run(`CHECKPOINT`);
      // Run first on an empty table: a plan kept from then prunes the filter and sorts text wrongly.
      const sorted = `SELECT k FROM t WHERE n > 0 AND k <> $skip ORDER BY k`;
      expect(await db.all(sorted, { skip: '-' })).toEqual([]);
      expect(await db.all(`SELECT k FROM t WHERE n > 0 ORDER BY k`, {})).toEqual([]);
      await db.run(`INSERT INTO t VALUES ('attendance-20251124T050000Z-cfc97b18', 3), ('a longer text than twelve bytes', 5)`);
      const both = [{ k: 'a longer text than twelve bytes' }, { k: 'attendance-20251124T050000Z-cfc97b18' }];
      expect(await db.all(sorted, { skip: '-' })).toEqual(both);
      expect(await db.all(`SELECT k FROM t WHERE n > 0 ORDER BY k`, {})).toEqual(both);
      await db.run(`DELETE FROM t`);
      await db.run(`INSERT INTO t VALUES ($k, $n)`, { k: 'only one left', n: 7 });
      expect(await db.all(sorted, { skip: '-' })).toEqual([{ k: 'only one left' }]);
      // A parameter left out is an error, not a value from an earlier call.
      await expect(db.all(sorted, {})).rejects.toThrow();
      // The same text at the same time on one connection: each call its own values.
      const many = await Promise.all(['only one left', '-', 'only one left'].map((skip) => db.all(sorted, { skip })));
      expect(many.map((r) => r.length)).toEqual([0, 1, 0]);
    } finally {
      db.close();
    }
  });
});
