// Where the tfjs WASM binaries come from. In extension pages they are copied into the build at
// /wasm/ by modules/tfjs-wasm-assets.ts (never fetched from a CDN: MV3 forbids remote code and
// Attune works offline). Node callers pass a node_modules path (see backend-wasm-node.ts).
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

/** Folder, relative to the extension (or PWA) root, that holds the .wasm files. */
export const WASM_PUBLIC_DIR = '/wasm/';
export const WASM_FILES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm'] as const;

/** The URL prefix of the copied binaries for the page this code runs in. */
export function wasmPrefixForPage(): string {
  const runtime = (globalThis as { chrome?: { runtime?: { getURL?: (p: string) => string } } }).chrome
    ?.runtime;
  if (runtime?.getURL) return runtime.getURL(WASM_PUBLIC_DIR);
  return new URL(WASM_PUBLIC_DIR, globalThis.location?.href ?? 'http://localhost/').href;
}

/**
 * Points tfjs at the binaries and turns threads off: the threaded build needs SharedArrayBuffer,
 * which extension pages do not get (they are not cross-origin isolated), so tfjs must not pick it.
 * Must run before tf.setBackend('wasm').
 */
export function configureWasm(prefix: string, options: { threads: boolean }): void {
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', options.threads);
  setWasmPaths(prefix.endsWith('/') ? prefix : `${prefix}/`);
}
