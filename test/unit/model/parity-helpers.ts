// Shared helpers for the golden-parity tests: load a fixture and compare against its golden.json.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { loadModelFromDirectory } from '../../../src/model/node-files';
import { forward } from '../../../src/model/forward';
import type { LoadedModel } from '../../../src/model';
import type { LoadOptions } from '../../../src/model/model';

const HERE = dirname(fileURLToPath(import.meta.url));
export const FIXTURES = join(HERE, '..', '..', 'fixtures', 'models');
export const FIXTURE_NAMES = ['tiny-gpt2', 'tiny-gpt2-f16', 'tiny-llama', 'tiny-llama-bf16-sharded', 'tiny-qwen2'] as const;

export interface Golden {
  prompts: { ids: number[]; logits: number[]; shape: number[] }[];
  padded_batch: { ids: number[][]; mask: number[][]; logits: number[]; shape: number[] };
  greedy: { prompt: number[]; new_ids: number[]; min_top2_gap: number }[];
  tokenizer: { text: string; ids: number[] }[];
}

export function readGolden(name: string): Golden {
  return JSON.parse(readFileSync(join(FIXTURES, name, 'golden.json'), 'utf8')) as Golden;
}

export function loadFixture(name: string, options: LoadOptions = {}): Promise<LoadedModel> {
  return loadModelFromDirectory(join(FIXTURES, name), options);
}

/** Largest |a - b| over two equally long arrays. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

export async function useBackend(name: 'cpu' | 'wasm'): Promise<void> {
  if (name === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    wasm.setWasmPaths(join(HERE, '..', '..', '..', 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist') + '/');
    wasm.setThreadsCount?.(1);
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  }
  await tf.setBackend(name);
  await tf.ready();
  if (tf.getBackend() !== name) throw new Error(`backend ${name} did not initialise`);
}

/** Golden parity against the PyTorch reference on the current backend, for every fixture. */
export async function checkFixtureParity(name: string, tolerance: number, options: LoadOptions = {}): Promise<void> {
  const { expect } = await import('vitest');
  const { disposeCache, generate } = await import('../../../src/model');
  const model = await loadFixture(name, options);
  const golden = readGolden(name);
  try {
    for (const prompt of golden.prompts) {
      const { logits } = forward(model, { ids: [prompt.ids] });
      expect(logits.shape).toEqual([1, ...prompt.shape]);
      expect(maxAbsDiff(logits.dataSync(), prompt.logits), `${name} prompt of ${prompt.ids.length}`).toBeLessThan(tolerance);
      logits.dispose();
    }
    checkPaddedBatch(model, golden, tolerance);
    for (const run of golden.greedy) {
      const result = await generate(model, run.prompt, { greedy: true, maxNewTokens: run.new_ids.length, stopTokenIds: [] });
      expect(result.tokens, `${name} greedy continuation`).toEqual(run.new_ids);
    }
    // Cached decoding equals a full recomputation, position by position.
    const ids = golden.prompts[2]!.ids;
    const full = forward(model, { ids: [ids] });
    const fullData = full.logits.dataSync();
    const V = model.config.vocabSize;
    let step = forward(model, { ids: [ids.slice(0, 5)], useCache: true });
    for (let t = 5; t < ids.length; t++) {
      const next = forward(model, { ids: [[ids[t]!]], cache: step.cache });
      disposeCache(step.cache);
      step.logits.dispose();
      step = next;
      expect(maxAbsDiff(step.logits.dataSync(), fullData.slice(t * V, (t + 1) * V)), `${name} cached step ${t}`).toBeLessThan(tolerance);
    }
    disposeCache(step.cache);
    step.logits.dispose();
    full.logits.dispose();
  } finally {
    model.dispose();
  }
}

function checkPaddedBatch(model: LoadedModel, golden: Golden, tolerance: number): void {
  const batch = golden.padded_batch;
  const out = forward(model, { ids: batch.ids, attentionMask: batch.mask }).logits;
  const [B, T, V] = batch.shape as [number, number, number];
  const got = out.dataSync();
  let worst = 0;
  let compared = 0;
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      if (!batch.mask[b]![t]) continue; // padded rows are undefined in both implementations
      const start = (b * T + t) * V;
      worst = Math.max(worst, maxAbsDiff(got.slice(start, start + V), batch.logits.slice(start, start + V)));
      compared++;
    }
  }
  out.dispose();
  if (compared === 0 || worst >= tolerance) throw new Error(`padded batch differs by ${worst} over ${compared} rows`);
}
