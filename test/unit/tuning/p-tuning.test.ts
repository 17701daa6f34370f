// P-tuning (PEFT P_TUNING): the encoder's parameter count by hand, the MLP path's gradients (the
// contract test checks the LSTM's), dropout only while training, the files PEFT writes, and the
// chosen behaviour on import: the saved prompt loads as a fixed prompt that trains directly.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { methodFlagSpecs, methodFromFlags } from '../../../src/cli/method-flags';
import type { LoadedModel } from '../../../src/model/model';
import { AdapterFormatError, AdapterMismatchError, TuningConfigError } from '../../../src/tuning/errors';
import { PTuningAdapter, pTuningMethod } from '../../../src/tuning/methods/p-tuning/method';
import { exportAdapter, importAdapter } from '../../../src/tuning/peft/files';
import { methodSummaries } from '../../../src/tuning/registry';
import { advancedMethodFields } from '../../../src/ui/train/AdvancedSettings';
import { AdamW } from '../../../src/tuning/train/optimizer';
import type { PTuningConfig } from '../../../src/tuning/methods/p-tuning/config';
import { FAMILY_FIXTURES, adapterContext, centralDifference, fixedBatch, inputLogits, loadFixture, maxAbsDiff, meanLoss, perturb, useCpu } from './helpers';

const json = (files: Map<string, Uint8Array>) => JSON.parse(new TextDecoder().decode(files.get('adapter_config.json')!)) as Record<string, unknown>;
const withConfig = (files: Map<string, Uint8Array>, change: Record<string, unknown>) =>
  new Map(files).set('adapter_config.json', new TextEncoder().encode(JSON.stringify({ ...json(files), ...change })));
const mlp: PTuningConfig = { numVirtualTokens: 3, encoder: 'mlp', encoderHiddenSize: 8, encoderNumLayers: 2, encoderDropout: 0 };
const lstm: PTuningConfig = { ...mlp, encoder: 'lstm', encoderHiddenSize: 6, encoderDropout: 0.5 };
const ids = [[5, 17, 42, 99, 3]];

