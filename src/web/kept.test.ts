import { describe, expect, it } from 'vitest';
import { KeptReads } from './kept.js';

describe('KeptReads', () => {
  it('reads once per key until cleared', async () => {
    const kept = new KeptReads(10);
    let reads = 0;
    const read = async () => ++reads;
    expect(await kept.get('a', read)).toBe(1);
    expect(await kept.get('a', read)).toBe(1);
    kept.clear();
    expect(await kept.get('a', read)).toBe(2);
  });

  it('forgets the least recently used first', async () => {
    const kept = new KeptReads(2);
    await kept.get('a', async () => 'a1');
    await kept.get('b', async () => 'b1');
    await kept.get('a', async () => 'a2'); // used: b is now the oldest
    await kept.get('c', async () => 'c1');
    expect(kept.size).toBe(2);
    expect(await kept.get('a', async () => 'a3')).toBe('a1');
    expect(await kept.get('b', async () => 'b2')).toBe('b2');
  });

  it('does not keep a read that began before the warehouse was reopened', async () => {
    const kept = new KeptReads(10);
    let release!: () => void;
    const before = kept.get('a', () => new Promise<string>((r) => (release = () => r('from before the night'))));
    kept.clear();
    release();
    expect(await before).toBe('from before the night');
    expect(await kept.get('a', async () => 'after')).toBe('after');
  });
});
