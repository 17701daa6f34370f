// Data pipeline: chat-templated ids with the loss on output tokens only, truncation with a
// warning, seeded split, length-bucketed batches, one-click defaults.
import { beforeAll, describe, expect, it } from 'vitest';
import type { LoadedModel } from '../../../src/model/model';
import { TrainingDataError } from '../../../src/tuning/errors';
import {
  MIN_EXAMPLES_FOR_HELD_OUT,
  dataStats,
  encodeExample,
  encodeExamples,
  epochBatches,
  evalBatches,
  fitExample,
  padBatch,
  splitExamples,
} from '../../../src/tuning/train/data';
import { chooseDefaults } from '../../../src/tuning/train/defaults';
import { getLr } from '../../../src/tuning/train/schedule';
import * as tf from '@tensorflow/tfjs';
import { getMethod } from '../../../src/tuning/registry';
import { batchShapesFor } from '../../../src/tuning/train/prepare';
import { adapterContext, loadFixture, maxAbsDiff, meanLoss, randomExamples, useCpu } from './helpers';

let model: LoadedModel;
beforeAll(async () => {
  await useCpu();
  model = await loadFixture('tiny-llama');
});

describe('encodeExample', () => {
  it('masks exactly the output and the end-of-turn token, after the chat-templated prompt', () => {
    const tokenizer = model.tokenizer!;
    const { prompt, completion } = encodeExample(tokenizer, { instruction: 'Say hi', input: 'politely', output: 'Hello there' });
    const promptText = tokenizer.decode(prompt);
    expect(promptText).toBe('<|im_start|>user\nSay hi\n\npolitely<|im_end|>\n<|im_start|>assistant\n');
    expect(tokenizer.decode(completion)).toBe('Hello there<|im_end|>');
    const { example } = fitExample(prompt, completion, 64);
    expect(example.lossMask).toEqual([...prompt.map(() => 0), ...completion.map(() => 1)]);
  });

  it('truncates over-long examples (keeping the prompt end and output start) and says so', () => {
    const long = { instruction: 'word '.repeat(80), output: 'answer '.repeat(40) };
    const report = encodeExamples(model.tokenizer!, [long, { instruction: 'a', output: 'b' }], 32);
    expect(report.truncated).toBe(1);
    expect(report.warnings[0]).toMatch(/1 example\(s\) were longer than 32 tokens/);
    const [first] = report.examples;
    expect(first!.ids).toHaveLength(32);
    expect(first!.lossMask.filter((m) => m === 1).length).toBe(16); // half the budget for the output
    expect(model.tokenizer!.decode(first!.ids.slice(0, 16)).endsWith('assistant\n')).toBe(true);
    expect(() => encodeExamples(model.tokenizer!, [], 32)).toThrow(TrainingDataError);
  });
});

describe('splitExamples', () => {
  it('holds out 10 % with a seeded, reproducible choice, and none below the minimum (saying so)', () => {
    const items = Array.from({ length: 50 }, (_, i) => i);
    const a = splitExamples(items, 1);
    expect(a.heldOut).toHaveLength(5);
    expect([...a.train, ...a.heldOut].sort((x, y) => x - y)).toEqual(items);
    expect(splitExamples(items, 1).heldOut).toEqual(a.heldOut);
    expect(splitExamples(items, 2).heldOut).not.toEqual(a.heldOut);
    const small = splitExamples(items.slice(0, MIN_EXAMPLES_FOR_HELD_OUT - 1), 1);
    expect(small.heldOut).toHaveLength(0);
    expect(small.note).toMatch(/No held-out set/);
  });
});

describe('epochBatches', () => {
  it('covers every example once per epoch, groups similar lengths, pads right with masks', () => {
    const examples = Array.from({ length: 40 }, (_, i) => ({ ids: Array(3 + (i % 20)).fill(7), lossMask: Array(3 + (i % 20)).fill(1) }));
    const batches = epochBatches(examples, 4, 1, 0);
    expect(batches.reduce((n, b) => n + b.ids.length, 0)).toBe(40);
    expect(batches.reduce((n, b) => n + b.tokens, 0)).toBe(examples.reduce((n, e) => n + e.ids.length, 0));
    const padding = batches.reduce((n, b) => n + b.ids.length * b.ids[0]!.length - b.tokens, 0);
    const unsorted = Math.max(...examples.map((e) => e.ids.length)) * 40 - batches.reduce((n, b) => n + b.tokens, 0);
    expect(padding).toBeLessThan(unsorted / 4); // bucketing removes most padding
    for (const batch of batches) {
      batch.attentionMask.forEach((row, r) => {
        const real = row.filter((m) => m === 1).length;
        expect(row.slice(real).every((m) => m === 0)).toBe(true); // right padding
        expect(batch.lossMask[r]!.slice(real).every((m) => m === 0)).toBe(true);
      });
    }
    expect(epochBatches(examples, 4, 1, 1).map((b) => b.tokens)).not.toEqual(batches.map((b) => b.tokens));
  });
});

