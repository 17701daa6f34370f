// LoRA specifics: PEFT target matching, init, scaling, PEFT key names and shapes, merge/unmerge,
// and refusal of adapters made for another model.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadedModel } from '../../../src/model/model';
import { AdapterMismatchError, AdapterFormatError, TuningConfigError } from '../../../src/tuning/errors';
import { defaultTargets, loraScale, type LoraConfig } from '../../../src/tuning/methods/lora/config';
import { mergeLora, unmergeLora } from '../../../src/tuning/methods/lora/merge';
import { disposeReplaced } from '../../../src/tuning/weight-maps';
import { LoraAdapter, loraMethod } from '../../../src/tuning/methods/lora/method';
import { linearModules, matchesTarget } from '../../../src/tuning/model-linears';
import { exportAdapter, importAdapter, decodePeft } from '../../../src/tuning/peft/files';
import { adapterContext, inputLogits, loadFixture, maxAbsDiff, perturb, useCpu } from './helpers';

const ids = [
  [5, 17, 42, 99, 3, 250, 7, 8],
  [11, 2, 3, 4, 5, 6, 7, 8],
];

describe('LoRA target matching (PEFT rules)', () => {
  it('matches list entries as exact names or dot-suffixes, strings as full regular expressions', () => {
    expect(matchesTarget('model.layers.0.self_attn.q_proj', ['q_proj'])).toBe(true);
    expect(matchesTarget('model.layers.0.self_attn.q_proj', ['proj'])).toBe(false);
    expect(matchesTarget('transformer.h.1.mlp.c_proj', ['attn.c_proj'])).toBe(false);
    expect(matchesTarget('transformer.h.1.attn.c_proj', ['attn.c_proj'])).toBe(true);
    expect(matchesTarget('model.layers.3.self_attn.v_proj', '.*layers\\.3\\..*(q|v)_proj')).toBe(true);
    expect(matchesTarget('model.layers.13.self_attn.v_proj', '.*layers\\.3\\..*(q|v)_proj')).toBe(false);
  });
});

