// Shared helpers for the golden-parity tests: load a fixture and compare against its golden.json.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { loadModelFromDirectory } from '../../../src/model/node-files';
import type { LoadedModel } from '../../../src/model';

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

export function loadFixture(name: string): Promise<LoadedModel> {
  return loadModelFromDirectory(join(FIXTURES, name));
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
}
