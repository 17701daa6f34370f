// Key/value prefixes (p-tuning-v2, prefix-tuning): the runtime's prefix path is exactly a cached
// context (real tokens at positions P…, prefix keys not rotated again), the PEFT files dispatch on
// prefix_projection, and a prefix-tuning file (which holds only the computed prefix) loads as a
// trainable plain prefix, as PEFT loads it.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { disposeCache, forward } from '../../../src/model';
import type { LoadedModel } from '../../../src/model/model';
import { pTuningV2Method } from '../../../src/tuning/methods/p-tuning-v2/method';
import { prefixGeometry } from '../../../src/tuning/methods/p-tuning-v2/prefix';
import { PrefixTuningAdapter, prefixTuningMethod } from '../../../src/tuning/methods/prefix-tuning/method';
import { exportAdapter, importAdapter } from '../../../src/tuning/peft/files';
import { FAMILY_FIXTURES, adapterContext, inputLogits, loadFixture, maxAbsDiff, perturb, useCpu } from './helpers';

describe.each(FAMILY_FIXTURES)('key/value prefixes on %s', (fixture) => {
  let model: LoadedModel;
  beforeAll(async () => {
    await useCpu();
    model = await loadFixture(fixture);
  });
  afterAll(() => model.dispose());

  it("a prefix equal to a context's cached keys/values gives the logits of typing that context", () => {
    const context = [7, 42, 3, 19, 250];
    const input = [5, 17, 99, 8];
    const P = context.length;
    const adapter = pTuningV2Method.create({ numVirtualTokens: P }, adapterContext(model));
    const g = prefixGeometry(model.config);
    const { logits, cache } = forward(model, { ids: [context], useCache: true });
    logits.dispose();
    // PEFT's layout: per layer, key columns then value columns, each [P, heads·head_dim].
    const flat = tf.tidy(() =>
      tf.concat(
        cache!.layers.flatMap(({ key, value }) => [key, value].map((t) => tf.reshape(tf.transpose(tf.squeeze(t, [0]), [1, 0, 2]), [P, g.tokenDim]))),
        1,
      ),
    );
    disposeCache(cache);
    adapter.trainable()[0]!.variable.assign(flat);
    flat.dispose();
    const typed = inputLogits(model, null, [[...context, ...input]]);
    const V = model.config.vocabSize;
    const withPrefix = inputLogits(model, adapter, [input]);
    expect(maxAbsDiff(typed.slice(P * V), withPrefix)).toBeLessThan(1e-5);
    // Not vacuous: without the prefix the input alone gives other logits.
    expect(maxAbsDiff(inputLogits(model, null, [input]), withPrefix)).toBeGreaterThan(1e-3);
    adapter.dispose();
  });

  it('PEFT files dispatch on prefix_projection; a prefix-tuning file loads as its computed prefix, still trainable', async () => {
    const config = prefixTuningMethod.testConfig(model.config);
    const adapter = prefixTuningMethod.create(config, adapterContext(model, 4));
    perturb(adapter, 6);
    const files = await exportAdapter(adapter);
    const json = JSON.parse(new TextDecoder().decode(files.get('adapter_config.json')!));
    expect(json).toMatchObject({ peft_type: 'PREFIX_TUNING', prefix_projection: true, encoder_hidden_size: config.encoderHiddenSize });
    const loaded = importAdapter(files, adapterContext(model, 5)) as PrefixTuningAdapter;
    expect(loaded.method).toBe('prefix-tuning');
    const { width } = prefixGeometry(model.config);
    expect(loaded.trainable().map((t) => [t.key, t.variable.shape])).toEqual([['prompt_embeddings', [config.numVirtualTokens, width]]]);
    // The same files without prefix_projection are a P-tuning v2 adapter with the same prefix.
    const plain = new Map(files);
    plain.set('adapter_config.json', new TextEncoder().encode(JSON.stringify({ ...json, prefix_projection: false })));
    const deep = importAdapter(plain, adapterContext(model, 5));
    expect(deep.method).toBe('p-tuning-v2');
    const ids = [[5, 17, 42, 99]];
    expect(maxAbsDiff(inputLogits(model, loaded, ids), inputLogits(model, deep, ids))).toBe(0);
    [adapter, loaded, deep].forEach((a) => a.dispose());
  });
});
