import { describe, expect, it } from 'vitest';
import { withWarehouse } from '../testing/warehouse.js';
import { containsIdentityCode, containsIdentityCodeSql } from './identity-code.js';

const found = [
  '131052-308T', '010203A1230', 'note: 311299+1236 here', '150405B9871', '010101Y123N',
  // #16.7: no word boundaries, either case, after a failed candidate, every century sign.
  'ID131052-308T', '131052-308Tx', '131052-308t', 'x0131052-308T', '131052U308T', '131052Y308T', '010101-131052-308T',
];
const left = ['S0001234', '2024-09-02', 'ST-131052', '13105230', '321052-308T', '131352-308T', '131052-308U', '131052G308T', '1310523308T', 'P-2025-08-11-000123', '010203A123B', '010101-1310'];

describe('containsIdentityCode', () => {
  it.each(found)('finds %s', (text) => expect(containsIdentityCode(text)).toBe(true));
  it.each(left)('leaves %s alone', (text) => expect(containsIdentityCode(text)).toBe(false));
  it('gives the same answers in DuckDB', async () => {
    await withWarehouse(async (db) => {
      for (const text of [...found, ...left]) {
        const r = await db.one(`SELECT ${containsIdentityCodeSql('$t::VARCHAR')} AS hit`, { t: text });
        expect(r!['hit'], text).toBe(containsIdentityCode(text));
      }
    });
  });
});
