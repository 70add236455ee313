import { workerData } from 'node:worker_threads';
import { helperLoop, type HistogramData } from './histograms.js';

/** Builds its share of every node histogram the boosting thread asks for, over shared memory. */
helperLoop(workerData as { data: HistogramData; ctl: Int32Array });
