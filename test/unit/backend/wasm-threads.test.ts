// The threaded WASM build started for real in Node: the pthread worker served as a file (not a
// blob:), XNNPACK's pool at the size asked for, and products that agree with a float64 reference.
import * as tf from '@tensorflow/tfjs';
import os from 'node:os';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { initBackend } from '../../../src/backend/init';
import { shippedThreadedWorker } from '../../../src/backend/wasm-assets-node';
import { wasmPrefixForNode, wasmThreadingForNode } from '../../../src/backend/wasm-node';
import {
  WORKER_BLOB_IMPORT,
  defaultThreadCount,
  threadedWorkerScript,
} from '../../../src/backend/wasm-threads';

const nodeEnvironment = { webgpuAdapter: null, webgl: false, wasm: true };

afterAll(async () => {
  await tf.setBackend('cpu');
});


test('the served worker imports the main script from the given file, never from a blob:', () => {
  const shipped = shippedThreadedWorker();
  // The installed tfjs still has the statement the rewrite replaces (fails on a tfjs upgrade that changes it).
  expect(shipped).toContain(WORKER_BLOB_IMPORT);
  const served = threadedWorkerScript(shipped, './tfjs-backend-wasm-threaded-simd.js');
  expect(served).not.toContain('createObjectURL(e.data.urlOrBlob)');
  expect(served).toContain('importScripts("./tfjs-backend-wasm-threaded-simd.js")');
  // One line, as tfjs makes its blob: the newlines inside string literals stay escapes.
  expect(served).not.toContain('\n');
  expect(() => new Function(served)).not.toThrow();
  expect(() => threadedWorkerScript('self.onmessage=()=>{}', './main.js')).toThrow(/main script was not found/);
});

test('thread counts: every core up to 4, then half the logical cores, at most 8', () => {
  expect([0, 1, 2, 3, 4, 6, 8, 16, 64].map(defaultThreadCount)).toEqual([1, 1, 2, 3, 4, 3, 4, 8, 8]);
  expect(wasmThreadingForNode({})).toBeNull();
  expect(wasmThreadingForNode({ ATTUNE_WASM_THREADS: '1' })).toBeNull();
  expect(wasmThreadingForNode({ ATTUNE_WASM_THREADS: 'auto' })?.threads ?? 1).toBe(defaultThreadCount(os.availableParallelism()));
  expect(wasmThreadingForNode({ ATTUNE_WASM_THREADS: '3' })?.threads).toBe(3);
  // A typo is refused, not read as one thread.
  for (const typo of ['abc', '', '0', '-2', '1.5', '2 ', 'two']) {
    expect(() => wasmThreadingForNode({ ATTUNE_WASM_THREADS: typo })).toThrow(`ATTUNE_WASM_THREADS must be "auto" or a whole number of threads (1 or more), not "${typo}"`);
  }
});

test('the CLI refuses a misspelt ATTUNE_WASM_THREADS with one line and exit code 2', () => {
  const child = spawnSync(process.execPath, [join(import.meta.dirname, '..', '..', '..', 'bin', 'attune.mjs'), 'generate', '--model', 'default', '--prompt', 'hi', '--backend', 'wasm'], {
    env: { ...process.env, ATTUNE_WASM_THREADS: 'abc' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(child.status).toBe(2);
  expect(child.stderr.trim().split('\n')).toEqual([expect.stringContaining('ATTUNE_WASM_THREADS must be "auto" or a whole number of threads (1 or more), not "abc"')]);
  expect(child.stdout).toBe('');
});

test('Node starts the threaded build with 2 threads and its products match a float64 reference', async () => {
  const cores = os.cpus().length;
  const createObjectURL = URL.createObjectURL;
  const threading = wasmThreadingForNode({ ATTUNE_WASM_THREADS: '2' })!;
  const active = await initBackend({ override: 'wasm', environment: nodeEnvironment, wasmPrefix: wasmPrefixForNode(), wasmThreads: threading });
  expect(active.name).toBe('wasm');
  expect(active.threads).toBe(2);
  expect(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')).toBe(true);
  // What was changed for the start is back.
  expect(os.cpus().length).toBe(cores);
  expect(URL.createObjectURL).toBe(createObjectURL);

  const [m, k, n] = [96, 200, 160];
  const a = Float32Array.from({ length: m * k }, (_, i) => Math.sin(i * 0.37));
  const b = Float32Array.from({ length: k * n }, (_, i) => Math.cos(i * 0.11));
  const before = tf.memory().numTensors;
  const product = tf.tidy(() => tf.matMul(tf.tensor2d(a, [m, k]), tf.tensor2d(b, [k, n])));
  const got = await product.data();
  product.dispose();
  expect(tf.memory().numTensors).toBe(before);
  let worst = 0;
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let p = 0; p < k; p++) sum += a[i * k + p]! * b[p * n + j]!;
      worst = Math.max(worst, Math.abs(got[i * n + j]! - sum));
    }
  expect(worst).toBeLessThan(1e-3);
});

test('a Node process that started the threaded backend exits by itself when its work is done', () => {
  // Emscripten keeps a worker that runs a pthread referenced; the pool's threads run for the
  // backend's lifetime, so without unreferencing them the CLI and the bench never exit.
  const child = spawnSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'fixtures', 'threaded-exit.ts')], {
    env: { ...process.env, ATTUNE_WASM_THREADS: '2' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(child.error).toBeUndefined();
  expect(child.status).toBe(0);
  expect(JSON.parse(child.stdout.trim().split('\n').at(-1)!)).toEqual({ threads: 2, value: 64 });
});
