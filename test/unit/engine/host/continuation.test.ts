// Planning a continuation from stored data: an adapter from before versions existed (its v1 has no
// ids) gets its examples from its training run's split; held-out ones are never replayed; the plan
// survives the run record round trip (a continued run resumes with the same data).
import 'fake-indexeddb/auto';
import { expect, test } from 'vitest';
import { planContinuation } from '../../../../src/engine/host/training/continuation';
import { newRunRecord, planFromRecord, type RunPlan } from '../../../../src/engine/host/training/run-plan';
import { saveAdapter } from '../../../../src/storage/adapters-repo';
import { importExamples, allExamplesOldestFirst } from '../../../../src/storage/examples-repo';
import { saveTrainingRun } from '../../../../src/storage/training-runs-repo';
import { splitExamples } from '../../../../src/tuning/train/data';
import type { TrainSettings } from '../../../../src/tuning/train/defaults';
import { freshDb } from './helpers';

const draft = (i: number) => ({ draft: { instruction: `Q ${i}`, input: '', output: `A ${i}`, tags: [], sourceUrl: '', sourceTitle: '' }, createdAt: 100 + i });

test('a pre-versions adapter: its run’s split tells old from new; held-out examples stay held out and are never replayed', async () => {
  const db = await freshDb();
  await importExamples(db, Array.from({ length: 30 }, (_, i) => draft(i)));
  const old = (await allExamplesOldestFirst(db)).map((e) => e.id);
  const seed = 1;
  const split = splitExamples(old, seed); // 3 held out, 27 trained
  await saveTrainingRun(db, { id: 'r1', modelId: 'm', method: 'lora', status: 'completed', config: { exampleIds: old, settings: { seed } }, metrics: [], startedAt: 1 });
  await saveAdapter(db, { id: 'a1', name: 'Old', method: 'lora', modelId: 'm', config: {}, weights: new ArrayBuffer(1), createdAt: 2, updatedAt: 2, metrics: { steps: 5, runId: 'r1' } });
  await importExamples(db, Array.from({ length: 4 }, (_, i) => draft(50 + i)));

  for (const replaySeed of [1, 2, 3]) {
    const plan = await planContinuation(db, 'a1', { kind: 'all' }, replaySeed);
    expect(plan.newIds).toHaveLength(4);
    expect(plan.newIds.some((id) => old.includes(id))).toBe(false);
    expect(plan.heldOutIds.sort()).toEqual([...split.heldOut].sort());
    expect(plan.replayIds).toHaveLength(4);
    expect(plan.replayIds.every((id) => split.train.includes(id))).toBe(true);
    expect(plan.fromVersion).toBe(1);
    // Deterministic given the seed.
    expect((await planContinuation(db, 'a1', { kind: 'all' }, replaySeed)).replayIds).toEqual(plan.replayIds);
  }
  expect((await planContinuation(db, 'a1', { kind: 'all' }, 1, 0)).replayIds).toEqual([]);
  expect((await planContinuation(db, 'a1', { kind: 'all' }, 1, 1000)).replayIds).toHaveLength(27);
  db.close();
});

test('a continued run’s plan round-trips through its run record; a damaged one is unreadable', () => {
  // Only its presence matters here; the resume test in host.test.ts checks settings themselves.
  const settings = { seed: 1, maxSteps: 4 } as unknown as TrainSettings;
  const plan: RunPlan = {
    runId: 'r2',
    name: 'Old',
    method: 'lora',
    methodConfig: {},
    selection: { kind: 'all' },
    exampleIds: ['n1', 'o1'],
    overrides: settings,
    modelId: 'm',
    startedAt: 5,
    checkpoint: null,
    curve: [],
    paused: false,
    continuation: { adapterId: 'a1', name: 'Old', method: 'lora', fromVersion: 2, newIds: ['n1'], replayIds: ['o1'], heldOutIds: ['h1'] },
  };
  const record = newRunRecord(plan, { id: 'm', peftBaseId: 'base' }, settings);
  expect(planFromRecord(record)?.continuation).toEqual(plan.continuation);
  expect(planFromRecord({ ...record, config: { ...record.config, continuation: { adapterId: 'a1' } } })).toBeNull();
});
