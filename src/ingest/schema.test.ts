import { describe, expect, it } from 'vitest';
import { withWarehouse } from '../testing/warehouse.js';
import { contracts } from './contracts/index.js';
import { sqlTypeOf } from './schema.js';

describe('warehouse schema', () => {
  it('has one table per contract whose columns match the contract exactly (no drift)', async () => {
    await withWarehouse(async (db) => {
      for (const contract of Object.values(contracts)) {
        const cols = await db.all(
          `SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = $t AND schema_name = 'main' ORDER BY column_index`,
          { t: contract.kind },
        );
        expect(cols).toEqual([
          ...contract.columns.map((c) => ({ column_name: c.name, data_type: sqlTypeOf(c.type) })),
          { column_name: '_ingest_id', data_type: 'VARCHAR' },
        ]);
      }
    });
  });

  it('marks every well-being answer column as welfare data', () => {
    const welfare = contracts.wellbeing.columns.filter((c) => c.sensitivity === 'welfare').map((c) => c.name);
    expect(welfare).toEqual(['item', 'value', 'need_help', 'need_category']);
  });
});
