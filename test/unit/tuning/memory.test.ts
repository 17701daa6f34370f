// Training-memory paths against the plain ones: the chunked head + loss and per-block
// recomputation must give the same loss and gradients as keeping whole-model activations and
// [B, T, V] logits, for LoRA (including a LoRA on lm_head, and dropout), prompt tuning,
// key/value prefixes and trained base weights (LN tuning, lightweight, full fine-tuning), on GPT-2 and Llama-family models; and they must not leak tensors over
// training steps.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forward, forwardHidden, projectToVocab } from '../../../src/model/forward';
import { RecomputeMismatchError } from '../../../src/model/errors';
import { releaseKeptProducts } from '../../../src/model/kept-products';
import { matMulLastAxis } from '../../../src/model/layers';
import { recompute } from '../../../src/model/recompute';
import { microBatchGradients } from '../../../src/tuning/train/gradients';
import type { LoadedModel } from '../../../src/model/model';
import { adaptedModel } from '../../../src/tuning/adapted-model';
import { loraMethod } from '../../../src/tuning/methods/lora/method';
import { disposeBatch, padBatch, toTensors } from '../../../src/tuning/train/data';
import { chooseDefaults } from '../../../src/tuning/train/defaults';
import { chunkedMaskedNllSum, headChunkRows, maskedNllSum } from '../../../src/tuning/train/loss';
import { Trainer } from '../../../src/tuning/train/trainer';
import { allMethods } from '../../../src/tuning/registry';
import type { Adapter, TuningMethod } from '../../../src/tuning/types';
import { adapterContext, loadFixture, perturb, randomExamples, useCpu } from './helpers';

type Path = { chunkRows: number | null; recompute: boolean; keptVariableGradBytes?: number; selective?: boolean };

/** Loss and gradients of the summed masked NLL under one of the paths. */
function lossAndGrads(base: LoadedModel, adapter: Adapter, path: Path, training: boolean, seed = 11): { loss: number; grads: Float32Array[] } {
  const model = adaptedModel(base, adapter);
  const batch = padBatch(randomExamples(model.config.vocabSize, 3, 14, 5));
  const tensors = toTensors(batch);
  const variables = adapter.trainable().map(({ variable }) => variable);
  const hooks = adapter.hooks({ training, seed });
  const result = tf.variableGrads(() => {
    if (path.chunkRows === null && !path.recompute) {
      const out = forward(model, { ids: tensors.ids, attentionMask: tensors.attentionMask, hooks });
      return maskedNllSum(out.logits, tensors.ids, tensors.lossMask, out.prependedRows);
    }
    const recompute = path.recompute ? { variables, keepFrozenProducts: path.selective === true } : null;
    const out = forwardHidden(model, { ids: tensors.ids, attentionMask: tensors.attentionMask, hooks, recompute });
    return chunkedMaskedNllSum({
      hidden: out.hidden,
      project: (rows) => projectToVocab(model, rows, hooks),
      ids: tensors.ids,
      lossMask: tensors.lossMask,
      prepended: out.prependedRows,
      chunkRows: path.chunkRows ?? Number.MAX_SAFE_INTEGER,
      variables,
      ...(path.keptVariableGradBytes === undefined ? {} : { keptVariableGradBytes: path.keptVariableGradBytes }),
    });
  }, variables);
  disposeBatch(tensors);
  const loss = result.value.dataSync()[0]!;
  const grads = variables.map((v) => result.grads[v.name]!.dataSync() as Float32Array);
  result.value.dispose();
  for (const g of Object.values(result.grads)) g.dispose();
  return { loss, grads };
}

/** max |a − b| / max |a| over all gradients: relative to the gradient's own scale. */
function relativeError(a: Float32Array[], b: Float32Array[]): number {
  let worst = 0;
  let scale = 0;
  a.forEach((ga, i) => {
    const gb = b[i]!;
    expect(gb.length).toBe(ga.length);
    for (let j = 0; j < ga.length; j++) {
      worst = Math.max(worst, Math.abs(ga[j]! - gb[j]!));
      scale = Math.max(scale, Math.abs(ga[j]!));
    }
  });
  expect(scale).toBeGreaterThan(1e-4); // a gradient that is really there
  return worst / scale;
}

