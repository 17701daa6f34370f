// Node only (CLI, tests, bench): the WASM binaries straight from node_modules, and the threaded
// build's pthread worker written once into a cache folder (worker_threads start files, not blob:).
import * as tf from '@tensorflow/tfjs';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { shippedThreadedWorker, wasmPackageDir } from './wasm-assets-node';
import { THREADED_MAIN_SCRIPT, defaultThreadCount, threadedWorkerScript, type WasmThreading } from './wasm-threads';

export function wasmPrefixForNode(): string {
  return join(wasmPackageDir(), 'dist') + '/';
}

/**
 * Threads for Node, only when `ATTUNE_WASM_THREADS` asks for more than one ("auto":
 * defaultThreadCount of the cores Node may use). By default Node keeps one thread per realm: the
 * CLI spreads training over the cores with gradient workers instead (src/cli/parallel/; 1.83× at
 * 135M against threads' 1.41×), and both at once would run more threads than there are cores.
 */
export function wasmThreadingForNode(env: NodeJS.ProcessEnv = process.env): WasmThreading | null {
  const asked = env.ATTUNE_WASM_THREADS;
  if (asked === undefined) return null;
  const problem = wasmThreadsProblem(asked);
  if (problem) throw new RangeError(problem);
  const threads = asked === 'auto' ? defaultThreadCount(os.availableParallelism()) : Number(asked);
  if (threads <= 1) return null;
  return { workerUrl: nodeWorkerFile(), threads, reportCores: reportOsCores, afterStart: letProcessExit };
}

/**
 * Why an ATTUNE_WASM_THREADS value is not one ("auto" or a whole number of threads, 1 or more);
 * null when it is. A typo must not quietly mean one thread.
 */
export function wasmThreadsProblem(asked: string): string | null {
  if (asked === 'auto' || /^[1-9][0-9]*$/.test(asked)) return null;
  return `ATTUNE_WASM_THREADS must be "auto" or a whole number of threads (1 or more), not "${asked}"`;
}

/**
 * The worker file for this tfjs-backend-wasm install, written where no other install's can be
 * (the folder is named after the package's version and location) and replaced atomically, so
 * two processes starting at once never read half a file.
 */
function nodeWorkerFile(): string {
  const packageDir = wasmPackageDir();
  const { version } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { version: string };
  const script = threadedWorkerScript(shippedThreadedWorker(), join(packageDir, 'wasm-out', THREADED_MAIN_SCRIPT));
  const folder = join(os.tmpdir(), `attune-tfjs-wasm-${version}-${hashOf(packageDir)}`);
  const file = join(folder, 'pthread-worker.cjs');
  let current: string | null = null;
  try {
    current = readFileSync(file, 'utf8');
  } catch {
    // not written yet
  }
  if (current !== script) {
    mkdirSync(folder, { recursive: true });
    const partial = `${file}.${process.pid}.partial`;
    writeFileSync(partial, script);
    renameSync(partial, file);
  }
  return file;
}

function hashOf(text: string): string {
  let hash = 2166136261;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 16777619) >>> 0;
  return hash.toString(16);
}

/** Emscripten reads the core count in Node from os.cpus().length. */
function reportOsCores(cores: number): () => void {
  const cpus = os.cpus;
  const one = cpus()[0];
  os.cpus = () => Array.from({ length: cores }, () => one!);
  return () => {
    os.cpus = cpus;
  };
}

/**
 * XNNPACK's pool threads live as long as the backend, and Emscripten keeps a Node worker that runs
 * a thread referenced, so a CLI run or a bench would never exit by itself once done. The pool is
 * made at start; unreferencing its workers then lets Node exit when nothing else is pending
 * (they still run whenever the backend computes).
 */
function letProcessExit(): void {
  const wasm = (tf.backend() as { wasm?: { PThread?: { runningWorkers?: { unref?: () => void }[] } } }).wasm;
  for (const worker of wasm?.PThread?.runningWorkers ?? []) worker.unref?.();
}
