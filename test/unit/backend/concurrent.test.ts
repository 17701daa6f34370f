// Overlapping initBackend() calls, as when a person changes the backend select while the view's
// first start is still running. A file of its own: the WASM backend must not be initialised yet,
// so its start is asynchronous and really overlaps the other call.
import * as tf from '@tensorflow/tfjs';
import { afterEach, expect, test } from 'vitest';
import { getActiveBackend, initBackend } from '../../../src/backend/init';
import { wasmPrefixForNode } from '../../../src/backend/wasm-node';

const environment = { webgpuAdapter: null, webgl: false, wasm: true };
const options = { environment, wasmPrefix: wasmPrefixForNode() };

afterEach(async () => {
  await tf.setBackend('cpu');
});

test('two overlapping starts of WASM both get WASM, and neither falls through to CPU', async () => {
  // Before the queue, the first start's WASM init was superseded by the second's, reported as
  // "wasm failed to initialise", and its caller moved on to CPU.
  const [first, second] = await Promise.all([
    initBackend({ ...options, override: 'auto' }),
    initBackend({ ...options, override: 'wasm' }),
  ]);
  expect(first).toMatchObject({ name: 'wasm', skipped: [] });
  expect(second).toMatchObject({ name: 'wasm', requested: 'wasm', skipped: [] });
  expect(tf.getBackend()).toBe('wasm');
});

test('the request made last holds once every start has settled', async () => {
  await tf.setBackend('cpu');
  const slow = initBackend({ ...options, override: 'wasm' });
  const last = initBackend({ ...options, override: 'cpu' });
  await Promise.all([slow, last]);
  expect((await last).name).toBe('cpu');
  expect(tf.getBackend()).toBe('cpu');
  // The engine's backend instance agrees with its name (overlapping setBackend calls could leave
  // the name 'cpu' with the WASM instance behind it).
  expect(tf.engine().backend).toBe(tf.engine().findBackend('cpu'));
  expect(getActiveBackend()?.name).toBe('cpu');
});

test('a start that throws does not block the next one', async () => {
  // An environment that cannot even be read: the start rejects, and the queue must move on.
  const unreadable = {
    get wasm(): boolean {
      throw new Error('environment unreadable');
    },
  } as unknown as typeof environment;
  const failing = initBackend({ ...options, environment: unreadable, override: 'wasm' });
  const next = initBackend({ ...options, override: 'wasm' });
  await expect(failing).rejects.toThrow('environment unreadable');
  expect((await next).name).toBe('wasm');
});
