// Run by webgpu-parity.test.ts in a child process (Dawn needs its loader variables at process
// start). Prints one JSON line: the max |logit error| per fixture against the PyTorch golden.
import * as tf from '@tensorflow/tfjs';
import { forward } from '../../../src/model';
import { startNodeBackend } from '../../../src/cli/node-backend';
import { loadFixture, maxAbsDiff, readGolden } from './parity-helpers';

const started = await startNodeBackend('webgpu');
const errors: Record<string, number> = {};
for (const name of ['tiny-gpt2', 'tiny-qwen2']) {
  const model = await loadFixture(name);
  const prompt = readGolden(name).prompts[1]!;
  const { logits } = forward(model, { ids: [prompt.ids] });
  errors[name] = maxAbsDiff(await logits.data(), prompt.logits);
  logits.dispose();
  model.dispose();
}
process.stdout.write(JSON.stringify({ backend: started.name, tfBackend: tf.getBackend(), errors }) + '\n');