describe.each(FAMILY_FIXTURES)('P-tuning on %s', (fixture) => {
  let model: LoadedModel;
  beforeAll(async () => {
    await useCpu();
    model = await loadFixture(fixture);
  });
  afterAll(() => model.dispose());

  it('counts the encoder as PEFT builds it (D = 32)', () => {
    expect(model.config.hiddenSize).toBe(32);
    // Embedding 3·32; MLP 32→8→8→32 with biases.
    expect(pTuningMethod.parameterCount(mlp, model.config)).toBe(96 + (32 * 8 + 8) + (8 * 8 + 8) + (8 * 32 + 32));
    // LSTM H = 6, 2 layers × 2 directions: 4H·(in + H) + 8H each (in = 32, then 12); head 12→12→32.
    const lstmCount = 96 + 2 * (24 * (32 + 6) + 48) + 2 * (24 * (12 + 6) + 48) + (12 * 12 + 12) + (12 * 32 + 32);
    expect(pTuningMethod.parameterCount(lstm, model.config)).toBe(lstmCount);
    for (const config of [mlp, lstm]) {
      const adapter = pTuningMethod.create(config, adapterContext(model));
      expect(adapter.parameterCount()).toBe(pTuningMethod.parameterCount(config, model.config));
      adapter.dispose();
    }
  });

  it('MLP encoder gradients match central finite differences', () => {
    const adapter = pTuningMethod.create(mlp, adapterContext(model, 4));
    perturb(adapter, 5);
    const batch = fixedBatch(model.config.vocabSize);
    const params = adapter.trainable();
    const { value, grads } = tf.variableGrads(() => meanLoss(model, adapter, batch), params.map((p) => p.variable));
    value.dispose();
    // The embedding and each Linear's weight, at their largest-gradient entry.
    for (const { variable } of params.filter((p) => p.key.endsWith('weight'))) {
      const grad = Array.from(grads[variable.name]!.dataSync());
      const index = grad.reduce((best, g, i) => (Math.abs(g) > Math.abs(grad[best]!) ? i : best), 0);
      // A step of 1e-3, not the contract's 1e-2: a ReLU unit near its kink makes the wider central
      // difference straddle it (GPT-2's largest entry: 0.164 analytic, 0.132 at 1e-2, 0.1645 at 1e-3).
      const numeric = centralDifference(() => meanLoss(model, adapter, batch), variable, index, 1e-3);
      expect(Math.abs(grad[index]!)).toBeGreaterThan(1e-4);
      expect(Math.abs(grad[index]! - numeric)).toBeLessThanOrEqual(2e-3 + 0.03 * Math.abs(numeric));
    }
    Object.values(grads).forEach((g) => g.dispose());
    adapter.dispose();
  });

  it('applies encoder_dropout between LSTM layers only while training', () => {
    const adapter = pTuningMethod.create(lstm, adapterContext(model, 6));
    const prompt = (training: boolean, seed: number) =>
      tf.tidy(() => adapter.hooks({ training, seed }).inputEmbeddings!(tf.zeros([1, 1, 32])).dataSync());
    expect(maxAbsDiff(prompt(false, 1), prompt(false, 2))).toBe(0);
    expect(maxAbsDiff(prompt(true, 1), prompt(true, 1))).toBe(0);
    expect(maxAbsDiff(prompt(true, 1), prompt(true, 2))).toBeGreaterThan(1e-4);
    expect(maxAbsDiff(prompt(true, 1), prompt(false, 1))).toBeGreaterThan(1e-4);
    adapter.dispose();
  });

  it("writes PEFT's P_TUNING files: the encoder's output as prompt_embeddings, PromptEncoderConfig's fields", async () => {
    const adapter = pTuningMethod.create(lstm, adapterContext(model, 7, 'org/tiny'));
    const files = await exportAdapter(adapter);
    expect(json(files)).toEqual({
      peft_type: 'P_TUNING',
      task_type: 'CAUSAL_LM',
      base_model_name_or_path: 'org/tiny',
      revision: null,
      inference_mode: true,
      num_virtual_tokens: 3,
      token_dim: 32,
      num_transformer_submodules: 1,
      num_attention_heads: model.config.numHeads,
      num_layers: model.config.numLayers,
      encoder_reparameterization_type: 'LSTM',
      encoder_hidden_size: 6,
      encoder_num_layers: 2,
      encoder_dropout: 0.5,
    });
    adapter.dispose();
  });

  it('imports as the fixed exported prompt, which then trains directly (the encoder is not in the file)', async () => {
    const adapter = pTuningMethod.create(mlp, adapterContext(model, 8));
    perturb(adapter, 9);
    const loaded = importAdapter(await exportAdapter(adapter), adapterContext(model, 10)) as PTuningAdapter;
    expect(loaded.hasEncoder).toBe(false);
    expect(loaded.trainable().map((t) => [t.key, t.variable.shape])).toEqual([['prompt_embeddings', [3, 32]]]);
    expect(loaded.parameterCount()).toBe(3 * 32);
    expect(maxAbsDiff(inputLogits(model, adapter, ids), inputLogits(model, loaded, ids))).toBe(0);
    // One optimizer step on the loaded prompt lowers the loss: further training continues from it.
    const batch = fixedBatch(model.config.vocabSize);
    const params = loaded.trainable();
    const optimizer = new AdamW(params, { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 });
    const before = meanLoss(model, loaded, batch);
    const { value, grads } = tf.variableGrads(() => meanLoss(model, loaded, batch), params.map((p) => p.variable));
    optimizer.step(new Map(params.map(({ key, variable }) => [key, grads[variable.name]!])), 1e-2);
    const after = meanLoss(model, loaded, batch);
    expect(after.dataSync()[0]!).toBeLessThan(before.dataSync()[0]! - 1e-4);
    [before, after, value, ...Object.values(grads)].forEach((t) => t.dispose());
    optimizer.dispose();
    // Exported again, it is still a P_TUNING file with the same fields.
    const again = await exportAdapter(loaded);
    expect(json(again)).toMatchObject({ peft_type: 'P_TUNING', encoder_reparameterization_type: 'MLP', encoder_hidden_size: 8 });
    adapter.dispose();
    loaded.dispose();
  });

  it('refuses files made for another model or broken', async () => {
    const adapter = pTuningMethod.create(mlp, adapterContext(model));
    const files = await exportAdapter(adapter);
    const load = (f: Map<string, Uint8Array>) => () => importAdapter(f, adapterContext(model)).dispose();
    const before = tf.memory().numTensors;
    expect(load(withConfig(files, { encoder_reparameterization_type: 'GRU' }))).toThrow(AdapterFormatError);
    expect(load(withConfig(files, { encoder_hidden_size: 0 }))).toThrow(/encoder_hidden_size/);
    expect(load(withConfig(files, { token_dim: 64 }))).toThrow(AdapterMismatchError);
    expect(load(withConfig(files, { num_transformer_submodules: 2 }))).toThrow(AdapterMismatchError);
    expect(load(withConfig(files, { num_virtual_tokens: 4 }))).toThrow(/shape/);
    expect(tf.memory().numTensors).toBe(before);
    adapter.dispose();
  });
});

