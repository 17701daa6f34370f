// Where the tfjs WASM binaries come from. In extension pages they are copied into the build at
// /wasm/ by modules/tfjs-wasm-assets.ts (never fetched from a CDN: MV3 forbids remote code and
// Attune works offline). Node callers pass a node_modules path (see backend-wasm-node.ts).
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import {
  THREADED_MAIN_SCRIPT,
  THREADED_WASM,
  THREADED_WORKER_SCRIPT,
  defaultThreadCount,
  reportNavigatorCores,
  type WasmThreading,
} from './wasm-threads';

/** Folder, relative to the extension (or PWA) root, that holds the .wasm files. */
export const WASM_PUBLIC_DIR = '/wasm/';
/**
 * What modules/tfjs-wasm-assets.ts puts there: the single-threaded builds, and the threaded one
 * with its main script and the pthread worker rewritten to import it (wasm-threads.ts).
 */
export const WASM_FILES = [
  'tfjs-backend-wasm.wasm',
  'tfjs-backend-wasm-simd.wasm',
  THREADED_WASM,
  THREADED_MAIN_SCRIPT,
  THREADED_WORKER_SCRIPT,
] as const;

/** The URL prefix of the copied binaries for the page this code runs in. */
export function wasmPrefixForPage(): string {
  const runtime = (globalThis as { chrome?: { runtime?: { getURL?: (p: string) => string } } }).chrome
    ?.runtime;
  if (runtime?.getURL) return runtime.getURL(WASM_PUBLIC_DIR);
  return new URL(WASM_PUBLIC_DIR, globalThis.location?.href ?? 'http://localhost/').href;
}

/**
 * Threads for this page: only a cross-origin-isolated page has SharedArrayBuffer (the extension's
 * pages are isolated by the manifest's cross_origin_* keys; a PWA only where its host sends
 * COOP/COEP). Null where threads cannot start or one core is all there is.
 */
export function wasmThreadingForPage(prefix: string): WasmThreading | null {
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
  if (!isolated || typeof SharedArrayBuffer === 'undefined') return null;
  const threads = defaultThreadCount(globalThis.navigator?.hardwareConcurrency ?? 1);
  if (threads <= 1) return null;
  const folder = prefix.endsWith('/') ? prefix : `${prefix}/`;
  return { workerUrl: `${folder}${THREADED_WORKER_SCRIPT}`, threads, reportCores: reportNavigatorCores };
}

/**
 * Points tfjs at the binaries and tells it whether it may pick the threaded build (it needs
 * SharedArrayBuffer, and the pthread worker served as a file: see wasm-threads.ts).
 * Must run before tf.setBackend('wasm').
 */
export function configureWasm(prefix: string, options: { threads: boolean }): void {
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', options.threads);
  setWasmPaths(prefix.endsWith('/') ? prefix : `${prefix}/`);
}
