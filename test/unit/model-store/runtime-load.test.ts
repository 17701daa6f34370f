// The store's output is the runtime's input: a model downloaded over HTTP, read back with
// readFiles(), loads in the runtime and reproduces the PyTorch golden logits of the fixture.
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { forward, loadModel } from '../../../src/model';
import { FIXTURES, startModelServer, type ModelServer } from './model-server';
import { makeStore } from './helpers';

let server: ModelServer;
beforeAll(async () => {
  await tf.setBackend('cpu');
  server = await startModelServer();
});
afterAll(() => server.close());

test.each(['tiny-gpt2', 'tiny-llama-bf16-sharded'])(
  '%s: downloaded, read back and run matches the golden logits',
  async (fixture) => {
    const { store } = await makeStore();
    const summary = await store.importFromUrl(server.folderUrl(fixture));
    const { files, peftBaseId } = await store.read(summary.id);
    expect(peftBaseId).toBe(fixture); // the folder name the download was named after
    const model = await loadModel(files);
    const golden = JSON.parse(readFileSync(join(FIXTURES, fixture, 'golden.json'), 'utf8')) as {
      prompts: { ids: number[]; logits: number[] }[];
    };
    try {
      const prompt = golden.prompts[0]!;
      const { logits } = forward(model, { ids: [prompt.ids] });
      const values = logits.dataSync();
      logits.dispose();
      let worst = 0;
      for (let i = 0; i < prompt.logits.length; i++)
        worst = Math.max(worst, Math.abs(values[i]! - prompt.logits[i]!));
      expect(values.length).toBe(prompt.logits.length);
      expect(worst).toBeLessThan(1e-3);
    } finally {
      model.dispose();
    }
  },
);