describe.each(['tiny-gpt2', 'tiny-llama', 'tiny-qwen2'])('LoRA on %s', (fixture) => {
  let model: LoadedModel;
  beforeAll(async () => {
    await useCpu();
    model = await loadFixture(fixture);
  });
  afterAll(() => model.dispose());

  it('targets the attention projections by default and MLP when asked', () => {
    const adapter = loraMethod.create(loraMethod.defaultConfig(model.config), adapterContext(model)) as LoraAdapter;
    const names = adapter.modules().map((p) => p.module.name);
    const attention = linearModules(model.config).filter((m) => m.kind === 'attention').map((m) => m.name);
    expect(names).toEqual(attention);
    adapter.dispose();
    const withMlp = loraMethod.create(
      { ...loraMethod.defaultConfig(model.config), targetModules: defaultTargets(model.config, true) },
      adapterContext(model),
    ) as LoraAdapter;
    expect(withMlp.modules().map((p) => p.module.name)).toEqual(
      linearModules(model.config).filter((m) => m.kind !== 'head').map((m) => m.name),
    );
    withMlp.dispose();
  });

  it('initialises A Kaiming-uniform within ±1/sqrt(in) and B at zero, reproducibly from the seed', () => {
    const make = (seed: number) => loraMethod.create({ ...loraMethod.defaultConfig(model.config), r: 4 }, adapterContext(model, seed)) as LoraAdapter;
    const [a, b, c] = [make(1), make(1), make(2)];
    const pair = a.modules()[0]!;
    const values = pair.a.dataSync();
    const bound = 1 / Math.sqrt(pair.module.inFeatures);
    expect(Math.max(...values.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...values.map(Math.abs))).toBeGreaterThan(bound * 0.8); // really spread over the range
    expect(Math.max(...pair.b.dataSync().map(Math.abs))).toBe(0);
    expect(maxAbsDiff(values, b.modules()[0]!.a.dataSync())).toBe(0);
    expect(maxAbsDiff(values, c.modules()[0]!.a.dataSync())).toBeGreaterThan(0);
    [a, b, c].forEach((x) => x.dispose());
  });

  it('adds scale · x·Aᵀ·Bᵀ to a linear output, with scale alpha/r or alpha/sqrt(r) (rsLoRA)', () => {
    for (const useRslora of [false, true]) {
      const config = { ...loraMethod.defaultConfig(model.config), r: 4, alpha: 8, useRslora };
      const adapter = loraMethod.create(config, adapterContext(model)) as LoraAdapter;
      perturb(adapter, 3);
      const pair = adapter.modules()[0]!;
      const x = tf.randomNormal([3, pair.module.inFeatures], 0, 1, 'float32', 1) as tf.Tensor2D;
      const y = tf.randomNormal([3, pair.module.outFeatures], 0, 1, 'float32', 2) as tf.Tensor2D;
      const out = adapter.hooks({ training: false }).linear!(pair.module.name, x, y);
      const a = pair.a.arraySync() as number[][];
      const b = pair.b.arraySync() as number[][];
      const xs = x.arraySync();
      const ys = y.arraySync();
      const scale = useRslora ? 8 / 2 : 8 / 4;
      expect(loraScale(config)).toBe(scale);
      const expected = ys.map((row, n) =>
        row.map((yv, o) => {
          let sum = 0;
          for (let k = 0; k < 4; k++) {
            let low = 0;
            for (let i = 0; i < xs[n]!.length; i++) low += xs[n]![i]! * a[i]![k]!;
            sum += low * b[k]![o]!;
          }
          return yv + scale * sum;
        }),
      );
      expect(maxAbsDiff(out.dataSync(), expected.flat())).toBeLessThan(1e-5);
      [x, y, out].forEach((t) => t.dispose());
      adapter.dispose();
    }
  });

  it('exports PEFT key names with lora_A [r, in] and lora_B [out, r]', async () => {
    const adapter = loraMethod.create({ ...loraMethod.defaultConfig(model.config), r: 4 }, adapterContext(model, 1, 'org/tiny')) as LoraAdapter;
    const peft = decodePeft(await exportAdapter(adapter));
    const first = adapter.modules()[0]!.module;
    const prefix = model.config.family === 'gpt2' ? 'base_model.model.transformer.h.0.attn.c_attn' : 'base_model.model.model.layers.0.self_attn.q_proj';
    expect(peft.tensors.get(`${prefix}.lora_A.weight`)!.shape).toEqual([4, first.inFeatures]);
    expect(peft.tensors.get(`${prefix}.lora_B.weight`)!.shape).toEqual([first.outFeatures, 4]);
    expect(peft.config).toMatchObject({
      peft_type: 'LORA',
      task_type: 'CAUSAL_LM',
      base_model_name_or_path: 'org/tiny',
      r: 4,
      lora_alpha: 16,
      fan_in_fan_out: model.config.family === 'gpt2',
      bias: 'none',
      use_rslora: false,
    });
    peft.tensors.forEach((t) => t.dispose());
    adapter.dispose();
  });

  it('merged weights give the adapter logits (1e-4) and unmerging restores the base (1e-4)', () => {
    const config = { ...loraMethod.defaultConfig(model.config), r: 4, targetModules: defaultTargets(model.config, true) };
    const adapter = loraMethod.create(config, adapterContext(model)) as LoraAdapter;
    perturb(adapter, 17, 0.3);
    const base = inputLogits(model, null, ids);
    const adapted = inputLogits(model, adapter, ids);
    expect(maxAbsDiff(base, adapted)).toBeGreaterThan(1e-2); // the adapter really changes the output
    const merged = mergeLora(adapter, model.weights);
    const mergedModel = { ...model, weights: merged };
    expect(maxAbsDiff(inputLogits(mergedModel, null, ids), adapted)).toBeLessThan(1e-4);
    const unmerged = unmergeLora(adapter, merged);
    expect(maxAbsDiff(inputLogits({ ...model, weights: unmerged }, null, ids), base)).toBeLessThan(1e-4);
    disposeReplaced(unmerged, merged);
    disposeReplaced(merged, model.weights);
    adapter.dispose();
  });

  it('refuses adapters for another base model, family or shape with AdapterMismatchError', async () => {
    const adapter = loraMethod.create({ ...loraMethod.defaultConfig(model.config), r: 4 }, adapterContext(model, 1, 'org/tiny'));
    const files = await exportAdapter(adapter);
    expect(() => importAdapter(files, adapterContext(model, 1, 'org/other'))).toThrow(AdapterMismatchError);
    const other = await loadFixture(model.config.family === 'gpt2' ? 'tiny-llama' : 'tiny-gpt2');
    expect(() => importAdapter(files, { ...adapterContext(other, 1, 'org/tiny') })).toThrow(AdapterMismatchError);
    other.dispose();
    // Same names, wrong rank in the tensors: a corrupted or hand-edited config.
    const config = JSON.parse(new TextDecoder().decode(files.get('adapter_config.json')!));
    const wrongRank = new Map(files).set('adapter_config.json', new TextEncoder().encode(JSON.stringify({ ...config, r: 2 })));
    expect(() => importAdapter(wrongRank, adapterContext(model, 1, 'org/tiny'))).toThrow(/shape/);
    // use_dora without the magnitudes it promises: an inconsistent file (dora.test.ts covers DoRA files).
    const dora = new Map(files).set('adapter_config.json', new TextEncoder().encode(JSON.stringify({ ...config, use_dora: true })));
    expect(() => importAdapter(dora, adapterContext(model, 1, 'org/tiny'))).toThrow(AdapterFormatError);
    adapter.dispose();
  });
});

describe('LoRA config validation', () => {
  it('names the bad field', async () => {
    await useCpu();
    const model = await loadFixture('tiny-llama');
    const base = loraMethod.defaultConfig(model.config);
    const bad = [
      [{ ...base, r: 0 }, 'r'],
      [{ ...base, r: 2.5 }, 'r'],
      [{ ...base, r: 64 }, 'r'],
      [{ ...base, alpha: -1 }, 'alpha'],
      [{ ...base, dropout: 1 }, 'dropout'],
      [{ ...base, targetModules: [] }, 'targetModules'],
      [{ ...base, targetModules: ['c_attn'] }, 'targetModules'],
      [{ ...base, targetModules: '(' }, 'targetModules'],
    ] as const;
    for (const [config, field] of bad) {
      let error: unknown;
      try {
        loraMethod.validate(config as LoraConfig, model.config);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(TuningConfigError);
      expect((error as TuningConfigError).field).toBe(field);
    }
    expect(() => loraMethod.validate(base, model.config)).not.toThrow();
    model.dispose();
  });
});
