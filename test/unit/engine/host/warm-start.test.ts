// Warm start (continued training): for every registered method, a run prepared from a stored
// adapter starts with exactly that adapter's outputs (logits equal within 1e-6 before any step),
// where a fresh adapter of the same config does not, and nothing leaks tensors.
import 'fake-indexeddb/auto';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adapterRecordFrom } from '../../../../src/engine/host/adapters';
import { checkWarmStart, warmStartFor } from '../../../../src/engine/host/training/warm-start';
import type { LoadedModel } from '../../../../src/model/model';
import { saveAdapter } from '../../../../src/storage/adapters-repo';
import { addExample } from '../../../../src/storage/examples-repo';
import { allMethods } from '../../../../src/tuning/registry';
import { prepareTraining } from '../../../../src/tuning/train/prepare';
import type { TuningMethod } from '../../../../src/tuning/types';
import { adapterContext, inputLogits, loadFixture, maxAbsDiff, perturb, smallConfig, useCpu } from '../../tuning/helpers';
import { freshDb } from './helpers';

// Methods that say why they cannot continue (continueRefusal) are refused; every other one must restore.
const methods = allMethods().map((method) => [method.name, method] as [string, TuningMethod]);
const restorable = methods.filter(([, method]) => !method.continueRefusal);
const IDS = [
  [5, 17, 42, 99, 3, 250, 7, 8],
  [1, 2, 3, 4, 5, 6, 7, 8],
];
const EXAMPLES = Array.from({ length: 4 }, (_, i) => ({ instruction: `Say ${i}`, output: `number ${i}` }));

describe('warm start from a stored adapter', () => {
  let model: LoadedModel;
  beforeAll(async () => {
    await useCpu();
    model = await loadFixture('tiny-llama');
  });
  afterAll(() => model.dispose());

  it.each(restorable)('%s: the prepared run reproduces the stored adapter before any step', async (_name, method) => {
    const db = await freshDb();
    const heldOut = await addExample(db, { instruction: 'Held out', output: 'kept apart' });
    if (heldOut.status !== 'added') throw new Error('example not saved');
    const trained = method.create(smallConfig(method, model), adapterContext(model, 11));
    perturb(trained, 5);
    const record = await adapterRecordFrom(trained, { id: 'a1', name: 'Mine', modelId: 'tiny-llama', now: 1 });
    await saveAdapter(db, record);
    const logits = (adapter: Parameters<typeof inputLogits>[1]) => tf.tidy(() => inputLogits(model, adapter, IDS));
    const expected = logits(trained);
    trained.dispose();
    const before = tf.memory().numTensors;

    const active = { id: 'tiny-llama', peftBaseId: 'fixture', model };
    const plan = { adapterId: 'a1', name: 'Mine', method: method.name, fromVersion: 1, newIds: [], replayIds: [], heldOutIds: [heldOut.example.id] };
    const warm = await warmStartFor(db, plan, active);
    expect(warm.heldOut).toEqual([{ instruction: 'Held out', input: '', output: 'kept apart' }]);
    const warmRun = prepareTraining({ model, baseModelId: 'fixture', method: method.name, methodConfig: warm.config, examples: EXAMPLES, initialVariables: warm.variables, memoryLimits: null });
    const coldRun = prepareTraining({ model, baseModelId: 'fixture', method: method.name, methodConfig: warm.config, examples: EXAMPLES, memoryLimits: null });
    const warmLogits = logits(warmRun.adapter);
    const coldLogits = logits(coldRun.adapter);
    expect(maxAbsDiff(warmLogits, expected)).toBeLessThanOrEqual(1e-6);
    // Not vacuous: a fresh adapter with the same config answers differently.
    expect(maxAbsDiff(coldLogits, expected)).toBeGreaterThan(1e-3);
    for (const run of [warmRun, coldRun]) {
      run.trainer.dispose();
      run.adapter.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
    db.close();
  });

  const refused = methods.filter(([, method]) => method.continueRefusal !== undefined);
  it('p-tuning and prefix tuning say why they cannot continue', () => expect(refused.map(([name]) => name).sort()).toEqual(['p-tuning', 'prefix-tuning']));

  it.each(refused)('%s: continuing is refused with its reason, before any run', async (_name, method) => {
    const db = await freshDb();
    const trained = method.create(smallConfig(method, model), adapterContext(model, 11));
    await saveAdapter(db, await adapterRecordFrom(trained, { id: 'a1', name: 'Mine', modelId: 'tiny-llama', now: 1 }));
    trained.dispose();
    const before = tf.memory().numTensors;
    const active = { id: 'tiny-llama', peftBaseId: 'fixture', model };
    const plan = { adapterId: 'a1', name: 'Mine', method: method.name, fromVersion: 1, newIds: [], replayIds: [], heldOutIds: [] };
    await expect(warmStartFor(db, plan, active)).rejects.toMatchObject({ key: 'error.cannot-continue' });
    await expect(checkWarmStart(db, 'a1', active)).rejects.toMatchObject({ key: 'error.cannot-continue' });
    expect(tf.memory().numTensors).toBe(before);
    db.close();
  });
});
