/**
 * Reads of warehouse data that only another process changes (the night's ingest, scoring, a
 * promoted model), kept until the warehouse is opened again: between two openings only the
 * workspace writes, and it never writes these. Bounded: the least recently used goes first.
 *
 * A read that started before the warehouse was reopened is answered but not kept (its data may
 * be from before the night).
 */
export class KeptReads {
  private readonly kept = new Map<string, unknown>();
  private generation = 0;

  constructor(private readonly max: number) {}

  async get<T>(key: string, read: () => Promise<T>): Promise<T> {
    if (this.kept.has(key)) {
      const value = this.kept.get(key) as T;
      // Most recently used last: Map keeps insertion order.
      this.kept.delete(key);
      this.kept.set(key, value);
      return value;
    }
    const generation = this.generation;
    const value = await read();
    if (generation === this.generation) {
      this.kept.set(key, value);
      if (this.kept.size > this.max) this.kept.delete(this.kept.keys().next().value!);
    }
    return value;
  }

  /** Forgets everything: the warehouse was opened again. */
  clear(): void {
    this.generation++;
    this.kept.clear();
  }

  get size(): number {
    return this.kept.size;
  }
}
