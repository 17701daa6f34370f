// The shipped default model (public/model) through the TS runtime against the PyTorch reference:
// golden outputs written by tools/pretrain/golden.py from the same weights (checked by hash).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { forward, generate, type LoadedModel } from '../../../src/model';
import { loadModelFromDirectory } from '../../../src/model/node-files';
import { MAX_ANSWER_TOKENS } from '../../../src/ui/chat/controller';
import { LONG_ANSWER_PROMPT } from '../../fixtures/default-model/prompts';
import { maxAbsDiff, useBackend } from './parity-helpers';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const MODEL_DIR = join(ROOT, 'public', 'model');
const GOLDEN_PATH = join(ROOT, 'test', 'fixtures', 'default-model', 'golden.json');
/** A greedy step whose top two logits are closer than this may flip between runtimes. */
const NEAR_TIE = 2e-3;

interface DefaultGolden {
  weights_sha256: string;
  step: number;
  cases: { text: string; ids: number[]; last_logits: number[]; greedy_new_ids: number[]; min_top2_gap: number }[];
}

const golden = JSON.parse(readFileSync(GOLDEN_PATH, 'utf8')) as DefaultGolden;
let model: LoadedModel;

// Loading 12 MB of fp16 weights takes seconds on a loaded 2-core machine.
beforeAll(async () => {
  await useBackend('wasm');
  model = await loadModelFromDirectory(MODEL_DIR);
}, 120_000);
afterAll(() => model?.dispose());

describe('the shipped default model matches the PyTorch reference', () => {
  test('the golden file was made from the shipped weights', () => {
    const sha = createHash('sha256').update(readFileSync(join(MODEL_DIR, 'model.safetensors'))).digest('hex');
    // On mismatch: /usr/bin/python3 tools/pretrain/golden.py (after every export of public/model).
    expect(sha, 'golden.json is stale: rerun tools/pretrain/golden.py').toBe(golden.weights_sha256);
  });

  test('the tokenizer and chat template give the Python pipeline’s ids', () => {
    const tokenizer = model.tokenizer!;
    for (const { text, ids } of golden.cases) expect(tokenizer.encode(text)).toEqual(ids);
    const rendered = tokenizer.applyChatTemplate([{ role: 'user', content: 'Define: harbor' }], { addGenerationPrompt: true });
    expect(rendered).toBe(golden.cases[0]!.text);
  });

  test('last-position logits within 1e-3 on tfjs-wasm', () => {
    for (const { ids, last_logits } of golden.cases) {
      const { logits } = forward(model, { ids: [ids] });
      const V = model.config.vocabSize;
      const last = logits.dataSync().slice((ids.length - 1) * V, ids.length * V);
      logits.dispose();
      expect(maxAbsDiff(last, last_logits), `prompt of ${ids.length} tokens`).toBeLessThan(1e-3);
    }
  });

  test('greedy continuations equal PyTorch’s (the KV-cache path)', async () => {
    for (const run of golden.cases) {
      const result = await generate(model, run.ids, { greedy: true, maxNewTokens: run.greedy_new_ids.length, stopTokenIds: [] });
      if (run.min_top2_gap < NEAR_TIE) {
        // A near tie may legitimately flip; the tokens before it must still agree.
        expect(result.tokens[0]).toBe(run.greedy_new_ids[0]);
      } else {
        expect(result.tokens).toEqual(run.greedy_new_ids);
      }
    }
  });
});

describe('prompts the end-to-end tests rely on still behave as they assume', () => {
  test('LONG_ANSWER_PROMPT: the greedy chat answer runs to the side panel’s token limit', async () => {
    const ids = model.tokenizer!.encode(
      model.tokenizer!.applyChatTemplate([{ role: 'user', content: LONG_ANSWER_PROMPT }], { addGenerationPrompt: true }),
    );
    const result = await generate(model, ids, { greedy: true, maxNewTokens: MAX_ANSWER_TOKENS });
    // On failure: pick another prompt (npm run cli -- generate --model default --chat --greedy --max-tokens 128).
    expect(result.stopReason, `answer: ${JSON.stringify(result.text)}`).toBe('max-tokens');
  });
});
