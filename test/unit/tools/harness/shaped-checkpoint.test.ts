// The random checkpoint the scale e2e imports: loadable by Attune's own loader, with a tokenizer of
// exactly the model's vocabulary, BF16 weights of the intended spread, and a cache that is reused.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, expect, test } from 'vitest';
import { loadModelFromDirectory } from '../../../../src/model/node-files';
import { readSafetensors } from '../../../../src/model/safetensors';
import { byteLevelTokenizer, cachedShapedCheckpoint, SMOLLM2_135M_CONFIG } from '../../../../tools/harness/shaped-checkpoint';

const root = mkdtempSync(join(tmpdir(), 'attune-shaped-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** SmolLM2-135M's config with small widths and vocabulary, so the test writes a few hundred kB. */
const SMALL = { ...SMOLLM2_135M_CONFIG, hidden_size: 32, intermediate_size: 64, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2, vocab_size: 1024 };

test('the checkpoint loads in Attune, encodes and decodes text, and holds BF16 weights with a 0.02 spread', async () => {
  await tf.setBackend('cpu');
  const made = cachedShapedCheckpoint('Small', SMALL, root);
  expect(made.generatedSeconds).toBeGreaterThan(0);
  expect(made.dir.endsWith('/Small')).toBe(true);
  expect(made.bytes).toBe(made.files.reduce((sum, f) => sum + statSync(f).size, 0));

  const model = await loadModelFromDirectory(made.dir);
  expect(model.config).toMatchObject({ family: 'llama', vocabSize: 1024, numLayers: 2, numKvHeads: 2, ropeTheta: 100000, tieWordEmbeddings: true });
  const tokenizer = model.tokenizer!;
  const text = 'Echo apple 0, ünïcode ✓';
  const ids = tokenizer.encode(text, { addSpecialTokens: false });
  expect(ids.every((id) => id >= 3 && id < 1024)).toBe(true);
  expect(ids.length).toBeLessThan(new TextEncoder().encode(text).length); // merges apply
  expect(tokenizer.decode(ids)).toBe(text);
  expect(tokenizer.eosTokenIds).toContain(2);
  expect(tokenizer.applyChatTemplate([{ role: 'user', content: 'hi' }], { addGenerationPrompt: true })).toBe('<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n');

  const file = readSafetensors(new Uint8Array(readFileSync(join(made.dir, 'model.safetensors'))));
  const q = file.tensors.get('model.layers.0.self_attn.q_proj.weight')!;
  expect(new Set(file.dtypes.values())).toEqual(new Set(['BF16']));
  const values = q.data;
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const std = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
  expect(Math.abs(mean)).toBeLessThan(0.002);
  expect(std).toBeGreaterThan(0.018);
  expect(std).toBeLessThan(0.022);
  expect([...file.tensors.get('model.norm.weight')!.data].every((v) => v === 1)).toBe(true);
  // The special tokens' embedding rows are 16 times quieter (greedy decoding does not pick them).
  const embedding = file.tensors.get('model.embed_tokens.weight')!.data;
  const largest = (from: number, to: number) => embedding.subarray(from * 32, to * 32).reduce((a, b) => Math.max(a, Math.abs(b)), 0);
  expect(largest(0, 3)).toBeGreaterThan(0);
  expect(largest(0, 3)).toBeLessThanOrEqual((0.02 * Math.sqrt(3)) / 16);
  expect(largest(3, 1024)).toBeGreaterThan(0.02 * Math.sqrt(3) * 0.9);
  model.dispose();

  // Asked again: the cached folder is used as it is.
  const again = cachedShapedCheckpoint('Small', SMALL, root);
  expect(again).toEqual({ ...made, generatedSeconds: 0 });
});

test('the tokenizer has exactly the vocabulary asked for, SmolLM2-135M’s included', () => {
  for (const size of [1024, SMOLLM2_135M_CONFIG.vocab_size]) {
    const json = byteLevelTokenizer(size) as { model: { vocab: Record<string, number>; merges: unknown[] } };
    const ids = Object.values(json.model.vocab).sort((a, b) => a - b);
    expect(ids).toEqual(Array.from({ length: size }, (_, i) => i));
    expect(json.model.merges.length).toBe(size - 3 - 256);
  }
});