describe('P-tuning config', () => {
  it('takes --encoder, --encoder-hidden-size, --encoder-layers, --encoder-dropout, --virtual-tokens; refuses bad values by field', async () => {
    expect(methodFromFlags({ method: 'p-tuning', encoder: 'lstm', 'encoder-hidden-size': 16, 'virtual-tokens': 10 })).toEqual({
      method: 'p-tuning',
      config: { encoder: 'lstm', encoderHiddenSize: 16, numVirtualTokens: 10 },
    });
    expect(methodFromFlags({ method: 'p-tuning', 'encoder-layers': 3, 'encoder-dropout': 0.1 }).config).toEqual({ encoderNumLayers: 3, encoderDropout: 0.1 });
    await useCpu();
    const model = await loadFixture('tiny-llama');
    // PEFT's defaults: MLP, encoder_hidden_size = token_dim.
    expect(pTuningMethod.defaultConfig(model.config)).toEqual({ numVirtualTokens: 8, encoder: 'mlp', encoderHiddenSize: 32, encoderNumLayers: 2, encoderDropout: 0 });
    const field = (config: Partial<PTuningConfig>) => {
      try {
        pTuningMethod.validate({ ...pTuningMethod.defaultConfig(model.config), ...config }, model.config);
      } catch (error) {
        expect(error).toBeInstanceOf(TuningConfigError);
        return (error as TuningConfigError).field;
      }
      return null;
    };
    expect(field({})).toBeNull();
    expect(field({ encoder: 'gru' as 'mlp' })).toBe('encoder');
    expect(field({ encoderHiddenSize: 0 })).toBe('encoderHiddenSize');
    expect(field({ encoderNumLayers: 1.5 })).toBe('encoderNumLayers');
    expect(field({ encoderDropout: 1 })).toBe('encoderDropout');
    expect(field({ numVirtualTokens: 32 })).toBe('numVirtualTokens');
    model.dispose();
  });

  it('reaches the Train view and the CLI through the registry alone', () => {
    const summary = methodSummaries().find((m) => m.name === 'p-tuning')!;
    expect(summary.mergeable).toBe(false);
    expect(advancedMethodFields(summary).map((f) => f.key)).toEqual(['numVirtualTokens']);
    // --encoder-hidden-size is shared with prefix tuning and listed once.
    expect(methodFlagSpecs()['encoder-hidden-size']!.description).toMatch(/\[prefix-tuning\] \[also p-tuning\]/);
    expect(methodFlagSpecs().encoder!.description).toMatch(/mlp.*lstm.*\[p-tuning\]/);
  });
});
