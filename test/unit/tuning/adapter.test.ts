// Bottleneck adapters: where each kind sits, what one adapter computes (checked by hand against
// y + up(act(down(y))) on one projection), the file format documented in docs/tuning.md, and the
// refusals of files made for another model or broken.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { methodFlagSpecs, methodFromFlags } from '../../../src/cli/method-flags';
import type { LoadedModel } from '../../../src/model/model';
import { AdapterFormatError, AdapterMismatchError, TuningConfigError } from '../../../src/tuning/errors';
import { BottleneckAdapter, adapterKey, adapterMethod } from '../../../src/tuning/methods/adapter/method';
import { exportAdapter, importAdapter } from '../../../src/tuning/peft/files';
import { methodSummaries } from '../../../src/tuning/registry';
import { advancedMethodFields } from '../../../src/ui/train/AdvancedSettings';
import { FAMILY_FIXTURES, adapterContext, loadFixture, maxAbsDiff, perturb, useCpu } from './helpers';

const json = (files: Map<string, Uint8Array>) => JSON.parse(new TextDecoder().decode(files.get('adapter_config.json')!)) as Record<string, unknown>;
const withConfig = (files: Map<string, Uint8Array>, change: Record<string, unknown>) =>
  new Map(files).set('adapter_config.json', new TextEncoder().encode(JSON.stringify({ ...json(files), ...change })));

describe.each(FAMILY_FIXTURES)('bottleneck adapters on %s', (fixture) => {
  let model: LoadedModel;
  beforeAll(async () => {
    await useCpu();
    model = await loadFixture(fixture);
  });
  afterAll(() => model.dispose());

  const gpt2 = () => model.config.family === 'gpt2';

  it('Houlsby adapts the attention and MLP output projections of every block, Pfeiffer only the MLP one', () => {
    const attention = gpt2() ? 'transformer.h.0.attn.c_proj' : 'model.layers.0.self_attn.o_proj';
    const mlp = gpt2() ? 'transformer.h.1.mlp.c_proj' : 'model.layers.1.mlp.down_proj';
    const houlsby = adapterMethod.create({ kind: 'houlsby', reduction: 4, activation: 'swish' }, adapterContext(model));
    const pfeiffer = adapterMethod.create({ kind: 'pfeiffer', reduction: 4, activation: 'swish' }, adapterContext(model));
    const keys = (a: typeof houlsby) => a.trainable().map((t) => t.key);
    expect(keys(houlsby)).toContain(adapterKey(attention, 'adapter_up.weight'));
    expect(keys(houlsby)).toContain(adapterKey(mlp, 'adapter_down.bias'));
    expect(keys(pfeiffer)).not.toContain(adapterKey(attention, 'adapter_up.weight'));
    expect(keys(pfeiffer)).toContain(adapterKey(mlp, 'adapter_down.bias'));
    // 2 layers; D = 32, bottleneck 32 / 4 = 8: per adapter 2·32·8 + 8 + 32 = 552 numbers.
    expect(model.config.numLayers).toBe(2);
    expect(model.config.hiddenSize).toBe(32);
    expect(houlsby.parameterCount()).toBe(4 * 552);
    expect(pfeiffer.parameterCount()).toBe(2 * 552);
    houlsby.dispose();
    pfeiffer.dispose();
  });

  it.each(['swish', 'relu', 'gelu'] as const)('one adapter computes y + up(%s(down(y))) on its projection', (activation) => {
    const adapter = adapterMethod.create({ kind: 'pfeiffer', reduction: 4, activation }, adapterContext(model)) as BottleneckAdapter;
    perturb(adapter, 3, 0.5);
    const name = gpt2() ? 'transformer.h.0.mlp.c_proj' : 'model.layers.0.mlp.down_proj';
    const read = (part: Parameters<typeof adapterKey>[1]) => adapter.trainable().find((t) => t.key === adapterKey(name, part))!.variable.arraySync() as number[][] | number[];
    const [dw, db, uw, ub] = [read('adapter_down.weight'), read('adapter_down.bias'), read('adapter_up.weight'), read('adapter_up.bias')] as [number[][], number[], number[][], number[]];
    const act = { swish: (v: number) => v / (1 + Math.exp(-v)), relu: (v: number) => Math.max(0, v), gelu: (v: number) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3))) }[activation];
    const y = Array.from({ length: 3 }, (_, i) => Array.from({ length: 32 }, (_, j) => Math.sin(i * 32 + j)));
    const expected = y.map((row) => {
      const hidden = db.map((bias, k) => act(row.reduce((sum, v, j) => sum + v * dw[j]![k]!, bias)));
      return row.map((v, j) => v + ub[j]! + hidden.reduce((sum, h, k) => sum + h * uw[k]![j]!, 0));
    });
    const out = tf.tidy(() => adapter.hooks().linear!(name, tf.zeros([3, 64]) as tf.Tensor2D, tf.tensor2d(y)).arraySync());
    expect(maxAbsDiff(out.flat(), expected.flat())).toBeLessThan(1e-4);
    // A module without an adapter passes through untouched.
    const other = gpt2() ? 'transformer.h.0.mlp.c_fc' : 'model.layers.0.mlp.up_proj';
    const passthrough = tf.tensor2d(y);
    expect(adapter.hooks().linear!(other, passthrough, passthrough)).toBe(passthrough);
    passthrough.dispose();
    adapter.dispose();
  });

  it("writes the documented file format: Attune's type, the config fields, torch-layout tensors", async () => {
    const adapter = adapterMethod.create({ kind: 'houlsby', reduction: 8, activation: 'relu' }, adapterContext(model, 3, 'org/tiny'));
    const files = await exportAdapter(adapter);
    const targets = gpt2() ? ['attn.c_proj', 'mlp.c_proj'] : ['self_attn.o_proj', 'mlp.down_proj'];
    expect(json(files)).toEqual({
      peft_type: 'ATTUNE_BOTTLENECK_ADAPTER',
      task_type: 'CAUSAL_LM',
      base_model_name_or_path: 'org/tiny',
      revision: null,
      inference_mode: true,
      adapter_kind: 'houlsby',
      reduction_factor: 8,
      bottleneck_size: 4,
      hidden_size: 32,
      non_linearity: 'relu',
      target_modules: targets,
    });
    const peft = adapter.toPeft();
    const mlp = gpt2() ? 'transformer.h.0.mlp.c_proj' : 'model.layers.0.mlp.down_proj';
    expect(peft.tensors.get(adapterKey(mlp, 'adapter_down.weight'))!.shape).toEqual([4, 32]);
    expect(peft.tensors.get(adapterKey(mlp, 'adapter_up.weight'))!.shape).toEqual([32, 4]);
    expect(peft.tensors.size).toBe(16);
    peft.tensors.forEach((t) => t.dispose());
    adapter.dispose();
  });

  it('refuses files made for another model or broken, naming the field or tensor', async () => {
    const adapter = adapterMethod.create({ kind: 'pfeiffer', reduction: 4, activation: 'swish' }, adapterContext(model));
    const files = await exportAdapter(adapter);
    const load = (f: Map<string, Uint8Array>) => () => importAdapter(f, adapterContext(model)).dispose();
    expect(load(withConfig(files, { adapter_kind: 'serial' }))).toThrow(AdapterFormatError);
    expect(load(withConfig(files, { reduction_factor: 0 }))).toThrow(/reduction_factor/);
    expect(load(withConfig(files, { hidden_size: 64 }))).toThrow(AdapterMismatchError);
    expect(load(withConfig(files, { target_modules: ['c_fc'] }))).toThrow(AdapterMismatchError);
    // Houlsby promises attention adapters that this Pfeiffer file lacks.
    expect(load(withConfig(files, { adapter_kind: 'houlsby', target_modules: gpt2() ? ['attn.c_proj', 'mlp.c_proj'] : ['self_attn.o_proj', 'mlp.down_proj'] }))).toThrow(/lacks/);
    const before = tf.memory().numTensors;
    expect(load(withConfig(files, { reduction_factor: 8, bottleneck_size: 4 }))).toThrow(/shape/);
    expect(tf.memory().numTensors).toBe(before);
    adapter.dispose();
  });
});

