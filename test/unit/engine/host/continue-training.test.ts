// Continued training through the engine host (tfjs-cpu, fake-indexeddb): a second run on an
// adapter warm-starts from its weights, trains the new examples plus a seeded replay sample of
// older ones (never held-out ones), and becomes its v2; restoring v1 brings v1's answers back.
import { describe, expect, test } from 'vitest';
import type { TrainState } from '../../../../src/engine/protocol/types';
import { getAdapter } from '../../../../src/storage/adapters-repo';
import { listAdapterVersions, restoreAdapterVersion } from '../../../../src/storage/adapter-versions-repo';
import { importExamples } from '../../../../src/storage/examples-repo';
import { createHost, freshDb, seedExamples, TestClient, useCpuHosts } from './helpers';

const hosts = useCpuHosts();

const QUICK = { maxSteps: 6, lr: 0.05, minLr: 0.001, batchSize: 4 };
const PROMPT = { prompt: 'Echo tiger', sampling: { maxNewTokens: 10 } };

async function addNew(db: Awaited<ReturnType<typeof freshDb>>, count: number): Promise<void> {
  await importExamples(
    db,
    Array.from({ length: count }, (_, i) => ({
      draft: { instruction: `Spell ${i}`, input: '', output: `letter ${i}`, tags: [], sourceUrl: '', sourceTitle: '' },
      createdAt: 5000 + i,
    })),
  );
}

describe('continuing an adapter', () => {
  test('v2 trains new + replayed examples from v1 weights; restore v1 brings its answer back', async () => {
    const db = await freshDb();
    await seedExamples(db); // 20 examples: 2 held out
    const engine = createHost(db);
    hosts.push(engine);
    const client = new TestClient(engine);
    const first = await client.request('train.start', { examples: { kind: 'all' }, method: 'lora', overrides: QUICK, name: 'mine' });
    const adapterId = first.adapterId!;
    const [v1] = await listAdapterVersions(db, adapterId);
    expect(v1).toMatchObject({ version: 1, origin: 'trained', newExamples: 18, replayedExamples: 0 });
    expect(v1!.trainExampleIds).toHaveLength(18);
    expect(v1!.heldOutExampleIds).toHaveLength(2);
    const v1Answer = (await client.request('model.generate', { ...PROMPT, adapterId })).text;

    // Nothing new yet: continuing is refused with its reason.
    await expect(client.request('train.start', { examples: { kind: 'all' }, method: 'lora', continueAdapterId: adapterId })).rejects.toMatchObject({ code: 'no-new-examples' });

    await addNew(db, 3);
    const planned = await client.request('train.defaults', { examples: { kind: 'all' }, method: 'lora', continueAdapterId: adapterId });
    expect(planned.continuation).toEqual({ adapterId, name: 'mine', fromVersion: 1, toVersion: 2, newCount: 3, replayCount: 3, heldOutCount: 2 });
    expect(planned.exampleCount).toBe(6);

    const states: TrainState[] = [];
    const second = await client.request('train.start', { examples: { kind: 'all' }, method: 'lora', overrides: QUICK, continueAdapterId: adapterId }, (s) => states.push(s as TrainState));
    expect(second.phase).toBe('completed');
    expect(second.adapterId).toBe(adapterId);
    expect(states.some((s) => s.continuation?.toVersion === 2)).toBe(true);
    // Warm start: v2's loss before training is v1's held-out loss on the same held-out examples.
    expect(second.summary!.heldOutLossBefore!).toBeCloseTo(first.summary!.heldOutLossAfter!, 5);

    const versions = await listAdapterVersions(db, adapterId);
    expect(versions.map((v) => [v.version, v.origin])).toEqual([[1, 'trained'], [2, 'continued']]);
    const v2 = versions[1]!;
    expect(v2).toMatchObject({ newExamples: 3, replayedExamples: 3, heldOutExampleIds: v1!.heldOutExampleIds });
    const replayed = v2.trainExampleIds.slice(3);
    expect(replayed.every((id) => v1!.trainExampleIds.includes(id))).toBe(true);
    expect(replayed.some((id) => v1!.heldOutExampleIds.includes(id))).toBe(false);
    const current = await getAdapter(db, adapterId);
    expect(current!.version).toBe(2);
    expect(new Uint8Array(current!.weights)).toEqual(new Uint8Array(v2.weights));
    expect(new Uint8Array(v2.weights)).not.toEqual(new Uint8Array(v1!.weights));

    // Restore v1: recorded as v3, v2 kept, and the engine answers as v1 did.
    expect(await restoreAdapterVersion(db, adapterId, 1, 9e12)).toBe(3);
    const after = await listAdapterVersions(db, adapterId);
    expect(after.map((v) => [v.version, v.origin, v.restoredFrom])).toEqual([[1, 'trained', undefined], [2, 'continued', undefined], [3, 'restored', 1]]);
    expect(new Uint8Array((await getAdapter(db, adapterId))!.weights)).toEqual(new Uint8Array(v1!.weights));
    expect((await client.request('model.generate', { ...PROMPT, adapterId })).text).toBe(v1Answer);
  });
});
