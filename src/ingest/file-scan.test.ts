import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../testing/temp-dir.js';
import { scanAhead, scanFile } from './file-scan.js';

describe('scanning files ahead in worker threads', () => {
  it('gives what a scan here gives (hash and line endings), leaves a path with an identity code unread, and a missing file to the load', async () => {
    const dir = tempDir({ 'lf.csv': 'a,b\n1,2\n3,4\n', 'mixed.csv': 'a,b\r\n1,2\n3,4\r5,6\n', 'big.csv': 'x\n'.repeat(3_000_000) });
    const files = ['lf.csv', 'mixed.csv', 'big.csv', 'missing.csv', '010203-1230/lf.csv'].map((f) => path.join(dir, f));
    const ahead = scanAhead([...files, files[0]!]);
    expect([...ahead.keys()]).toEqual(files.slice(0, 4));
    for (const file of files.slice(0, 3)) expect(await ahead.get(file)!.result).toEqual(await scanFile(file));
    expect((await ahead.get(files[1]!)!.result)?.endings).toEqual({ lf: 2, crlf: 1, cr: 1 });
    expect(await ahead.get(files[3]!)!.result).toBeNull();
    await expect(scanFile(files[3]!)).rejects.toThrow(/ENOENT/);
  });

  it('can be stopped: a stopped scan resolves to null and the load scans the file itself', async () => {
    const dir = tempDir({ 'big.csv': 'x\n'.repeat(5_000_000) });
    const ahead = scanAhead([path.join(dir, 'big.csv')]);
    ahead.get(path.join(dir, 'big.csv'))!.stop();
    expect(await ahead.get(path.join(dir, 'big.csv'))!.result).toBeNull();
  });
});