describe('bottleneck adapter config', () => {
  it('takes --adapter-kind, --reduction and --adapter-activation, and refuses bad values by field', async () => {
    expect(methodFromFlags({ method: 'adapter', 'adapter-kind': 'pfeiffer', reduction: 8 })).toEqual({ method: 'adapter', config: { kind: 'pfeiffer', reduction: 8 } });
    expect(methodFromFlags({ method: 'adapter', 'adapter-activation': 'relu' }).config).toEqual({ activation: 'relu' });
    await useCpu();
    const model = await loadFixture('tiny-llama');
    const field = (config: object) => {
      try {
        adapterMethod.validate({ ...adapterMethod.defaultConfig(model.config), ...config }, model.config);
      } catch (error) {
        expect(error).toBeInstanceOf(TuningConfigError);
        return (error as TuningConfigError).field;
      }
      return null;
    };
    expect(field({})).toBeNull();
    expect(field({ kind: 'serial' })).toBe('kind');
    expect(field({ reduction: 0 })).toBe('reduction');
    expect(field({ reduction: 64 })).toBe('reduction'); // 32 / 64 leaves no bottleneck
    expect(field({ activation: 'tanh' })).toBe('activation');
    expect(adapterMethod.merge).toBeUndefined();
    model.dispose();
  });

  it('reaches the Train view and the CLI through the registry alone', () => {
    const summary = methodSummaries().find((m) => m.name === 'adapter')!;
    expect(summary.mergeable).toBe(false);
    expect(summary.text.zh_CN.label).toBe('瓶颈适配器');
    expect(advancedMethodFields(summary).map((f) => f.key)).toEqual(['reduction']);
    expect(methodFlagSpecs()['adapter-kind']!.description).toMatch(/houlsby.*pfeiffer.*\[adapter\]/);
    expect(methodFlagSpecs().method!.description).toMatch(/\badapter\b/);
  });
});