const PATHS: [string, Path][] = [
  ['chunked head (5 rows a chunk)', { chunkRows: 5, recompute: false }],
  // No head-variable gradient may be kept: a head that reads variables is recomputed per chunk.
  ['chunked head, head variables recomputed', { chunkRows: 5, recompute: false, keptVariableGradBytes: 0 }],
  ['recomputed blocks', { chunkRows: null, recompute: true }],
  ['both', { chunkRows: 7, recompute: true }],
  // Selective recomputation: the blocks' frozen products are kept, not run again.
  ['selectively recomputed blocks', { chunkRows: null, recompute: true, selective: true }],
  ['selective recomputation and a chunked head', { chunkRows: 7, recompute: true, selective: true }],
];

describe.each(['tiny-gpt2', 'tiny-llama', 'tiny-qwen2'])('training-memory paths on %s', (fixture) => {
  let model: LoadedModel;
  beforeAll(async () => {
    await useCpu();
    model = await loadFixture(fixture);
  });
  afterAll(() => model.dispose());

  function lora(dropout: number, withHead: boolean): Adapter {
    const base = loraMethod.defaultConfig(model.config);
    const targetModules = withHead ? '.*(attn|proj|lm_head).*' : base.targetModules;
    const adapter = loraMethod.create({ ...base, r: 4, dropout, targetModules }, adapterContext(model, 3));
    perturb(adapter, 9); // B ≠ 0, so A gets a gradient too
    return adapter;
  }

  /** Every registered method at its test config, perturbed so every trainable tensor gets a gradient. */
  function registered(method: TuningMethod): Adapter {
    const adapter = method.create(method.testConfig(model.config), adapterContext(model, 3));
    // Trained base weights (norms, the head, every weight) move by a little, adapter factors by more.
    perturb(adapter, 9, adapter.weights(model.weights) === model.weights ? 0.1 : 0.02);
    return adapter;
  }

  const adapters: [string, () => Adapter][] = [
    ['LoRA', () => lora(0, false)],
    // A dropout mask depends on the shape it is drawn for, so dropout before lm_head differs by
    // chunk: dropout is tested inside blocks (recomputed with the same shape), lm_head without it.
    ['LoRA with dropout', () => lora(0.2, false)],
    ['LoRA on lm_head too', () => lora(0, true)],
    // Soft prompts, key/value prefixes (which enter a recomputed block as differentiable inputs,
    // the MLP's too), linear hooks: every method, so a new one is checked without editing this list.
    ...allMethods().map((method): [string, () => Adapter] => [method.name, () => registered(method)]),
  ];

  describe.each(adapters)('%s', (_name, make) => {
    it.each(PATHS)('%s: same loss and gradients as the plain path', (_path, path) => {
      const adapter = make();
      const plain = lossAndGrads(model, adapter, { chunkRows: null, recompute: false }, true);
      const other = lossAndGrads(model, adapter, path, true);
      expect(Math.abs(other.loss - plain.loss) / Math.abs(plain.loss)).toBeLessThan(1e-5);
      expect(relativeError(plain.grads, other.grads)).toBeLessThan(1e-5);
      adapter.dispose();
    });
  });

  it('the check can fail: another dropout seed changes the gradients', () => {
    const adapter = lora(0.2, false);
    const a = lossAndGrads(model, adapter, { chunkRows: 7, recompute: true }, true, 11);
    const b = lossAndGrads(model, adapter, { chunkRows: null, recompute: false }, true, 12);
    expect(relativeError(a.grads, b.grads)).toBeGreaterThan(1e-3);
    adapter.dispose();
  });

  it.each([false, true])('leaves no tensor behind: the count is flat over repeated gradient computations (selective: %s)', (selective) => {
    const adapter = lora(0.2, true);
    lossAndGrads(model, adapter, { chunkRows: 7, recompute: true, selective }, true);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) lossAndGrads(model, adapter, { chunkRows: 7, recompute: true, selective }, true, i);
    expect(tf.memory().numTensors).toBe(before);
    adapter.dispose();
  });

  // Selective recomputation reuses the first run's products, so it is not merely close to full
  // recomputation but the same computation: every gradient bit-identical. LoRA (a linear hook),
  // IA3 (scales the MLP's frozen product's input), prompt tuning (rows prepended before the blocks).
  describe.each([
    ['LoRA with dropout', () => lora(0.2, false)],
    ['ia3', () => registered(allMethods().find((m) => m.name === 'ia3')!)],
    ['prompt-tuning', () => registered(allMethods().find((m) => m.name === 'prompt-tuning')!)],
  ] as [string, () => Adapter][])('%s', (_name, make) => {
    it('selective recomputation gives bit-identical gradients to full recomputation', () => {
      const adapter = make();
      const full = lossAndGrads(model, adapter, { chunkRows: 7, recompute: true }, true);
      const selective = lossAndGrads(model, adapter, { chunkRows: 7, recompute: true, selective: true }, true);
      expect(selective.loss).toBe(full.loss);
      full.grads.forEach((g, i) => expect(Array.from(selective.grads[i]!)).toEqual(Array.from(g)));
      adapter.dispose();
    });
  });

  it('selective recomputation runs no block product of a frozen weight twice', async () => {
    const adapter = lora(0, false);
    const count = async (selective: boolean) => {
      const profile = await tf.profile(() => lossAndGrads(model, adapter, { chunkRows: 7, recompute: true, selective }, true));
      return profile.kernels.filter((k) => k.name === 'BatchMatMul').length;
    };
    // Frozen products per block: q, k, v, o + gate, up, down (Llama); c_attn, c_proj, c_fc, c_proj (GPT-2).
    const perBlock = model.config.family === 'gpt2' ? 4 : 7;
    expect((await count(false)) - (await count(true))).toBe(perBlock * model.config.numLayers);
    adapter.dispose();
  });

  it('frees the kept products when a step throws after the forward pass (a cancelled step)', () => {
    const adapter = lora(0, false);
    // The head's hook throws: every block's forward has run, no block's backward has.
    const failing = Object.create(adapter) as Adapter;
    failing.hooks = (mode) => {
      const inner = adapter.hooks(mode);
      return {
        ...inner,
        linear: (name, x, y) => {
          if (name === 'lm_head') throw new Error('cancelled');
          return inner.linear ? inner.linear(name, x, y) : y;
        },
      };
    };
    const batch = padBatch(randomExamples(model.config.vocabSize, 2, 10, 5));
    const left = (keepFrozenProducts: boolean): number => {
      const setup = { model, adapter: failing, params: adapter.trainable(), recompute: true, keepFrozenProducts, headChunkRows: 7 };
      const before = tf.memory().numTensors;
      expect(() => microBatchGradients(setup, batch, 1, 10)).toThrow('cancelled');
      return tf.memory().numTensors - before;
    };
    // tfjs itself leaves the outer tape's saved tensors of an aborted gradient computation behind
    // (the same with either mode); selective recomputation must leave nothing more.
    const full = left(false);
    expect(left(true)).toBe(full);
    expect(releaseKeptProducts()).toBe(0);
    adapter.dispose();
  });

  it('a recomputation that asks for other frozen products than its first run throws RecomputeMismatchError', () => {
    const w = tf.randomNormal([4, 3], 0, 1, 'float32', 1) as tf.Tensor2D;
    const x = tf.variable(tf.randomNormal([2, 4], 0, 1, 'float32', 2));
    let runs = 0;
    const section = (input: tf.Tensor) => {
      runs++;
      const y = matMulLastAxis(input, w);
      // The second run (the recomputation) makes one product more than the first.
      return runs === 1 ? y : tf.add(y, matMulLastAxis(input, w));
    };
    expect(() => tf.variableGrads(() => tf.sum(recompute(section, [x], [], [], { keepFrozenProducts: true })) as tf.Scalar, [x])).toThrow(RecomputeMismatchError);
    expect(runs).toBe(2);
    expect(releaseKeptProducts()).toBe(0); // the failed section freed its own store
    tf.dispose([w, x]);
  });
});

