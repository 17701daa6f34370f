// Same golden parity as parity-cpu.test.ts on the WASM backend (the Node default), within 1e-3.
import { beforeAll, describe, test } from 'vitest';
import { checkFixtureParity, FIXTURE_NAMES, useBackend } from './parity-helpers';

beforeAll(() => useBackend('wasm'));

describe('tfjs-wasm matches the PyTorch reference within 1e-3', () => {
  for (const name of FIXTURE_NAMES) {
    test(`${name}: logits, padded batch, greedy 20 tokens, cached = uncached`, () => checkFixtureParity(name, 1e-3));
  }
});
