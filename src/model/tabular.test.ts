import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../testing/temp-dir.js';
import { readTabular } from './tabular.js';

describe('tabular data for the model benchmarks', () => {
  it('encodes a test file as its training file was: same codes, same column order, unseen and empty categories missing', async () => {
    const dir = tempDir();
    const train = path.join(dir, 'train.csv');
    const test = path.join(dir, 'test.csv');
    writeFileSync(train, 'module,score,region,y\nBBB,1.5,North,1\nAAA,2,South,0\nCCC,,North,0\nAAA,3,,1\n');
    // Another column order, a module the training file never had (DDD) and one it had (AAA) only
    // here the first; a region column whose cells happen to look numeric.
    writeFileSync(test, 'y,region,score,module\n1,7,4,DDD\n0,North,5,AAA\n1,South,x,CCC\n');
    const a = await readTabular(train, 'y', '1');
    expect(a.featureNames).toEqual(['module', 'score', 'region']);
    expect(a.categories).toEqual({ module: ['AAA', 'BBB', 'CCC'], region: ['North', 'South'] });
    expect([...a.columns[0]!]).toEqual([1, 0, 2, 0]);
    expect([...a.columns[1]!]).toEqual([1.5, 2, NaN, 3]);
    expect([...a.columns[2]!]).toEqual([0, 1, 0, NaN]);
    expect([...a.y]).toEqual([1, 0, 0, 1]);
    const b = await readTabular(test, 'y', '1', a);
    expect(b.featureNames).toEqual(a.featureNames);
    expect([...b.columns[0]!]).toEqual([NaN, 0, 2]);
    expect([...b.columns[1]!]).toEqual([4, 5, NaN]);
    expect([...b.columns[2]!]).toEqual([NaN, 0, 1]);
    expect([...b.y]).toEqual([1, 0, 1]);
    // Ranked on its own, the test file would have coded AAA as 0 and CCC as 1 (DDD 2): not the training codes.
    const alone = await readTabular(test, 'y', '1');
    expect([...alone.columns[alone.featureNames.indexOf('module')]!]).toEqual([2, 0, 1]);
  });
});
