import { workerData, type MessagePort } from 'node:worker_threads';
import { helperLoop, type BoostData } from './boost-threads.js';

/** Does its share of every job the boosting thread posts, over shared memory. */
helperLoop(workerData as { data: BoostData; ctl: Int32Array; t: number; threads: number; errors: MessagePort });
