// Generation: sampling options, stopping, streaming, cancellation and memory hygiene.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { generate, GenerationAbortedError, loadModel, type LoadedModel } from '../../../src/model';
import { readModelDirectory } from '../../../src/model/node-files';
import { applyRepetitionPenalty, createRng, topCandidates } from '../../../src/model/sampling';
import { FIXTURES, readGolden, useBackend } from './parity-helpers';
import { join } from 'node:path';

let model: LoadedModel;
const golden = readGolden('tiny-llama');
const PROMPT = golden.greedy[0]!.prompt;

beforeAll(async () => {
  await useBackend('wasm');
  // Same weights with a longer context (RoPE needs no table), so 100 new tokens fit.
  const files = readModelDirectory(join(FIXTURES, 'tiny-llama'));
  const config = JSON.parse(new TextDecoder().decode(files.get('config.json')));
  files.set('config.json', new TextEncoder().encode(JSON.stringify({ ...config, max_position_embeddings: 256 })));
  model = await loadModel(files);
});
afterAll(() => model.dispose());

describe('generate', () => {
  test('100 tokens with the KV cache leave the tensor count unchanged', async () => {
    const before = tf.memory().numTensors;
    const result = await generate(model, PROMPT, { maxNewTokens: 100, temperature: 0.9, topK: 50, seed: 1, stopTokenIds: [] });
    expect(result.tokens).toHaveLength(100);
    expect(result.stopReason).toBe('max-tokens');
    expect(tf.memory().numTensors).toBe(before);
  });

  test('greedy with and without the cache agree (and match the reference)', async () => {
    const opts = { greedy: true, maxNewTokens: 20, stopTokenIds: [] };
    const cached = await generate(model, PROMPT, opts);
    const uncached = await generate(model, PROMPT, { ...opts, useCache: false });
    expect(cached.tokens).toEqual(golden.greedy[0]!.new_ids);
    expect(uncached.tokens).toEqual(cached.tokens);
  });

  test('seeded sampling is reproducible; different seeds differ; top-k 1 is greedy', async () => {
    const opts = { maxNewTokens: 30, temperature: 1.5, stopTokenIds: [] };
    const a = await generate(model, PROMPT, { ...opts, seed: 7 });
    const b = await generate(model, PROMPT, { ...opts, seed: 7 });
    const c = await generate(model, PROMPT, { ...opts, seed: 8 });
    expect(a.tokens).toEqual(b.tokens);
    expect(c.tokens).not.toEqual(a.tokens);
    const top1 = await generate(model, PROMPT, { ...opts, topK: 1, seed: 9, maxNewTokens: 20 });
    expect(top1.tokens).toEqual(golden.greedy[0]!.new_ids);
  });

  test('stops on an EOS id without emitting it', async () => {
    const eos = golden.greedy[0]!.new_ids[5]!;
    const result = await generate(model, PROMPT, { greedy: true, maxNewTokens: 20, stopTokenIds: [eos] });
    expect(result.stopReason).toBe('eos');
    expect(result.tokens).toEqual(golden.greedy[0]!.new_ids.slice(0, golden.greedy[0]!.new_ids.indexOf(eos)));
  });

  test('stop strings cut the text; streamed pieces concatenate to the result', async () => {
    const free = await generate(model, PROMPT, { greedy: true, maxNewTokens: 20, stopTokenIds: [] });
    const fullText = model.tokenizer!.decode(free.tokens, { skipSpecialTokens: true });
    const stop = fullText.slice(8, 11);
    const pieces: string[] = [];
    const result = await generate(model, PROMPT, { greedy: true, maxNewTokens: 20, stopTokenIds: [], stopStrings: [stop], onText: (d) => pieces.push(d) });
    expect(result.stopReason).toBe('stop-string');
    expect(result.text).toBe(fullText.slice(0, fullText.indexOf(stop)));
    expect(pieces.join('')).toBe(result.text);
    const streamed: string[] = [];
    const plain = await generate(model, PROMPT, { greedy: true, maxNewTokens: 20, stopTokenIds: [], onText: (d) => streamed.push(d) });
    expect(streamed.join('')).toBe(plain.text);
    expect(plain.text).toBe(fullText);
  });

  test('an AbortSignal cancels mid-generation and frees the cache', async () => {
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    const seen: number[] = [];
    const run = generate(model, PROMPT, { maxNewTokens: 100, stopTokenIds: [], signal: controller.signal, onToken: (t) => { seen.push(t); if (seen.length === 3) controller.abort(); } });
    await expect(run).rejects.toThrow(GenerationAbortedError);
    expect(seen.length).toBe(3);
    expect(tf.memory().numTensors).toBe(before);
  });

  test('an empty prompt is a clear error', async () => {
    await expect(generate(model, [])).rejects.toThrow(/prompt is empty/);
  });
});

describe('sampling pieces', () => {
  test('mulberry32 is deterministic and roughly uniform', () => {
    const a = createRng(42);
    const b = createRng(42);
    const xs = Array.from({ length: 2000 }, () => a());
    expect(xs.slice(0, 5)).toEqual(Array.from({ length: 5 }, () => b()));
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(mean).toBeGreaterThan(0.45);
    expect(mean).toBeLessThan(0.55);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
  });

  test('repetition penalty divides positive and multiplies negative logits (HF rule)', () => {
    const logits = new Float32Array([2, -2, 1]);
    applyRepetitionPenalty(logits, [0, 1, 1], 2);
    expect(Array.from(logits)).toEqual([1, -4, 1]);
  });

  test('temperature, top-k and top-p select and renormalise', () => {
    const logits = new Float32Array([Math.log(0.5), Math.log(0.3), Math.log(0.15), Math.log(0.05)]);
    const all = topCandidates(logits, 1, 0, 1);
    expect(all.map((c) => c.id)).toEqual([0, 1, 2, 3]);
    expect(all[1]!.p).toBeCloseTo(0.3, 6);
    const topP = topCandidates(logits, 1, 0, 0.75);
    expect(topP.map((c) => c.id)).toEqual([0, 1]);
    expect(topP[0]!.p).toBeCloseTo(0.5 / 0.8, 6);
    expect(topCandidates(logits, 1, 3, 1).map((c) => c.id)).toEqual([0, 1, 2]);
    const hot = topCandidates(logits, 100, 0, 1);
    expect(hot[0]!.p - hot[3]!.p).toBeLessThan(0.02);
  });
});
