import { parentPort, workerData } from 'node:worker_threads';
import { scanFile } from './file-scan.js';

/** scanAhead's worker: one file's SHA-256 and line endings, off the main thread. */
parentPort!.postMessage(await scanFile((workerData as { file: string }).file));
