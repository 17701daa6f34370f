// The engine's model cache reads a model's files while the compute backend starts (neither waits
// for the other), builds the weights only once both are done, and leaves nothing behind when
// either fails.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { ModelCache, type ModelSource } from '../../../../src/engine/host/models';
import { fixtureFiles, MODEL_ID } from './helpers';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

/** A backend start that finishes (or fails) only when the test says so. */
function heldBackend(): { start: () => Promise<void>; release: () => void; fail: (e: Error) => void; started: () => boolean } {
  let release!: () => void;
  let fail!: (e: Error) => void;
  let started = false;
  const done = new Promise<void>((resolve, reject) => {
    release = resolve;
    fail = reject;
  });
  return {
    start: () => {
      started = true;
      return done;
    },
    release: () => release(),
    fail: (e) => fail(e),
    started: () => started,
  };
}

function source(read: ModelSource['read']): ModelSource {
  return {
    activeModelId: async () => MODEL_ID,
    read,
    saveTrainedModel: async () => {
      throw new Error('not used');
    },
  };
}

describe('ModelCache loading', () => {
  test('the files are read while the backend is still starting; the model is built after both', async () => {
    const backend = heldBackend();
    const reads: string[] = [];
    const cache = new ModelCache(
      source(async (id) => {
        reads.push(id);
        return { files: fixtureFiles(), peftBaseId: MODEL_ID };
      }),
      backend.start,
    );
    const before = tf.memory().numTensors;
    const loading = cache.get(MODEL_ID);
    // Let the read run: it must not wait for the backend.
    for (let i = 0; i < 10 && reads.length === 0; i++) await Promise.resolve();
    expect(backend.started()).toBe(true);
    expect(reads).toEqual([MODEL_ID]);
    // No weight is made before the backend is up.
    expect(tf.memory().numTensors).toBe(before);
    backend.release();
    const { model } = await loading;
    expect(tf.memory().numTensors - before).toBe(model.weights.size + 1);
    cache.dispose();
    await Promise.resolve();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(tf.memory().numTensors).toBe(before);
  });

  test('a backend that fails to start fails the load, makes no tensor, and a later load starts afresh', async () => {
    const backend = heldBackend();
    const cache = new ModelCache(source(async () => ({ files: fixtureFiles(), peftBaseId: MODEL_ID })), backend.start);
    const before = tf.memory().numTensors;
    const loading = cache.get(MODEL_ID);
    backend.fail(new Error('no wasm here'));
    await expect(loading).rejects.toThrow('no wasm here');
    expect(tf.memory().numTensors).toBe(before);
    expect(cache.loadedId).toBeNull();
  });

  test('a read that fails fails the load without waiting for the backend', async () => {
    const backend = heldBackend();
    const cache = new ModelCache(
      source(async () => {
        throw new Error('the store lost the file');
      }),
      backend.start,
    );
    await expect(cache.get(MODEL_ID)).rejects.toThrow('the store lost the file');
    expect(backend.started()).toBe(true);
    expect(cache.loadedId).toBeNull();
  });
});
