import { parentPort, workerData } from 'node:worker_threads';
import { eliminate, sharedBarrier, type InverseWorkerData } from './spd-inverse.js';

const data = workerData as InverseWorkerData;
eliminate(data.matrix, data.n, data.thread, data.threads, sharedBarrier(data.state, data.threads), new Float64Array(data.n));
parentPort?.postMessage('done');
