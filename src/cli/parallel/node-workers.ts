// Gradient workers as Node worker_threads: each thread is its own realm with its own tfjs and
// wasm instance (its own 4 GiB heap, its own core). A thread keeps the process alive only while
// the leader awaits its reply (every init and step message gets exactly one), so a leader that
// ends never waits on an idle worker; every one is terminated when the run closes or any fails.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { StartWorker } from '../../tuning/train/parallel/leader';

const THREAD = new URL('./thread.ts', import.meta.url);
const TSX_API = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api')).href;

/**
 * The thread's first code: the entry is TypeScript, so it registers tsx's loader first, as
 * bin/attune.mjs does (`execArgv: ['--import', 'tsx']` does not reach a worker's main script on
 * Node 20: it is refused as an unknown extension before the loader runs).
 */
function bootstrap(script: URL): string {
  return `import(${JSON.stringify(TSX_API)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(script.href)}); });`;
}

export interface NodeWorkers {
  start: StartWorker;
  /** Threads started and not yet exited (an exit is counted when Node reports it). */
  running(): number;
}

/** `script` replaces the thread entry (tests start a worker that fails on purpose). */
export function nodeWorkers(script: URL = THREAD): NodeWorkers {
  let running = 0;
  const start: StartWorker = (events) => {
    const worker = new Worker(bootstrap(script), { eval: true });
    running += 1;
    let stopping = false;
    const exited = new Promise<void>((resolve) =>
      worker.once('exit', (code) => {
        running -= 1;
        if (!stopping) events.failure(`its thread exited (code ${code})`);
        resolve();
      }),
    );
    worker.on('message', (message: unknown) => {
      worker.unref();
      events.message(message);
    });
    worker.on('error', (error: unknown) => {
      // After an uncaught error the thread exits; report the error, not the exit.
      stopping = true;
      events.failure(error instanceof Error ? error.message : String(error));
    });
    return {
      post: (message) => {
        if (message.type === 'dispose') worker.unref();
        else worker.ref();
        worker.postMessage(message);
      },
      terminate: async () => {
        stopping = true;
        await worker.terminate();
        await exited;
      },
    };
  };
  return { start, running: () => running };
}