describe('Trainer with recomputation and a chunked head', () => {
  let model: LoadedModel;
  beforeAll(async () => {
    await useCpu();
    model = await loadFixture('tiny-llama');
  });
  afterAll(() => model.dispose());

  const train = () => randomExamples(320, 8, 12, 1);
  const heldOut = () => randomExamples(320, 3, 12, 2);
  const settings = (overrides = {}) => ({
    ...chooseDefaults({ stats: { count: 8, meanTokens: 12, maxTokens: 12, p95Tokens: 12 }, optimizer: loraMethod.optimizer, contextTokens: 64 }),
    batchSize: 2,
    gradAccumSteps: 1,
    maxSteps: 4,
    lr: 1e-2,
    ...overrides,
  });
  const lora = (dropout = 0.1) => loraMethod.create({ ...loraMethod.defaultConfig(model.config), r: 4, dropout }, adapterContext(model, 5));
  const values = (adapter: Adapter) => adapter.trainable().flatMap(({ variable }) => Array.from(variable.dataSync()));

  it.each([false, true])('trains to the same adapter as the plain path, and the tensor count stays flat across steps (selective: %s)', async (selective) => {
    const plainAdapter = lora();
    const plain = new Trainer({ model, adapter: plainAdapter, train: train(), heldOut: heldOut(), settings: settings(), headChunkRows: 10_000 });
    const plainResult = await plain.run();

    const leanAdapter = lora();
    const counts: number[] = [];
    const lean = new Trainer({
      model,
      adapter: leanAdapter,
      train: train(),
      heldOut: heldOut(),
      settings: settings(),
      recompute: true,
      keepFrozenProducts: selective,
      headChunkRows: 5,
      onProgress: () => counts.push(tf.memory().numTensors),
    });
    const leanResult = await lean.run();
    expect(counts).toHaveLength(4);
    expect(new Set(counts.slice(1)).size).toBe(1);
    const a = values(plainAdapter);
    const b = values(leanAdapter);
    const scale = Math.max(...a.map(Math.abs));
    expect(Math.max(...a.map((x, i) => Math.abs(x - b[i]!))) / scale).toBeLessThan(1e-5);
    expect(Math.abs(leanResult.finalHeldOutLoss! - plainResult.finalHeldOutLoss!)).toBeLessThan(1e-5);
    [plain, lean].forEach((t) => t.dispose());
    [plainAdapter, leanAdapter].forEach((x) => x.dispose());
  });

  it('accumulation over uneven micro-batches (3 + 2) with recomputation gives the update of one batch of 5', async () => {
    // Without dropout: a dropout mask depends on the shape of the batch it is drawn for.
    const five = train().slice(0, 5);
    const oneBatch = lora(0);
    const t1 = new Trainer({ model, adapter: oneBatch, train: five, heldOut: [], settings: settings({ batchSize: 5, maxSteps: 1 }), headChunkRows: 10_000 });
    await t1.run();
    const accumulated = lora(0);
    const t2 = new Trainer({
      model,
      adapter: accumulated,
      train: five,
      heldOut: [],
      settings: settings({ batchSize: 3, gradAccumSteps: 2, maxSteps: 1 }),
      recompute: true,
      headChunkRows: 7,
    });
    await t2.run();
    const untouched = lora(0);
    const a = values(oneBatch);
    const scale = Math.max(...a.map(Math.abs));
    expect(Math.max(...a.map((x, i) => Math.abs(x - values(accumulated)[i]!))) / scale).toBeLessThan(1e-5);
    expect(Math.max(...a.map((x, i) => Math.abs(x - values(untouched)[i]!)))).toBeGreaterThan(1e-4); // the step moved it
    [t1, t2].forEach((t) => t.dispose());
    [oneBatch, accumulated, untouched].forEach((x) => x.dispose());
  });

  it('keeps far fewer bytes from the forward pass for the backward pass', () => {
    const adapter = lora();
    const variables = adapter.trainable().map(({ variable }) => variable);
    const tensors = toTensors(padBatch(randomExamples(320, 8, 40, 4)));
    const heldAtEndOfForward = (lean: boolean): number => {
      const start = tf.memory().numBytes;
      let held = 0;
      const hooks = adapter.hooks({ training: true, seed: 1 });
      const result = tf.variableGrads(() => {
        const out = forwardHidden(model, { ids: tensors.ids, attentionMask: tensors.attentionMask, hooks, recompute: lean ? { variables } : null });
        const loss = chunkedMaskedNllSum({
          hidden: out.hidden,
          project: (rows) => projectToVocab(model, rows, hooks),
          ids: tensors.ids,
          lossMask: tensors.lossMask,
          prepended: 0,
          chunkRows: lean ? 16 : 10_000,
          variables,
        });
        out.hidden.dispose();
        held = tf.memory().numBytes - start;
        return loss;
      }, variables);
      result.value.dispose();
      for (const g of Object.values(result.grads)) g.dispose();
      return held;
    };
    const plain = heldAtEndOfForward(false);
    const lean = heldAtEndOfForward(true);
    // Block inputs [320, 32] × 2 layers and a few row-sized tensors, against every activation and
    // the [320, 320] logits.
    expect(lean).toBeLessThan(plain / 4);
    disposeBatch(tensors);
    adapter.dispose();
  });

  it('projects each chunk once when its gradient is taken in the forward pass, twice when recomputed', async () => {
    const plainLora = lora(0);
    const headLora = loraMethod.create({ ...loraMethod.defaultConfig(model.config), r: 4, dropout: 0, targetModules: '.*(proj|lm_head).*' }, adapterContext(model, 5));
    const tensors = toTensors(padBatch(randomExamples(320, 4, 10, 6)));
    const V = model.config.vocabSize;
    const projections = async (adapter: Adapter, keptVariableGradBytes?: number): Promise<number> => {
      const variables = adapter.trainable().map(({ variable }) => variable);
      const hooks = adapter.hooks({ training: true, seed: 1 });
      const profile = await tf.profile(() => {
        const result = tf.variableGrads(() => {
          const out = forwardHidden(model, { ids: tensors.ids, attentionMask: tensors.attentionMask, hooks });
          const loss = chunkedMaskedNllSum({
            hidden: out.hidden,
            project: (rows) => projectToVocab(model, rows, hooks),
            ids: tensors.ids,
            lossMask: tensors.lossMask,
            prepended: 0,
            chunkRows: 8,
            variables,
            ...(keptVariableGradBytes === undefined ? {} : { keptVariableGradBytes }),
          });
          out.hidden.dispose();
          return loss;
        }, variables);
        result.value.dispose();
        for (const g of Object.values(result.grads)) g.dispose();
      });
      // The base head's products: [rows, D] × [D, V] -> [rows, V] (a LoRA's [rows, r] × [r, V] is not one).
      const D = model.config.hiddenSize;
      return profile.kernels.filter((k) => k.name === 'BatchMatMul' && k.inputShapes[1]?.join() === [D, V].join()).length;
    };
    const chunks = Math.ceil((4 * 10) / 8);
    expect(await projections(plainLora)).toBe(chunks);
    // A LoRA on q/k/v/o reads no variable in the head, so even a zero budget keeps the forward-pass gradient.
    expect(await projections(plainLora, 0)).toBe(chunks);
    // A LoRA on lm_head within the budget: once; with none: the first chunk's gradient is taken,
    // found over budget and dropped (one projection), then every chunk is recomputed (twice each).
    expect(await projections(headLora)).toBe(chunks);
    expect(await projections(headLora, 0)).toBe(1 + 2 * chunks);
    disposeBatch(tensors);
    plainLora.dispose();
    headLora.dispose();
  });

  it('headChunkRows keeps one chunk of float32 logits within the byte budget', () => {
    expect(headChunkRows(49152)).toBe(170); // 32 MiB / (49,152 × 4 B)
    expect(headChunkRows(151936)).toBe(55);
    expect(headChunkRows(10 ** 9)).toBe(1);
  });
});
