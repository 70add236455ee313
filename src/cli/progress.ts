import { SingleBar } from 'cli-progress';
import type { Progress } from '../core/progress.js';
import { noProgress } from '../core/progress.js';

/**
 * Progress drawn on the terminal (stderr) with elapsed time and an estimate of what is left, in
 * the step's own units; nothing when stderr is not a terminal or the output is --json (a script
 * reading the output gets the result only).
 */
export function terminalProgress(json: boolean, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (json || !stream.isTTY) return noProgress;
  let bar: SingleBar | undefined;
  return {
    start(label, total, unit) {
      bar?.stop();
      bar = new SingleBar({
        format: ' {label} {bar} {value}/{total} {unit} | {duration_formatted} | ~{eta_formatted} left',
        stream,
        hideCursor: true,
        clearOnComplete: true,
        etaBuffer: 50,
        fps: 5,
      });
      bar.start(total, 0, { label, unit });
    },
    advance(n = 1) {
      bar?.increment(n);
    },
    finish() {
      bar?.stop();
      bar = undefined;
    },
  };
}
