/**
 * How a long step says how far it has come, in its own units (rows, trees, messages): the
 * library reports, the CLI draws it on a terminal (elsewhere nothing is drawn). A step may run
 * several phases in turn, each started anew.
 */
export interface Progress {
  /** A phase of `total` units begins (`label` names it: "training", "digests"). */
  start(label: string, total: number, unit: string): void;
  /** `n` more units done. */
  advance(n?: number): void;
  /** The phase has ended. */
  finish(): void;
}

/** Progress nobody watches. */
export const noProgress: Progress = { start: () => undefined, advance: () => undefined, finish: () => undefined };
