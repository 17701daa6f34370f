// Golden parity with the block weights kept compact from the file on (loadModel's `compact`): the
// F16 and BF16 fixtures' 16-bit words are kept as stored and widened one block at a time, so the
// PyTorch reference's logits (within 1e-3), greedy tokens and cached decoding hold on both CPU
// backends the tests run.
import { describe, expect, test } from 'vitest';
import { checkFixtureParity, loadFixture, useBackend } from './parity-helpers';

const HALF_FIXTURES = [
  ['tiny-gpt2-f16', 'f16'],
  ['tiny-llama-bf16-sharded', 'bf16'],
] as const;

describe.each(['cpu', 'wasm'] as const)('compact weights read from F16/BF16 files match the PyTorch reference on %s', (backend) => {
  for (const [name, encoding] of HALF_FIXTURES) {
    test(`${name}: kept as ${encoding}; logits, padded batch, greedy 20 tokens, cached = uncached`, async () => {
      await useBackend(backend);
      const model = await loadFixture(name, { compact: true });
      expect(model.compact?.encoding).toBe(encoding);
      expect(model.compact!.parameterCount).toBeGreaterThan(0);
      model.dispose();
      await checkFixtureParity(name, 1e-3, { compact: true });
    });
  }
});
