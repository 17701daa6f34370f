// The repositories under a full disk: fake-indexeddb's put/add throw QuotaExceededError (as a
// browser does when the quota is reached). The write is refused as StorageFullError with its
// code, and the record that was there before is still there, unchanged.
import './helpers';
import { afterEach, expect, test } from 'vitest';
import { getAdapter, listAdapters, saveAdapter } from '../../../src/storage/adapters-repo';
import { StorageFullError } from '../../../src/storage/errors';
import type { AdapterRecord, TrainingRunRecord } from '../../../src/storage/schema';
import { getTrainingRun, saveTrainingRun, updateTrainingRun } from '../../../src/storage/training-runs-repo';
import { freshDb } from './helpers';
import { refuseWrites, type QuotaFault } from './quota-fault';

let fault: QuotaFault | null = null;
afterEach(() => {
  fault?.restore();
  fault = null;
});

const adapter: AdapterRecord = {
  id: 'a1',
  name: 'first',
  method: 'lora',
  modelId: 'm1',
  config: { r: 8 },
  weights: new Float32Array([1, 2, 3]).buffer,
  createdAt: 1,
  updatedAt: 1,
};

test('saving an adapter over an existing one under quota: StorageFullError (code storage-full), the stored adapter unchanged', async () => {
  const db = await freshDb();
  await saveAdapter(db, adapter);
  fault = refuseWrites(['adapters']);
  const error = await saveAdapter(db, {
    ...adapter,
    name: 'renamed',
    weights: new Float32Array(1000).buffer,
    updatedAt: 2,
  }).catch((e: unknown) => e);
  expect(fault.refused).toBe(1);
  expect(error).toBeInstanceOf(StorageFullError);
  expect(error).toMatchObject({
    code: 'storage-full',
    message: expect.stringMatching(/^Browser storage for Attune is full, so nothing was saved/),
  });
  expect(await getAdapter(db, 'a1')).toEqual(adapter);
  expect(await listAdapters(db)).toEqual([adapter]);
});

test('a checkpoint written into a run under quota: StorageFullError, the previous checkpoint unchanged', async () => {
  const db = await freshDb();
  const checkpoint = { step: 2 } as unknown as NonNullable<TrainingRunRecord['checkpoint']>;
  const run: TrainingRunRecord = {
    id: 'r1',
    modelId: 'm1',
    method: 'lora',
    status: 'running',
    config: {},
    metrics: [
      { step: 1, loss: 2 },
      { step: 2, loss: 1.5 },
    ],
    startedAt: 1,
    checkpoint,
  };
  await saveTrainingRun(db, run);
  fault = refuseWrites(['trainingRuns']);
  await expect(
    updateTrainingRun(db, 'r1', (r) => ({
      ...r,
      checkpoint: { ...checkpoint, step: 4 },
      metrics: [...r.metrics, { step: 3, loss: 1 }],
    })),
  ).rejects.toMatchObject({ code: 'storage-full' });
  expect(await getTrainingRun(db, 'r1')).toEqual(run);
});
