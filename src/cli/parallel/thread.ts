// The entry of one gradient worker thread (worker_threads, run under tsx): answers the leader's
// messages (src/tuning/train/parallel/worker.ts) with the model load.ts gives it.
import { parentPort } from 'node:worker_threads';
import type { LeaderMessage } from '../../tuning/train/parallel/protocol';
import { gradientWorker } from '../../tuning/train/parallel/worker';
import { loadWorkerModel } from './load';

const port = parentPort;
if (!port) throw new Error('thread.ts runs as a worker thread');
// tfjs's one-time notices (backend registration, …) concern the leader's log only.
console.warn = () => {};
const handle = gradientWorker({ post: (reply, transfer) => port.postMessage(reply, transfer), loadModel: loadWorkerModel });
port.on('message', (message: LeaderMessage) => void handle(message));
