// A method whose result is a whole model (full fine-tuning), run through the real engine host on
// tfjs-cpu with the real model store (memory files, fake-indexeddb), on the shipped model: the run
// ends with a new model in the store, not an adapter; its stored weights load and give exactly the
// trained model's logits (not the base's); a failed write keeps nothing. The name and failed-write
// tests serve the tiny Llama fixture as the bundled model instead: what they check (the name kept,
// nothing kept after a refused write) does not depend on the model's size, and a run on the shipped
// model costs about 12 s of CPU (its before/after comparison generates 240 tokens).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import type { EngineHost } from '../../../../src/engine/host/host';
import { modelStoreSource } from '../../../../src/engine/host/model-store-source';
import { forward } from '../../../../src/model/forward';
import { loadModel, type LoadedModel } from '../../../../src/model';
import { BUNDLED_MODEL_ID } from '../../../../src/model-store/bundled';
import { ModelStore } from '../../../../src/model-store/model-store';
import { listAdapters } from '../../../../src/storage/adapters-repo';
import { getTrainingRun } from '../../../../src/storage/training-runs-repo';
import { adaptedModel } from '../../../../src/tuning/adapted-model';
import { getMethod } from '../../../../src/tuning/registry';
import type { Adapter } from '../../../../src/tuning/types';
import { MemoryFileStore } from '../../model-store/memory-file-store';
import { refuseWrites, type QuotaFault } from '../../storage/quota-fault';
import { createHost, freshDb, seedExamples, TestClient } from './helpers';

const SHIPPED = join(__dirname, '..', '..', '..', '..', 'public', 'model');
const TINY_LLAMA = join(__dirname, '..', '..', '..', 'fixtures', 'models', 'tiny-llama');
const folderFile = (folder: string, name: string): Uint8Array | null =>
  existsSync(join(folder, name)) ? new Uint8Array(readFileSync(join(folder, name))) : null;
const shippedFile = (name: string): Uint8Array | null => folderFile(SHIPPED, name);
const STARTED = Date.UTC(2026, 11, 7, 12, 30);
const QUICK = { maxSteps: 3, lr: 1e-3, minLr: 1e-4, batchSize: 4 };
const ALL = { kind: 'all' } as const;
const PROBE = [[5, 17, 42, 99, 3, 250, 7, 1000]];

/** A memory file store whose writes of one file fail the way a full disk does. */
class FailingFileStore extends MemoryFileStore {
  constructor(private readonly failing: string) {
    super();
  }
  override async write(modelId: string, fileName: string, data: ReadableStream<Uint8Array>): Promise<number> {
    if (fileName === this.failing) {
      await data.cancel();
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    }
    return super.write(modelId, fileName, data);
  }
}

const hosts: EngineHost[] = [];
const models: LoadedModel[] = [];
let fault: QuotaFault | null = null;

/** A host on a fresh store whose bundled model is the folder `bundledFolder` (the shipped model by default). */
async function setUp(files: MemoryFileStore = new MemoryFileStore(), bundledFolder = SHIPPED) {
  const db = await freshDb();
  await seedExamples(db);
  let ids = 0;
  const store = new ModelStore({
    db,
    files,
    bundled: async (name) => {
      const bytes = folderFile(bundledFolder, name);
      return bytes ? new Blob([bytes as Uint8Array<ArrayBuffer>]) : null;
    },
    fetch: () => Promise.reject(new Error('no network in this test')),
    estimate: async () => ({ usage: 0, quota: 1024 ** 3 }),
    newId: () => `trained-${++ids}`,
    now: () => STARTED,
  });
  const host = createHost(db, { everySteps: 1000, everyMs: 1e9 }, modelStoreSource(Promise.resolve(store)));
  hosts.push(host);
  return { db, store, files, client: new TestClient(host) };
}

function logits(model: LoadedModel): Float32Array {
  const out = forward(model, { ids: PROBE });
  const values = out.logits.dataSync() as Float32Array;
  out.logits.dispose();
  return values;
}

const maxAbsDiff = (a: Float32Array, b: Float32Array): number => a.reduce((max, v, i) => Math.max(max, Math.abs(v - b[i]!)), 0);

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

afterEach(() => {
  vi.restoreAllMocks();
  fault?.restore();
  fault = null;
  for (const h of hosts.splice(0)) h.dispose();
  for (const m of models.splice(0)) m.dispose();
});

