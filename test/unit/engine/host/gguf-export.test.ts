// model.export through the host: a stored model, a trained LoRA merged in, or the LoRA alone.
// The GGUF contents are checked against llama.cpp in test/unit/interop/gguf/llama-cpp.test.ts;
// here: the host sends the file the interop module writes for the same weights and adapter, its
// progress phases, its refusals, and no tensor left behind.
import * as tf from '@tensorflow/tfjs';
import { gguf } from '@huggingface/gguf';
import { describe, expect, test } from 'vitest';
import { loadStoredAdapter } from '../../../../src/engine/host/adapters';
import { base64ToBytes } from '../../../../src/engine/protocol/base64';
import { isEngineRequest } from '../../../../src/engine/protocol/validate';
import { exportWeights, ggufToModelFiles, modelToGguf } from '../../../../src/interop/gguf';
import { loadModel } from '../../../../src/model/model';
import { getAdapter } from '../../../../src/storage/adapters-repo';
import { isMethodName } from '../../../../src/tuning/registry';
import { createHost, fixtureFiles, freshDb, MODEL_ID, seedExamples, TestClient, useCpuHosts } from './helpers';

const hosts = useCpuHosts();

const QUICK = { maxSteps: 4, lr: 0.05, minLr: 0.001, batchSize: 4 };
const json = (files: Map<string, Uint8Array>, name: string) => JSON.parse(new TextDecoder().decode(files.get(name)!)) as Record<string, unknown>;

/** Reads a GGUF's metadata with the same maintained parser import uses. */
async function metadataOf(bytes: Uint8Array) {
  const blob = new Blob([bytes as Uint8Array<ArrayBuffer>]);
  const parsed = await gguf('https://attune.invalid/x.gguf', {
    fetch: (async (_url: unknown, init?: { headers?: Record<string, string> }) => {
      const [, a, b] = /bytes=(\d+)-(\d+)/.exec(init!.headers!.Range!)!;
      const end = Math.min(Number(b) + 1, blob.size);
      return new Response(await blob.slice(Number(a), end).arrayBuffer(), { status: 206, headers: { 'Content-Range': `bytes ${a}-${end - 1}/${blob.size}` } });
    }) as typeof fetch,
  });
  return { metadata: parsed.metadata as Record<string, unknown>, names: parsed.tensorInfos.map((t) => t.name) };
}

describe('model.export', () => {
  test('the model, the model with a trained LoRA merged in, and the LoRA alone', async () => {
    const db = await freshDb();
    await seedExamples(db);
    const h = createHost(db);
    hosts.push(h);
    const client = new TestClient(h);
    const trained = await client.request('train.start', { examples: { kind: 'all' }, method: 'lora', overrides: QUICK });
    const adapterId = trained.adapterId!;
    const before = tf.memory().numTensors;

    const phases: unknown[] = [];
    const plain = await client.request('model.export', { modelId: MODEL_ID, adapterId: null, adapterOnly: false, type: 'f16' }, (p) => phases.push(p));
    expect(phases).toEqual([{ phase: 'loading' }, { phase: 'converting' }, { phase: 'sending' }]);
    expect(plain.fileName).toBe('tiny-llama-f16.gguf');

    const merged = await client.request('model.export', { modelId: MODEL_ID, adapterId, adapterOnly: false, type: 'f16' });
    expect(merged.fileName).toMatch(/^tiny-llama-.+-f16\.gguf$/);
    // The same file the interop module writes for the fixture with the stored adapter merged in.
    const files = fixtureFiles();
    const model = await loadModel(files);
    const adapter = loadStoredAdapter((await getAdapter(db, adapterId))!, { id: MODEL_ID, peftBaseId: MODEL_ID, model });
    const expected = Buffer.concat(
      modelToGguf(
        { name: `${MODEL_ID}+${(await getAdapter(db, adapterId))!.name}`, config: model.config, tensors: await exportWeights(model, adapter), tokenizerJson: json(files, 'tokenizer.json'), tokenizerConfig: json(files, 'tokenizer_config.json') },
        'f16',
      ),
    );
    adapter.dispose();
    expect(Buffer.from(base64ToBytes(merged.bytesBase64)!).equals(expected)).toBe(true);
    expect(merged.bytesBase64).not.toBe(plain.bytesBase64);
    const imported = await loadModel(await ggufToModelFiles(new Blob([expected]), 'merged.gguf'));
    expect(imported.config.numLayers).toBe(model.config.numLayers);
    imported.dispose();
    model.dispose();

    const alone = await client.request('model.export', { modelId: MODEL_ID, adapterId, adapterOnly: true, type: 'f16' });
    expect(alone.fileName).toMatch(/-lora-f16\.gguf$/);
    const { metadata, names } = await metadataOf(base64ToBytes(alone.bytesBase64)!);
    expect(metadata).toMatchObject({ 'general.type': 'adapter', 'adapter.type': 'lora', 'general.architecture': 'llama' });
    expect(names.length).toBeGreaterThan(0);
    expect(names.every((n) => /^blk\.\d+\.\w+\.weight\.lora_[ab]$/.test(n))).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
  }, 120_000);

  test('refusals: an unknown adapter, an adapter of another model, a soft prompt alone, malformed payloads', async () => {
    const db = await freshDb();
    await seedExamples(db);
    const h = createHost(db);
    hosts.push(h);
    const client = new TestClient(h);
    await expect(client.request('model.export', { modelId: MODEL_ID, adapterId: 'missing', adapterOnly: false, type: 'f16' })).rejects.toMatchObject({ code: 'adapter-not-found' });
    const soft = await client.request('train.start', { examples: { kind: 'all' }, method: 'prompt-tuning', overrides: { ...QUICK, maxSteps: 2 }, methodConfig: { numVirtualTokens: 4 } });
    await expect(client.request('model.export', { modelId: 'another-model', adapterId: soft.adapterId, adapterOnly: false, type: 'f16' })).rejects.toMatchObject({ code: 'adapter-mismatch' });
    await expect(client.request('model.export', { modelId: MODEL_ID, adapterId: soft.adapterId, adapterOnly: false, type: 'f16' })).rejects.toMatchObject({ code: 'gguf-export' });
    await expect(client.request('model.export', { modelId: MODEL_ID, adapterId: soft.adapterId, adapterOnly: true, type: 'f16' })).rejects.toMatchObject({ code: 'gguf-export' });
    const valid = { modelId: MODEL_ID, adapterId: null, adapterOnly: false, type: 'f16' };
    const check = (payload: unknown) => isEngineRequest({ kind: 'model.export', id: 'x', payload }, isMethodName);
    expect(check(valid)).toBe(true);
    expect(check({ ...valid, type: 'q4_0' })).toBe(false);
    expect(check({ ...valid, adapterOnly: true })).toBe(false); // adapter alone without an adapter
    expect(check({ ...valid, extra: 1 })).toBe(false);
    expect(check({ ...valid, modelId: '' })).toBe(false);
  }, 120_000);
});
