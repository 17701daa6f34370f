// Threads for the tfjs WASM backend. Its threaded SIMD build runs XNNPACK's matrix products on a
// pthread pool (measured here with 2 threads on SmolLM2-135M's block shapes: 1.2–2.2× the
// one-thread GFLOP/s). tfjs starts those pthreads from a worker script it turns into a blob: URL,
// and each worker imports the main script from a second blob:. Node's worker_threads cannot start
// blob: URLs, and extension pages' CSP (`script-src 'self'`, which MV3 cannot widen to blob:)
// refuses them, so Attune serves the worker as a real file: the shipped script with its import of
// the main script pointed at a file next to it. While the backend starts, that file is what
// tfjs gets when it asks for the worker's URL.
//
// tfjs also sizes XNNPACK's pool from half the logical cores the runtime reports, whatever
// setThreadsCount asks (tfjs#8513), so for the moment the backend starts the runtime reports
// twice the threads wanted.
import { setThreadsCount } from '@tensorflow/tfjs-backend-wasm';

/** The statement in tfjs-wasm 4.22's pthread worker that imports the main script from a blob:. */
export const WORKER_BLOB_IMPORT =
  'var objectUrl=URL.createObjectURL(e.data.urlOrBlob);importScripts(objectUrl);URL.revokeObjectURL(objectUrl)';

/** The worker and main script of the threaded build, as tfjs-backend-wasm ships them. */
export const THREADED_MAIN_SCRIPT = 'tfjs-backend-wasm-threaded-simd.js';
export const THREADED_WORKER_SCRIPT = 'tfjs-backend-wasm-threaded-simd.worker.js';
export const THREADED_WASM = 'tfjs-backend-wasm-threaded-simd.wasm';

/**
 * The pthread worker script to serve as a file: tfjs's own (`wasmWorkerContents`), importing the
 * main script from `mainScriptUrl` (resolved against the worker's own URL) instead of a blob:.
 */
export function threadedWorkerScript(shipped: string, mainScriptUrl: string): string {
  if (!shipped.includes(WORKER_BLOB_IMPORT)) {
    throw new Error("tfjs-backend-wasm's pthread worker has changed: its import of the main script was not found");
  }
  // tfjs escapes newlines the same way before it makes its blob: the script's string literals
  // hold "\n" escapes that the module's template literal turned into real newlines.
  return shipped.replace(/\n/g, '\\n').replace(WORKER_BLOB_IMPORT, `importScripts(${JSON.stringify(mainScriptUrl)})`);
}

export interface WasmThreading {
  /** What tfjs gets as the worker's URL: an extension URL in pages, a file path in Node. */
  workerUrl: string;
  /** XNNPACK pool size wanted (more than 1, or threads are not worth starting). */
  threads: number;
  /** Makes the runtime report `cores` logical cores until the returned function is called. */
  reportCores(cores: number): () => void;
  /** Runs once the backend has started (Node: lets the process exit despite the pool's threads). */
  afterStart?: () => void;
}

/**
 * Threads to use for `logicalCores`. Up to 4 logical cores are taken as physical ones (small
 * machines, VMs); above that half, since such CPUs mostly run two hardware threads per core and
 * XNNPACK's products gain nothing from the second; at most 8.
 */
export function defaultThreadCount(logicalCores: number): number {
  if (!Number.isFinite(logicalCores) || logicalCores < 1) return 1;
  if (logicalCores <= 4) return Math.floor(logicalCores);
  return Math.min(8, Math.floor(logicalCores / 2));
}

/** Runs `start` (tfjs's wasm backend start) with the worker file and core count tfjs must see. */
export async function startWithThreads<T>(threading: WasmThreading, start: () => Promise<T>): Promise<T> {
  setThreadsCount(threading.threads);
  const restoreCores = threading.reportCores(2 * threading.threads);
  const createObjectURL = URL.createObjectURL;
  // Only tfjs's worker blob is typed application/javascript (its main-script blob is
  // text/javascript and is never made into a URL on this thread).
  URL.createObjectURL = (object: Blob | MediaSource) =>
    object instanceof Blob && object.type === 'application/javascript'
      ? threading.workerUrl
      : createObjectURL.call(URL, object);
  try {
    const started = await start();
    threading.afterStart?.();
    return started;
  } finally {
    URL.createObjectURL = createObjectURL;
    restoreCores();
  }
}

/** Page side: reports `cores` through navigator.hardwareConcurrency (an own property, removed after). */
export function reportNavigatorCores(cores: number): () => void {
  const nav = globalThis.navigator as (Navigator & { hardwareConcurrency: number }) | undefined;
  if (!nav) return () => {};
  Object.defineProperty(nav, 'hardwareConcurrency', { value: cores, configurable: true });
  return () => {
    delete (nav as { hardwareConcurrency?: number }).hardwareConcurrency;
  };
}
