// Build time (Node): the files the WASM backend loads from /wasm/ in the extension and the PWA
// (modules/tfjs-wasm-assets.ts, vite.pwa.config.ts), taken from the installed tfjs-backend-wasm so
// they always match it. The pthread worker is generated: tfjs's own, importing the main script
// from the file next to it instead of a blob: (see wasm-threads.ts).
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { THREADED_MAIN_SCRIPT, THREADED_WASM, THREADED_WORKER_SCRIPT, threadedWorkerScript } from './wasm-threads';

export type WasmAsset = { name: string; absoluteSrc: string } | { name: string; contents: string };

const require = createRequire(import.meta.url);

/** The installed @tensorflow/tfjs-backend-wasm package's folder. */
export function wasmPackageDir(): string {
  return dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
}

/** tfjs's own pthread worker script (`wasmWorkerContents`), as the installed package ships it. */
export function shippedThreadedWorker(): string {
  return (require(join(wasmPackageDir(), 'wasm-out', THREADED_WORKER_SCRIPT)) as { wasmWorkerContents: string })
    .wasmWorkerContents;
}

export function wasmAssets(): WasmAsset[] {
  const packageDir = wasmPackageDir();
  return [
    { name: 'tfjs-backend-wasm.wasm', absoluteSrc: join(packageDir, 'dist', 'tfjs-backend-wasm.wasm') },
    { name: 'tfjs-backend-wasm-simd.wasm', absoluteSrc: join(packageDir, 'dist', 'tfjs-backend-wasm-simd.wasm') },
    { name: THREADED_WASM, absoluteSrc: join(packageDir, 'dist', THREADED_WASM) },
    { name: THREADED_MAIN_SCRIPT, absoluteSrc: join(packageDir, 'wasm-out', THREADED_MAIN_SCRIPT) },
    // Relative: resolved against the worker's own URL, i.e. the same /wasm/ folder.
    { name: THREADED_WORKER_SCRIPT, contents: threadedWorkerScript(shippedThreadedWorker(), `./${THREADED_MAIN_SCRIPT}`) },
  ];
}