describe('a full fine-tuning run in the engine', () => {
  // Two runs on the shipped model (full, then LoRA on its result): about 35 s alone on a CI core,
  // more while the other unit worker's file shares the machine; the limit guards a hang only.
  test('ends with a new model in the store (not an adapter) whose weights are the trained ones', { timeout: 150_000 }, async () => {
    const { db, store, files, client } = await setUp();
    const base = await loadModel(await store.readFiles(BUNDLED_MODEL_ID));
    models.push(base);
    const baseLogits = logits(base);
    // The trained model's own logits, taken from the live adapter as the engine writes the files.
    const full = getMethod('full');
    const write = full.modelFiles!.bind(full);
    let trainedLogits: Float32Array | null = null;
    vi.spyOn(full, 'modelFiles').mockImplementation((adapter, baseFiles) => {
      trainedLogits = logits(adaptedModel(base, adapter as Adapter));
      return write(adapter, baseFiles);
    });
    await client.request('model.generate', { prompt: 'Echo apple', adapterId: null, sampling: { maxNewTokens: 1 } }); // loads the model
    const baseline = tf.memory().numTensors;

    const final = await client.request('train.start', { examples: ALL, method: 'full', overrides: QUICK });

    expect(final.error).toBeNull();
    expect(final.phase).toBe('completed');
    expect(final.adapterId).toBeNull();
    expect(final.savedModel).toEqual({ id: 'trained-1', name: 'Attune default · Full fine-tuning · 2026-12-07 12:30' });
    expect(await listAdapters(db)).toEqual([]);
    expect(tf.memory().numTensors).toBe(baseline);
    const run = await getTrainingRun(db, final.runId!);
    expect(run).toMatchObject({ status: 'completed', resultModelId: 'trained-1' });
    expect(run!.adapterId).toBeUndefined();

    const listed = (await store.list()).find((m) => m.id === 'trained-1')!;
    expect(listed).toMatchObject({
      name: final.savedModel!.name,
      family: 'llama',
      parameterCount: getMethod('full').parameterCount({}, base.config),
      active: false,
      trainedFrom: {
        baseModelId: BUNDLED_MODEL_ID,
        baseModelName: 'Attune default',
        method: 'full',
        runId: final.runId,
        trainExamples: final.trainCount,
        heldOutExamples: final.heldOutCount,
        heldOutLossBefore: final.summary!.heldOutLossBefore,
        heldOutLossAfter: final.summary!.heldOutLossAfter,
      },
    });
    // The same files as a model-folder import: the base's config and tokenizer, new weights.
    expect(Object.keys(listed.files).sort()).toEqual(['config.json', 'generation_config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json']);
    expect(files.models.get('trained-1')!.get('tokenizer.json')).toEqual(shippedFile('tokenizer.json'));

    const trained = await loadModel(await store.readFiles('trained-1'));
    models.push(trained);
    const storedLogits = logits(trained);
    expect(trainedLogits).not.toBeNull();
    expect(maxAbsDiff(storedLogits, trainedLogits!)).toBeLessThan(1e-4);
    expect(maxAbsDiff(storedLogits, baseLogits)).toBeGreaterThan(1e-2);

    // It can be chosen for chat and trained further: the engine loads it as the active model.
    await store.setActive('trained-1');
    const again = await client.request('train.start', { examples: ALL, method: 'lora', overrides: { ...QUICK, maxSteps: 1 } });
    expect(again.phase).toBe('completed');
    expect(again.modelId).toBe('trained-1');
  });

  test('a name the person gave is kept', async () => {
    const { store, client } = await setUp(undefined, TINY_LLAMA);
    const final = await client.request('train.start', { examples: ALL, method: 'full', overrides: { ...QUICK, maxSteps: 1 }, name: 'my to-do model' });
    expect(final.savedModel).toEqual({ id: 'trained-1', name: 'my to-do model' });
    expect((await store.list()).map((m) => m.name)).toEqual(['Attune default', 'my to-do model']);
  });

  test('a failed write (weights file or record) fails the run clearly and keeps no model, file or adapter', async () => {
    for (const failure of ['weights file', 'record'] as const) {
      const { db, store, files, client } = await setUp(failure === 'weights file' ? new FailingFileStore('model.safetensors') : undefined, TINY_LLAMA);
      if (failure === 'record') fault = refuseWrites(['models']);
      const final = await client.request('train.start', { examples: ALL, method: 'full', overrides: { ...QUICK, maxSteps: 1 } });
      fault?.restore();
      fault = null;
      expect(final.phase, failure).toBe('failed');
      expect(final.error?.code, failure).toBe('model-storage-full');
      expect(final.savedModel).toBeNull();
      expect((await store.list()).map((m) => m.id)).toEqual([BUNDLED_MODEL_ID]);
      expect([...files.models.keys()], failure).toEqual([]); // the files written before the failure are gone
      expect(await listAdapters(db)).toEqual([]);
      expect(await getTrainingRun(db, final.runId!)).toMatchObject({ status: 'failed' });
    }
  });
});
