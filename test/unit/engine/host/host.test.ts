// The engine host on tfjs-cpu in Node: a run trains, checkpoints and saves its adapter; tensors do
// not leak across training and generation; a paused-then-abandoned run continues from its
// checkpoint in a new host exactly as an uninterrupted run would have gone; bad requests are refused.
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { EngineHost } from '../../../../src/engine/host/host';
import type { TrainDefaults, TrainState } from '../../../../src/engine/protocol/types';
import { getMethod, METHOD_NAMES } from '../../../../src/tuning/registry';
import type { MethodName, MethodSummary } from '../../../../src/tuning/types';
import { getAdapter, listAdapters } from '../../../../src/storage/adapters-repo';
import { getTrainingRun, listTrainingRuns } from '../../../../src/storage/training-runs-repo';
import { createHost, freshDb, seedExamples, TestClient } from './helpers';

const hosts: EngineHost[] = [];
function host(...args: Parameters<typeof createHost>): EngineHost {
  const h = createHost(...args);
  hosts.push(h);
  return h;
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

afterEach(() => {
  for (const h of hosts.splice(0)) h.dispose();
});

const QUICK = { maxSteps: 6, lr: 0.01, minLr: 0.001, batchSize: 4 };

describe('training through the host', () => {
  test('lists every registered method with its wording, fields and defaults, and the defaults it would use', async () => {
    const db = await freshDb();
    await seedExamples(db, 12);
    const client = new TestClient(host(db));
    const methods = (await client.request('train.methods', {})) as MethodSummary[];
    expect(methods.map((m) => m.name)).toEqual(METHOD_NAMES);
    for (const m of methods) {
      expect(JSON.parse(JSON.stringify(m))).toEqual(m); // plain data, as it crosses the Port
      const defaults = (await client.request('train.defaults', { examples: { kind: 'all' }, method: m.name as MethodName })) as TrainDefaults;
      expect(defaults.settings.lr).toBe(getMethod(m.name as MethodName).optimizer.lr);
      for (const field of m.fields) expect(Object.keys(defaults.methodConfig)).toContain(field.key);
    }
  });

  test('streams progress, checkpoints into the run record, saves the adapter with metrics and a comparison', async () => {
    const db = await freshDb();
    await seedExamples(db);
    const client = new TestClient(host(db));
    const states: TrainState[] = [];
    const final = await client.request('train.start', { examples: { kind: 'all' }, method: 'lora', overrides: QUICK, name: 'mine' }, (s) => states.push(s as TrainState));

    expect(final.phase).toBe('completed');
    expect(final.step).toBe(6);
    expect(final.trainCount + final.heldOutCount).toBe(20);
    // Progress came step by step, with the loss curve growing.
    const steps = states.filter((s) => s.phase === 'running' && s.step > 0).map((s) => s.step);
    expect(new Set(steps)).toEqual(new Set([1, 2, 3, 4, 5, 6]));
    expect(final.curve.map((p) => p.step)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(states.some((s) => s.checkpointStep === 2)).toBe(true);
    expect(states.some((s) => s.checkpointStep === 4)).toBe(true);

    const adapter = await getAdapter(db, final.adapterId!);
    expect(adapter).toMatchObject({ name: 'mine', method: 'lora', modelId: 'tiny-llama' });
    expect(adapter!.config.peft_type).toBe('LORA');
    expect(adapter!.config.base_model_name_or_path).toBe('tiny-llama');
    expect(adapter!.weights.byteLength).toBeGreaterThan(0);
    expect(adapter!.metrics?.steps).toBe(6);
    expect(adapter!.metrics?.heldOutLossAfter).toBe(final.summary!.heldOutLossAfter);
    // 2 held-out examples (10 % of 20), so 2 comparisons; learning lowered the held-out loss.
    expect(final.summary!.samples).toHaveLength(2);
    expect(final.summary!.heldOutLossAfter!).toBeLessThan(final.summary!.heldOutLossBefore!);

    const run = await getTrainingRun(db, final.runId!);
    expect(run).toMatchObject({ status: 'completed', adapterId: final.adapterId });
    expect(run!.checkpoint).toBeUndefined(); // a finished run keeps no optimizer state
    expect(run!.metrics.map((m) => m.step)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  test('trains only the examples with the chosen tag, and refuses an unused tag', async () => {
    const db = await freshDb();
    await seedExamples(db);
    const client = new TestClient(host(db));
    const final = await client.request('train.start', { examples: { kind: 'tag', tag: 'odd' }, method: 'prompt-tuning', overrides: { ...QUICK, maxSteps: 2 }, methodConfig: { numVirtualTokens: 4 } });
    expect(final.error).toBeNull();
    expect(final.phase).toBe('completed');
    expect(final.trainCount + final.heldOutCount).toBe(10);
    expect((await getAdapter(db, final.adapterId!))!.config.peft_type).toBe('PROMPT_TUNING');
    await expect(client.request('train.start', { examples: { kind: 'tag', tag: 'nope' }, method: 'lora' })).rejects.toMatchObject({ code: 'no-examples' });
  });

  test('tensor count is stable across a training run and across generate calls', async () => {
    const db = await freshDb();
    await seedExamples(db);
    const h = host(db);
    const client = new TestClient(h);
    const prompt = { messages: [{ role: 'user' as const, content: 'Echo apple 0' }], sampling: { maxNewTokens: 6 } };
    await client.request('model.generate', { ...prompt, adapterId: null }); // loads the model
    const baseline = tf.memory().numTensors;

    const final = await client.request('train.start', { examples: { kind: 'all' }, method: 'lora', overrides: QUICK });
    expect(final.phase).toBe('completed');
    expect(tf.memory().numTensors).toBe(baseline);

    await client.request('model.generate', { ...prompt, adapterId: null });
    expect(tf.memory().numTensors).toBe(baseline);
    await client.request('model.generate', { ...prompt, adapterId: final.adapterId });
    const withAdapter = tf.memory().numTensors; // the adapter stays cached for the next turn
    await client.request('model.generate', { ...prompt, adapterId: final.adapterId });
    await client.request('model.generate', { ...prompt, adapterId: final.adapterId });
    expect(tf.memory().numTensors).toBe(withAdapter);

    await client.request('adapter.merge', { adapterId: final.adapterId! });
    await client.request('model.generate', { ...prompt, adapterId: final.adapterId });
    await client.request('adapter.unmerge', {});
    expect(tf.memory().numTensors).toBe(withAdapter);
    h.generator.forgetAdapters();
    expect(tf.memory().numTensors).toBe(baseline);
  });
});

describe('generation', () => {
  test('streams text pieces that add up to the result; the adapter changes the answer; merged equals unmerged', async () => {
    const db = await freshDb();
    await seedExamples(db);
    const client = new TestClient(host(db));
    const final = await client.request('train.start', { examples: { kind: 'all' }, method: 'lora', overrides: { ...QUICK, maxSteps: 12, lr: 0.05 } });
    const prompt = { prompt: 'Echo tiger', sampling: { maxNewTokens: 12 } };
    const pieces: string[] = [];
    const base = await client.request('model.generate', { ...prompt, adapterId: null }, (p) => pieces.push((p as { delta: string }).delta));
    expect(pieces.join('')).toBe(base.text);
    const tuned = await client.request('model.generate', { ...prompt, adapterId: final.adapterId });
    expect(tuned.text).not.toBe(base.text);
    await client.request('adapter.merge', { adapterId: final.adapterId! });
    const merged = await client.request('model.generate', { ...prompt, adapterId: final.adapterId });
    expect(merged.text).toBe(tuned.text);
    expect((await client.request('engine.info', {})).mergedAdapterId).toBe(final.adapterId);
  });

  test('an adapter that trains base weights (LN tuning) changes the answer through its weights; merged equals unmerged', async () => {
    const db = await freshDb();
    await seedExamples(db);
    const client = new TestClient(host(db));
    const final = await client.request('train.start', { examples: { kind: 'all' }, method: 'ln-tuning', overrides: { ...QUICK, maxSteps: 12, lr: 0.1 } });
    const prompt = { prompt: 'Echo tiger', sampling: { maxNewTokens: 12 } };
    const base = await client.request('model.generate', { ...prompt, adapterId: null });
    const tuned = await client.request('model.generate', { ...prompt, adapterId: final.adapterId });
    expect(tuned.text).not.toBe(base.text); // LN tuning has no hooks: only its weights can change the answer
    await client.request('adapter.merge', { adapterId: final.adapterId! });
    const merged = await client.request('model.generate', { ...prompt, adapterId: final.adapterId });
    expect(merged.text).toBe(tuned.text);
  });

  test('two replies at once with different adapters both finish and match the same replies made one at a time', async () => {
    const db = await freshDb();
    await seedExamples(db);
    const client = new TestClient(host(db));
    const lora = await client.request('train.start', { examples: { kind: 'all' }, method: 'lora', overrides: { ...QUICK, maxSteps: 3, lr: 0.05 } });
    const soft = await client.request('train.start', { examples: { kind: 'all' }, method: 'prompt-tuning', overrides: { ...QUICK, maxSteps: 3 }, methodConfig: { numVirtualTokens: 4 } });
    const ask = (adapterId: string) => client.request('model.generate', { prompt: 'Echo lemon', adapterId, sampling: { maxNewTokens: 10 } });
    const oneByOne = [await ask(lora.adapterId!), await ask(soft.adapterId!)];
    const atOnce = await Promise.all([ask(lora.adapterId!), ask(soft.adapterId!), ask(lora.adapterId!)]);
    expect(atOnce.map((r) => r.text)).toEqual([oneByOne[0]!.text, oneByOne[1]!.text, oneByOne[0]!.text]);
  });

  test('a mix of one LoRA adapter at weight 1 answers as that adapter; other methods, unknown ids and bad payloads are refused', async () => {
    const db = await freshDb();
    await seedExamples(db);
    const h = host(db);
    const client = new TestClient(h);
    const lora = await client.request('train.start', { examples: { kind: 'all' }, method: 'lora', overrides: { ...QUICK, maxSteps: 12, lr: 0.05 } });
    const prompt = { prompt: 'Echo tiger', sampling: { maxNewTokens: 12 } };
    const tuned = await client.request('model.generate', { ...prompt, adapterId: lora.adapterId });
    const baseline = tf.memory().numTensors;
    // PEFT: one adapter mixes linearly; √s·A and √s·B at scaling 1 are the same update s·B·A.
    const mixed = await client.request('adapter.mix', { name: 'alone', parts: [{ adapterId: lora.adapterId!, weight: 1 }], combination: 'svd' });
    expect(tf.memory().numTensors).toBe(baseline);
    const record = await getAdapter(db, mixed.adapterId);
    expect(record).toMatchObject({ name: 'alone', method: 'lora' });
    expect(record!.config.lora_alpha).toBe(record!.config.r);
    expect((await client.request('model.generate', { ...prompt, adapterId: mixed.adapterId })).text).toBe(tuned.text);
    // Weight -1 undoes the update's sign: a different answer.
    const negated = await client.request('adapter.mix', { name: 'negated', parts: [{ adapterId: lora.adapterId!, weight: -1 }], combination: 'linear' });
    expect((await client.request('model.generate', { ...prompt, adapterId: negated.adapterId })).text).not.toBe(tuned.text);

    const prompted = await client.request('train.start', { examples: { kind: 'all' }, method: 'prompt-tuning', overrides: { ...QUICK, maxSteps: 1 }, methodConfig: { numVirtualTokens: 2 } });
    const before = (await listAdapters(db)).length;
    await expect(client.request('adapter.mix', { name: 'x', parts: [{ adapterId: lora.adapterId!, weight: 1 }, { adapterId: prompted.adapterId!, weight: 1 }], combination: 'svd' })).rejects.toMatchObject({ code: 'not-mixable' });
    await expect(client.request('adapter.mix', { name: 'x', parts: [{ adapterId: 'missing', weight: 1 }], combination: 'svd' })).rejects.toMatchObject({ code: 'adapter-not-found' });
    for (const payload of [
      { name: 'x', parts: [], combination: 'svd' },
      { name: 'x', parts: [{ adapterId: lora.adapterId, weight: '1' }], combination: 'svd' },
      { name: 'x', parts: [{ adapterId: lora.adapterId, weight: 1 }], combination: 'ties' },
      { name: ' ', parts: [{ adapterId: lora.adapterId, weight: 1 }], combination: 'svd' },
    ]) {
      expect(await client.raw({ kind: 'adapter.mix', id: `bad-${JSON.stringify(payload).length}`, payload })).toMatchObject({ type: 'error', error: { code: 'malformed' } });
    }
    expect((await listAdapters(db)).length).toBe(before);
  });

  test('an unknown adapter and a malformed request are refused with their codes', async () => {
    const db = await freshDb();
    const client = new TestClient(host(db));
    await expect(client.request('model.generate', { prompt: 'hi', adapterId: 'missing' })).rejects.toMatchObject({ code: 'adapter-not-found' });
    const reply = await client.raw({ kind: 'model.generate', id: 'bad-1', payload: { prompt: 'hi', messages: [], adapterId: null } });
    expect(reply).toMatchObject({ type: 'error', error: { code: 'malformed' } });
    await expect(client.request('train.pause', {})).rejects.toMatchObject({ code: 'not-running' });
  });

  test('a cancelled generation ends with code "cancelled"', async () => {
    const db = await freshDb();
    const h = host(db);
    const connection = h.connect((event) => events.push(event));
    const events: unknown[] = [];
    connection.receive({ kind: 'model.generate', id: 'g1', payload: { prompt: 'Echo', adapterId: null, sampling: { maxNewTokens: 60 } } });
    connection.receive({ kind: 'request.cancel', id: 'c1', payload: { requestId: 'g1' } });
    await expect.poll(() => events.find((e) => (e as { id?: string }).id === 'g1' && (e as { type: string }).type !== 'progress')).toMatchObject({ type: 'error', error: { code: 'cancelled' } });
  });
});

describe('checkpoint and resume', () => {
  test('a run interrupted after a checkpoint continues in a new host at the checkpoint step and ends exactly like an uninterrupted run', async () => {
    const settings = { ...QUICK, maxSteps: 8 };
    // Reference: the same run without interruption.
    const refDb = await freshDb();
    await seedExamples(refDb);
    const reference = await new TestClient(host(refDb)).request('train.start', { examples: { kind: 'all' }, method: 'lora', overrides: settings });

    const db = await freshDb();
    await seedExamples(db);
    const first = host(db);
    const client = new TestClient(first);
    let paused = false;
    void client.request('train.start', { examples: { kind: 'all' }, method: 'lora', overrides: settings }, (s) => {
      const state = s as TrainState;
      if (state.step === 3 && !paused) {
        paused = true;
        void client.request('train.pause', {});
      }
    });
    // The pause writes a checkpoint at the step reached; then this host is abandoned (a "crash").
    await expect.poll(async () => (await listTrainingRuns(db))[0]?.checkpoint?.step ?? 0, { timeout: 30_000 }).toBeGreaterThanOrEqual(3);
    const checkpointStep = (await listTrainingRuns(db))[0]!.checkpoint!.step;

    const second = host(db);
    const states: TrainState[] = [];
    second.training.subscribe((s) => states.push(s));
    // It was paused when the checkpoint was written, so it comes back paused; resume it.
    const resuming = second.resumeUnfinished();
    await expect.poll(() => second.training.status().phase, { timeout: 30_000 }).toBe('paused');
    expect(second.training.status().step).toBe(checkpointStep);
    second.training.resume();
    const resumed = (await resuming)!;
    expect(resumed.phase).toBe('completed');
    expect(resumed.resumedFromStep).toBe(checkpointStep);
    const firstStepAfterResume = states.find((s) => s.phase === 'running' && s.step > checkpointStep)!.step;
    expect(firstStepAfterResume).toBe(checkpointStep + 1); // continued, not restarted
    expect(resumed.curve.map((p) => p.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(resumed.summary!.heldOutLossAfter).toBeCloseTo(reference.summary!.heldOutLossAfter!, 6);

    const [resumedAdapter] = await listAdapters(db);
    const referenceAdapter = (await listAdapters(refDb))[0]!;
    expect(Buffer.from(resumedAdapter!.weights).equals(Buffer.from(referenceAdapter.weights))).toBe(true);
  });
  test('two pages pressing Train in the same moment start one run; the other is told training is busy', async () => {
    const db = await freshDb();
    await seedExamples(db);
    const engine = host(db);
    const start = () =>
      new TestClient(engine).request('train.start', { examples: { kind: 'all' }, method: 'lora', overrides: QUICK });
    const outcomes = await Promise.allSettled([start(), start()]);
    const completed = outcomes.filter((o) => o.status === 'fulfilled');
    const refused = outcomes.filter((o) => o.status === 'rejected');
    expect(completed).toHaveLength(1);
    expect((completed[0] as PromiseFulfilledResult<TrainState>).value.phase).toBe('completed');
    expect(refused).toHaveLength(1);
    expect((refused[0] as PromiseRejectedResult).reason).toMatchObject({ code: 'busy' });
    expect(await listTrainingRuns(db)).toHaveLength(1);
    expect(await listAdapters(db)).toHaveLength(1);
  });
  test('a page that watches while the engine is still looking up the interrupted run gets that run, not "idle"', async () => {
    const db = await freshDb();
    await seedExamples(db);
    const first = host(db);
    const client = new TestClient(first);
    let paused = false;
    void client.request('train.start', { examples: { kind: 'all' }, method: 'lora', overrides: { ...QUICK, maxSteps: 6 } }, (s) => {
      if ((s as TrainState).step === 2 && !paused) {
        paused = true;
        void client.request('train.pause', {});
      }
    });
    await expect.poll(async () => (await listTrainingRuns(db))[0]?.checkpoint?.step ?? 0, { timeout: 30_000 }).toBeGreaterThanOrEqual(2);

    // The relaunched engine starts its lookup, and a page asks in the same moment.
    const second = host(db);
    void second.resumeUnfinished();
    const watching = new TestClient(second).request('train.watch', {});
    // Rejected rather than started twice: the interrupted run comes first.
    await expect(new TestClient(second).request('train.start', { examples: { kind: 'all' }, method: 'lora', overrides: QUICK })).rejects.toMatchObject({ code: 'busy' });
    await expect.poll(() => second.training.status().phase, { timeout: 30_000 }).toBe('paused');
    second.training.resume();
    const final = (await watching) as TrainState;
    expect(final.phase).toBe('completed');
    expect(final.step).toBe(6);
    expect(final.resumedFromStep).toBeGreaterThanOrEqual(2);
  });
});
