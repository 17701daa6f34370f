// Storage running out during training, with the real engine host on tfjs-cpu and the real
// repositories; only fake-indexeddb's object stores are made to refuse writes with
// QuotaExceededError. Saving the adapter fails the run with code 'storage-full' and leaves the
// earlier adapters as they were; a refused checkpoint lets training go on with a visible warning
// and keeps the last good checkpoint, which a restarted engine continues from.
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { EngineHost } from '../../../../src/engine/host/host';
import type { TrainState } from '../../../../src/engine/protocol/types';
import { listAdapters } from '../../../../src/storage/adapters-repo';
import type { TrainingRunRecord } from '../../../../src/storage/schema';
import { getTrainingRun, listTrainingRuns } from '../../../../src/storage/training-runs-repo';
import { refuseWrites, type QuotaFault } from '../../storage/quota-fault';
import { createHost, freshDb, seedExamples, TestClient } from './helpers';

const hosts: EngineHost[] = [];
function host(...args: Parameters<typeof createHost>): EngineHost {
  const h = createHost(...args);
  hosts.push(h);
  return h;
}
let fault: QuotaFault | null = null;

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

afterEach(() => {
  fault?.restore();
  fault = null;
  for (const h of hosts.splice(0)) h.dispose();
});

const QUICK = { maxSteps: 6, lr: 0.01, minLr: 0.001, batchSize: 4 };
const ALL = { kind: 'all' } as const;

/** Checkpoint writes (run records carrying a checkpoint) from `step` on. */
const checkpointsFrom = (step: number) => (value: unknown) => ((value as TrainingRunRecord).checkpoint?.step ?? 0) >= step;

describe('storage full during training', () => {
  test('when the adapter is saved: the run fails with code "storage-full", earlier adapters are unchanged and nothing half-saved is listed', async () => {
    const db = await freshDb();
    await seedExamples(db);
    const h = host(db);
    const client = new TestClient(h);
    await client.request('model.generate', { prompt: 'Echo apple', adapterId: null, sampling: { maxNewTokens: 2 } }); // loads the model
    const baseline = tf.memory().numTensors;
    const previous = await client.request('train.start', { examples: ALL, method: 'lora', overrides: { ...QUICK, maxSteps: 2 }, name: 'earlier' });
    expect(previous.phase).toBe('completed');
    const adaptersBefore = await listAdapters(db);

    fault = refuseWrites(['adapters']);
    const final = await client.request('train.start', { examples: ALL, method: 'lora', overrides: QUICK, name: 'new' });
    expect(fault.refused).toBe(1);
    expect(final.phase).toBe('failed');
    expect(final.adapterId).toBeNull();
    expect(final.error).toEqual({ code: 'storage-full', key: 'error.storage-full.adapter', params: {}, message: expect.stringMatching(/^Browser storage is full, so the trained adapter was not saved/) });
    expect(await listAdapters(db)).toEqual(adaptersBefore); // same records, same weight bytes
    const run = await getTrainingRun(db, final.runId!);
    expect(run).toMatchObject({ status: 'failed', error: final.error!.message });
    expect(run!.adapterId).toBeUndefined();
    expect(run!.checkpoint).toBeUndefined(); // optimizer state of a finished run is dropped, freeing space
    expect(tf.memory().numTensors).toBe(baseline);

    fault.restore(); // space freed: the engine trains and saves again
    const again = await client.request('train.start', { examples: ALL, method: 'lora', overrides: { ...QUICK, maxSteps: 2 }, name: 'again' });
    expect(again.phase).toBe('completed');
    expect((await listAdapters(db)).map((a) => a.name).sort()).toEqual(['again', 'earlier']);
  });

  test('when a checkpoint is written: training goes on with a visible "storage-full" warning, the last good checkpoint stays, and the next one is saved once space is free', async () => {
    const db = await freshDb();
    await seedExamples(db);
    const h = host(db); // a checkpoint every 2 steps
    const client = new TestClient(h);
    await client.request('model.generate', { prompt: 'Echo apple', adapterId: null, sampling: { maxNewTokens: 2 } });
    const baseline = tf.memory().numTensors;

    fault = refuseWrites(['trainingRuns'], checkpointsFrom(4));
    const states: TrainState[] = [];
    let pausedOnce = false;
    h.training.subscribe((s) => {
      states.push(s);
      // Pause at step 5: pausing writes a checkpoint, which is refused too; the run is then idle
      // while we look at what is stored.
      if (s.phase === 'running' && s.step === 5 && !pausedOnce) {
        pausedOnce = true;
        h.training.pause();
      }
    });
    const finished = client.request('train.start', { examples: ALL, method: 'lora', overrides: { ...QUICK, maxSteps: 8 } });
    await expect.poll(() => fault!.refused, { timeout: 30_000 }).toBe(2); // step 4, then the pause at step 5

    const paused = h.training.status();
    expect(paused.phase).toBe('paused');
    expect(paused.step).toBe(5);
    expect(paused.checkpointStep).toBe(2);
    expect(paused.checkpointError).toEqual({
      code: 'storage-full',
      key: 'error.storage-full.checkpoint',
      params: { step: 5, savedStep: 2 },
      message: expect.stringContaining('the checkpoint at step 5 was not saved. Training goes on; if it is interrupted, it continues from step 2'),
    });
    // Training went on after the refused checkpoint at step 4.
    expect(states.find((s) => s.checkpointError !== null)).toMatchObject({ phase: 'running', step: 4, checkpointStep: 2 });
    expect(states.some((s) => s.phase === 'running' && s.step === 5)).toBe(true);
    const stored = (await listTrainingRuns(db))[0]!;
    expect(stored.status).toBe('running');
    expect(stored.checkpoint!.step).toBe(2); // never lost
    expect(stored.metrics.map((m) => m.step)).toEqual([1, 2]);

    fault.restore();
    h.training.resume();
    const final = await finished;
    expect(final.phase).toBe('completed');
    expect(states.find((s) => s.checkpointStep === 7)).toMatchObject({ checkpointError: null }); // saved again: warning gone
    expect(final.checkpointError).toBeNull();
    expect(final.curve.map((p) => p.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(await listAdapters(db)).toHaveLength(1);
    expect(await getTrainingRun(db, final.runId!)).toMatchObject({ status: 'completed', adapterId: final.adapterId });
    expect(tf.memory().numTensors).toBe(baseline);
  });

  test('an engine restarted after refused checkpoints continues from the last good one', async () => {
    const db = await freshDb();
    await seedExamples(db);
    const first = host(db);
    fault = refuseWrites(['trainingRuns'], checkpointsFrom(4));
    first.training.subscribe((s) => {
      if (s.phase === 'running' && s.step === 5) first.training.pause();
    });
    void new TestClient(first).request('train.start', { examples: ALL, method: 'lora', overrides: { ...QUICK, maxSteps: 8 } });
    await expect.poll(() => fault!.refused, { timeout: 30_000 }).toBe(2);
    fault.restore();

    // The first engine is gone (closed browser); a new one finds the run and its checkpoint.
    const second = host(db);
    const resumed = (await second.resumeUnfinished())!;
    expect(resumed.phase).toBe('completed');
    expect(resumed.resumedFromStep).toBe(2);
    expect(resumed.curve.map((p) => p.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(await listAdapters(db)).toHaveLength(1);
  });
});
