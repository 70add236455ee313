import { describe, expect, it } from 'vitest';
import { withWarehouse } from '../testing/warehouse.js';
import { csvField, neutraliseFormula, neutraliseFormulaSql } from './csv.js';

describe('CSV cells (#16.5)', () => {
  it.each([
    ['=1+1', "'=1+1"],
    ['+cmd', "'+cmd"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tx', "'\tx"],
    ['\rx', "'\rx"],
    ['-5', '-5'],
    ['+3.2', '+3.2'],
    ['-0,5', '-0,5'],
    ['Aino', 'Aino'],
    ['a=b', 'a=b'],
  ])('neutralises %j as %j, in JavaScript and in DuckDB', async (input, expected) => {
    expect(neutraliseFormula(input)).toBe(expected);
    await withWarehouse(async (db) => {
      expect((await db.one(`SELECT ${neutraliseFormulaSql('$v::VARCHAR')} AS v`, { v: input }))!['v']).toBe(expected);
    });
  });
  it('quotes what needs quoting after neutralising', () => {
    expect(csvField('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csvField('Virtanen, Aino')).toBe('"Virtanen, Aino"');
    expect(csvField(-3)).toBe('-3');
    expect(csvField(null)).toBe('');
  });
});
