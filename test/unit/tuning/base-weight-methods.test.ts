// The methods that train base weights (LN tuning, lightweight, full fine-tuning), beyond the shared
// contract: which tensors each trains on each family (and the refusal of a part a family lacks),
// the untied head of a tied model, their files, the full fine-tune's model folder (loaded back by
// the model loader and by the extension's model import), the memory plan's refusal of a full
// fine-tune that cannot fit, and one-click settings that lower the loss.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel, type LoadedModel } from '../../../src/model/model';
import { parseConfig } from '../../../src/model/config';
import { readSafetensors } from '../../../src/model/safetensors';
import type { ModelConfig } from '../../../src/model/types';
import { importModelFromFiles } from '../../../src/model-store/file-import';
import { errorsZhCN } from '../../../src/i18n/errors.zh_CN';
import { adaptedModel } from '../../../src/tuning/adapted-model';
import { MissingModelPartError, TooLargeToTrainError } from '../../../src/tuning/errors';
import { fullMethod } from '../../../src/tuning/methods/full/method';
import { lightweightMethod } from '../../../src/tuning/methods/lightweight/method';
import { lnTuningKey, lnTuningMethod } from '../../../src/tuning/methods/ln-tuning/method';
import { exportAdapter } from '../../../src/tuning/peft/files';
import { getMethod } from '../../../src/tuning/registry';
import { chooseDefaults } from '../../../src/tuning/train/defaults';
import { WASM32_LIMITS } from '../../../src/tuning/train/memory-plan';
import { planTraining } from '../../../src/tuning/train/prepare';
import { Trainer } from '../../../src/tuning/train/trainer';
import type { MethodName } from '../../../src/tuning/types';
import { MemoryFileStore } from '../model-store/memory-file-store';
import { FAMILY_FIXTURES, FIXTURES, adapterContext, fixedBatch, inputLogits, loadFixture, maxAbsDiff, meanLoss, perturb, randomExamples, useCpu } from './helpers';

const IDS = [
  [5, 17, 42, 99, 3, 250, 7, 8],
  [1, 2, 3, 4, 5, 6, 7, 8],
];

/** Published configs (Hugging Face config.json fields), for counts and plans without weights. */
const SMOLLM2_135M = parseConfig({
  model_type: 'llama', vocab_size: 49152, hidden_size: 576, num_hidden_layers: 30, num_attention_heads: 9, num_key_value_heads: 3,
  intermediate_size: 1536, max_position_embeddings: 8192, rms_norm_eps: 1e-5, rope_theta: 100000, tie_word_embeddings: true,
});
const SMOLLM2_360M = parseConfig({
  model_type: 'llama', vocab_size: 49152, hidden_size: 960, num_hidden_layers: 32, num_attention_heads: 15, num_key_value_heads: 5,
  intermediate_size: 2560, max_position_embeddings: 8192, rms_norm_eps: 1e-5, rope_theta: 100000, tie_word_embeddings: true,
});
const QWEN25_05B = parseConfig({
  model_type: 'qwen2', vocab_size: 151936, hidden_size: 896, num_hidden_layers: 24, num_attention_heads: 14, num_key_value_heads: 2,
  intermediate_size: 4864, max_position_embeddings: 32768, rms_norm_eps: 1e-6, rope_theta: 1000000, tie_word_embeddings: true,
});

describe('full fine-tuning counts every published parameter', () => {
  it('SmolLM2-135M, SmolLM2-360M and Qwen2.5-0.5B (q/k/v biases included)', () => {
    expect(fullMethod.parameterCount({}, SMOLLM2_135M)).toBe(134_515_008);
    expect(fullMethod.parameterCount({}, SMOLLM2_360M)).toBe(361_821_120);
    expect(fullMethod.parameterCount({}, QWEN25_05B)).toBe(494_032_768);
  });
});

