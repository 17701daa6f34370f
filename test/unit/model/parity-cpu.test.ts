// The TF.js forward pass (CPU backend) against golden logits from the independent PyTorch
// references (tools/reference/), for GPT-2, Llama (F32 and BF16 sharded), GPT-2 F16 and Qwen2.
import { beforeAll, describe, test } from 'vitest';
import { checkFixtureParity, FIXTURE_NAMES, useBackend } from './parity-helpers';

beforeAll(() => useBackend('cpu'));

describe('tfjs-cpu matches the PyTorch reference within 1e-4', () => {
  for (const name of FIXTURE_NAMES) {
    test(`${name}: logits, padded batch, greedy 20 tokens, cached = uncached`, () => checkFixtureParity(name, 1e-4));
  }
});