describe('stable batch shapes (GPU backends)', () => {
  const examples = Array.from({ length: 18 }, (_, i) => ({ ids: Array(37 + (i % 10)).fill(5), lossMask: Array(37 + (i % 10)).fill(1) }));

  it('gives every batch of a run the same rows and a width rounded up to 8 (capped at maxWidth)', () => {
    const shapes = { kind: 'stable', rows: 4, maxWidth: 52 } as const;
    const batches = [...epochBatches(examples, 4, 1, 0, 0, shapes), ...evalBatches(examples.slice(0, 2), 4, 0, shapes)];
    expect(new Set(batches.map((b) => b.ids.length))).toEqual(new Set([4])); // 18 = 4·4 + 2: the short ones are filled
    for (const batch of batches) {
      const longest = Math.max(...batch.attentionMask.map((row) => row.filter((m) => m === 1).length));
      expect(batch.ids[0]!.length).toBe(Math.min(Math.ceil(longest / 8) * 8, 52));
    }
    expect(new Set(batches.map((b) => b.ids[0]!.length)).size).toBeLessThanOrEqual(2); // 40 and 48 here
    // Filler rows are pure padding: no real tokens, nothing to predict.
    const short = batches.find((b) => b.tokens < 4 * 37)!;
    expect(short.attentionMask.filter((row) => row.every((m) => m === 0)).length).toBe(2);
    expect(batches.reduce((n, b) => n + b.tokens, 0)).toBe(examples.reduce((n, e) => n + e.ids.length, 0) + 37 + 38);
  });

  it('is what training uses on GPU backends; WASM and CPU keep the least padding', () => {
    expect(['webgpu', 'webgl', 'wasm', 'cpu'].map(batchShapesFor)).toEqual(['stable', 'stable', 'tight', 'tight']);
  });

  it('never pads below the longest example, and tight batches stay as they were', () => {
    const long = [{ ids: Array(53).fill(1), lossMask: Array(53).fill(1) }];
    expect(padBatch(long, 0, { kind: 'stable', rows: 2, maxWidth: 52 }).ids[0]).toHaveLength(53);
    expect(padBatch(long).ids).toHaveLength(1);
    expect(padBatch(long).ids[0]).toHaveLength(53);
  });

  it('changes neither the loss nor the LoRA gradients: padding rows and columns are masked out', () => {
    const real = randomExamples(model.config.vocabSize, 3, 13, 9);
    const lora = getMethod('lora');
    const adapter = lora.create({ ...lora.defaultConfig(model.config), r: 4, dropout: 0 }, adapterContext(model));
    try {
      // B starts at zero; give it values so the gradient of A is not trivially zero.
      for (const { variable } of adapter.trainable()) variable.assign(tf.randomNormal(variable.shape, 0, 0.1, 'float32', 3));
      const lossAndGrads = (shapes?: Parameters<typeof padBatch>[2]) => {
        const batch = padBatch(real, 0, shapes);
        const { value, grads } = tf.variableGrads(() => meanLoss(model, adapter, batch), adapter.trainable().map((p) => p.variable));
        const out = { loss: value.dataSync()[0]!, grads: Object.values(grads).map((g) => g.dataSync()), shape: [batch.ids.length, batch.ids[0]!.length] };
        tf.dispose([value, ...Object.values(grads)]);
        return out;
      };
      const tight = lossAndGrads();
      const stable = lossAndGrads({ kind: 'stable', rows: 5, maxWidth: 24 });
      expect(tight.shape).toEqual([3, 13]);
      expect(stable.shape).toEqual([5, 16]);
      expect(Math.abs(stable.loss - tight.loss)).toBeLessThan(1e-5);
      stable.grads.forEach((g, i) => expect(maxAbsDiff(g, tight.grads[i]!)).toBeLessThan(1e-5));
    } finally {
      adapter.dispose();
    }
  });
});

describe('chooseDefaults', () => {
  it('gives a plausible one-click plan for 100 captured pairs and for 12', () => {
    const hundred = chooseDefaults({ stats: dataStats(randomExamples(300, 100, 80, 1).map((e) => e.ids.length)), optimizer: getMethod('lora').optimizer, contextTokens: 256 });
    expect(hundred.batchSize).toBeGreaterThanOrEqual(8);
    const steps = hundred.epochs * Math.ceil(100 / hundred.batchSize);
    expect(steps).toBeGreaterThanOrEqual(50);
    expect(steps).toBeLessThanOrEqual(200);
    expect(hundred.maxLength).toBeGreaterThanOrEqual(80);
    const twelve = chooseDefaults({ stats: dataStats(Array(12).fill(40)), optimizer: getMethod('prompt-tuning').optimizer, contextTokens: 236 });
    expect(twelve.batchSize).toBeLessThanOrEqual(3);
    expect(twelve.epochs).toBe(10);
    expect(twelve.lr).toBeGreaterThan(hundred.lr); // soft prompts need a larger step
  });
});

describe('getLr', () => {
  it('warms up linearly, peaks, then follows a cosine to the floor', () => {
    const s = { maxLr: 1, minLr: 0.1, warmupSteps: 4, decaySteps: 20 };
    const lrs = Array.from({ length: 22 }, (_, i) => getLr(i, s));
    expect(lrs.slice(0, 5)).toEqual([0.2, 0.4, 0.6, 0.8, 1]);
    expect(lrs[12]).toBeCloseTo(0.1 + 0.45 * (1 + Math.cos(Math.PI * 0.5)), 10);
    for (let i = 5; i < 20; i++) expect(lrs[i]!).toBeLessThan(lrs[i - 1]!);
    expect(lrs[20]).toBe(0.1);
    expect(lrs[21]).toBe(0.1);
  });
});