describe.each(FAMILY_FIXTURES)('methods that train base weights on %s', (fixture) => {
  let model: LoadedModel;
  beforeAll(async () => {
    await useCpu();
    model = await loadFixture(fixture);
  });
  afterAll(() => model.dispose());

  it('LN tuning trains the norms PEFT targets for this model type, saved under PEFT keys', async () => {
    const adapter = lnTuningMethod.create(lnTuningMethod.defaultConfig(model.config), adapterContext(model));
    const keys = adapter.trainable().map((t) => t.key);
    const L = model.config.numLayers;
    if (model.config.family === 'gpt2') {
      expect(keys).toHaveLength((2 * L + 1) * 2);
      expect(keys).toContain('base_model.model.transformer.h.0.ln_1.ln_tuning_layers.bias');
      expect(keys).toContain('base_model.model.transformer.ln_f.ln_tuning_layers.weight');
    } else if (model.config.modelType === 'qwen2') {
      expect(keys).toEqual(Array.from({ length: L }, (_, i) => `base_model.model.model.layers.${i}.post_attention_layernorm.ln_tuning_layers.weight`));
    } else {
      expect(keys).toHaveLength(2 * L + 1);
      expect(keys).toContain('base_model.model.model.norm.ln_tuning_layers.weight');
      expect(keys).toContain('base_model.model.model.layers.0.input_layernorm.ln_tuning_layers.weight');
    }
    const files = await exportAdapter(adapter);
    const config = JSON.parse(new TextDecoder().decode(files.get('adapter_config.json')!));
    expect(config).toMatchObject({ peft_type: 'LN_TUNING', task_type: 'CAUSAL_LM', target_modules: lnTuningMethod.defaultConfig(model.config).targetModules, modules_to_save: null });
    expect([...readSafetensors(files.get('adapter_model.safetensors')!, 'x').tensors.keys()].sort()).toEqual([...keys].sort());
    adapter.dispose();
  });

  it('lightweight trains exactly the named parts; a part the family lacks is refused in one line', () => {
    const D = model.config.hiddenSize;
    const V = model.config.vocabSize;
    const L = model.config.numLayers;
    const gpt2 = model.config.family === 'gpt2';
    const count = (parts: string) => lightweightMethod.parameterCount({ parts }, model.config);
    expect(count('head')).toBe(V * D);
    expect(count('norms')).toBe((2 * L + 1) * D * (gpt2 ? 2 : 1));
    if (gpt2) expect(count('bias')).toBe(L * (3 * D + D + model.config.intermediateSize + D));
    else if (model.config.modelType === 'qwen2') {
      const kv = model.config.numKvHeads * model.config.headDim;
      expect(count('bias')).toBe(L * (model.config.numHeads * model.config.headDim + 2 * kv));
    } else {
      let error: unknown;
      try {
        lightweightMethod.create({ parts: 'head,bias' }, adapterContext(model));
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(MissingModelPartError);
      expect((error as Error).message).toBe('Cannot train part "bias": llama models have no bias parameters. Parts this model has: head, norms.');
      expect((error as MissingModelPartError).key in errorsZhCN).toBe(true);
    }
    for (const parts of ['head', 'norms', 'head, norms']) {
      const adapter = lightweightMethod.create({ parts }, adapterContext(model));
      expect(adapter.parameterCount()).toBe(count(parts));
      adapter.dispose();
    }
    expect(() => lightweightMethod.validate({ parts: 'head,tail' }, model.config)).toThrow(/"tail" is not a part/);
    expect(() => lightweightMethod.validate({ parts: '' }, model.config)).toThrow(/at least one part/);
  });

  it('lightweight head: trains a separate head (untied when the model ties it); the embeddings stay the base ones', async () => {
    const adapter = lightweightMethod.create({ parts: ['head'] }, adapterContext(model));
    expect(maxAbsDiff(inputLogits(model, null, IDS), inputLogits(model, adapter, IDS))).toBe(0);
    perturb(adapter, 3);
    const weights = adapter.weights(model.weights);
    const embedding = model.config.family === 'gpt2' ? 'transformer.wte.weight' : 'model.embed_tokens.weight';
    expect(weights.get(embedding)).toBe(model.weights.get(embedding));
    expect(weights.get('lm_head.weight')).toBe(adapter.trainable()[0]!.variable);
    // The trained head alone moves the logits: a head equal to the (tied) table gives the base's.
    expect(maxAbsDiff(inputLogits(model, null, IDS), inputLogits(model, adapter, IDS))).toBeGreaterThan(1e-3);
    const files = await exportAdapter(adapter);
    const config = JSON.parse(new TextDecoder().decode(files.get('adapter_config.json')!));
    expect(config).toMatchObject({ peft_type: 'ATTUNE_LIGHTWEIGHT', format_version: 1, parts: ['head'], untied_head: model.config.tieWordEmbeddings });
    const saved = readSafetensors(files.get('adapter_model.safetensors')!, 'x').tensors;
    expect([...saved.keys()]).toEqual(['lm_head.weight']);
    expect(saved.get('lm_head.weight')!.shape).toEqual([model.config.vocabSize, model.config.hiddenSize]); // checkpoint layout
    const expected = tf.tidy(() => tf.transpose(adapter.trainable()[0]!.variable).dataSync());
    expect(maxAbsDiff(saved.get('lm_head.weight')!.data, expected)).toBe(0);
    adapter.dispose();
  });

  it('full fine-tuning: the model folder it writes loads back (model loader and the Models import) with the trained logits', async () => {
    const adapter = fullMethod.create({}, adapterContext(model));
    perturb(adapter, 21, 0.05);
    const trained = inputLogits(model, adapter, IDS);
    expect(maxAbsDiff(trained, inputLogits(model, null, IDS))).toBeGreaterThan(1e-3);
    const base = new Map(readdirSync(join(FIXTURES, fixture)).map((name) => [name, new Uint8Array(readFileSync(join(FIXTURES, fixture, name)))]));
    const folder = await fullMethod.modelFiles!(adapter, base);
    expect([...folder.keys()].sort()).toEqual([...base.keys()].sort());
    expect(folder.get('config.json')).toEqual(base.get('config.json'));
    expect(folder.get('tokenizer.json')).toEqual(base.get('tokenizer.json'));
    expect(folder.get('model.safetensors')).not.toEqual(base.get('model.safetensors'));
    // The same tensor names and shapes as the base checkpoint (Llama linears back to [out, in]).
    const shapes = (bytes: Uint8Array) => new Map([...readSafetensors(bytes, 'x').tensors].map(([name, t]) => [name, t.shape]));
    const baseShapes = [...shapes(base.get('model.safetensors')!)].filter(([name]) => !/\.attn\.(masked_)?bias$/.test(name));
    expect(shapes(folder.get('model.safetensors')!)).toEqual(new Map(baseShapes));

    const loaded = await loadModel(folder);
    expect(maxAbsDiff(inputLogits(loaded, null, IDS), trained)).toBe(0);
    loaded.dispose();

    // The extension's Models import (a picked folder) accepts it and stores what the loader reads.
    const store = new MemoryFileStore();
    const picked = [...folder].map(([name, bytes]) => Object.assign(new Blob([bytes.slice()]), { name, webkitRelativePath: `tuned/${name}` }));
    const imported = await importModelFromFiles('tuned', picked, { files: store, estimate: async () => ({ quota: 2 ** 40, usage: 0 }) });
    expect(imported.weights.parameterCount).toBe(adapter.parameterCount());
    const fromStore = await loadModel(store.models.get('tuned')!);
    expect(maxAbsDiff(inputLogits(fromStore, null, IDS), trained)).toBe(0);
    fromStore.dispose();
    adapter.dispose();
  });

  it.each(['ln-tuning', 'lightweight', 'full'] as MethodName[])('%s: one-click optimizer settings lower the training loss', async (name) => {
    const method = getMethod(name);
    const adapter = method.create(method.defaultConfig(model.config), adapterContext(model));
    const examples = randomExamples(model.config.vocabSize, 4, 12, 5);
    const batch = fixedBatch(model.config.vocabSize);
    const lossOf = () => {
      const loss = meanLoss(model, adapter, batch);
      const value = loss.dataSync()[0]!;
      loss.dispose();
      return value;
    };
    const settings = {
      ...chooseDefaults({ stats: { count: 4, meanTokens: 12, maxTokens: 12, p95Tokens: 12 }, optimizer: method.optimizer, contextTokens: 60 }),
      batchSize: 4,
      gradAccumSteps: 1,
      maxSteps: 30,
      earlyStoppingPatience: 0,
    };
    expect(settings.lr).toBe(method.optimizer.lr);
    let first: number | null = null;
    let last = 0;
    const trainer = new Trainer({ model, adapter, train: examples, heldOut: [], settings, onProgress: (p) => {
      first ??= p.loss;
      last = p.loss;
    } });
    const result = await trainer.run();
    expect(result.status).toBe('completed');
    expect(last).toBeLessThan(first! - 0.01);
    expect(Number.isFinite(lossOf())).toBe(true);
    trainer.dispose();
    adapter.dispose();
  });
});

describe('the memory plan of a full fine-tune', () => {
  let tiny: LoadedModel;
  beforeAll(async () => {
    await useCpu();
    tiny = await loadFixture('tiny-llama');
  });
  afterAll(() => tiny.dispose());
  const examples = Array.from({ length: 20 }, (_, i) => ({ instruction: `Join word ${i} and word ${i + 1}`, input: '', output: `word${i}-word${i + 1}` }));
  /** A published shape with the tiny fixture's tokenizer: the plan reads only the config. */
  const shaped = (config: ModelConfig): LoadedModel => ({ ...tiny, config });

  it.each([
    ['SmolLM2-135M', SMOLLM2_135M],
    ['SmolLM2-360M', SMOLLM2_360M],
    ['Qwen2.5-0.5B', QWEN25_05B],
  ] as const)('refuses %s on wasm before allocating (weights + gradients + AdamW state), where LoRA on 135M fits', (_name, config) => {
    const before = tf.memory().numTensors;
    let error: unknown;
    try {
      planTraining({ model: shaped(config), method: 'full', examples, overrides: { batchSize: 1, maxLength: 64 }, memoryLimits: WASM32_LIMITS });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TooLargeToTrainError);
    expect((error as TooLargeToTrainError).plan.reason).toBe('weights-exceed-budget');
    expect(tf.memory().numTensors).toBe(before);
    if (config === SMOLLM2_135M) {
      const lora = planTraining({ model: shaped(config), method: 'lora', examples, overrides: { batchSize: 1, maxLength: 64 }, memoryLimits: WASM32_LIMITS });
      expect(lora.memory).toMatchObject({ fits: true });
    }
  });

  it('plans a full fine-tune of the tiny model with every weight as trainable state', () => {
    const run = planTraining({ model: tiny, method: 'full', examples, overrides: { batchSize: 1, maxLength: 32 }, memoryLimits: WASM32_LIMITS });
    expect(run.memory).toMatchObject({ fits: true });
    let weights = 0;
    for (const t of tiny.weights.values()) weights += t.size;
    expect(fullMethod.parameterCount({}, tiny.config)).toBe(weights);
  });
});

// adaptedModel is what every forward pass with an adapter goes through.
describe('adaptedModel', () => {
  it('is the model itself for adapters that change no weights', async () => {
    await useCpu();
    const model = await loadFixture('tiny-llama');
    const lora = getMethod('lora').create(getMethod('lora').defaultConfig(model.config), adapterContext(model));
    expect(adaptedModel(model, lora)).toBe(model);
    const ln = lnTuningMethod.create(lnTuningMethod.defaultConfig(model.config), adapterContext(model));
    expect(adaptedModel(model, ln).weights.get('model.norm.weight')).toBe(ln.trainable().find((t) => t.key === lnTuningKey('model.norm.weight'))!.variable);
    lora.dispose();
    ln.dispose();
    model.dispose();
  });
});
