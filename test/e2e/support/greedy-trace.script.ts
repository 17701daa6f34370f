// Greedy decoding with the margin of every choice, for the train e2e: when two backends' greedy
// continuations differ, this shows whether the first difference is a near tie (top-1 and top-2
// logits closer than float error across backends) rather than a real disagreement.
// Usage: node --import tsx greedy-trace.script.ts <modelDir> <adapterDir> <chat prompt> <maxTokens>
// Prints one JSON line: {backend, text, steps: [{token, text, runnerUp, gap}]} (text = decoded so far).
import * as tf from '@tensorflow/tfjs';
import { adapterFromFlags } from '../../../src/cli/adapter-flag';
import { startNodeBackend } from '../../../src/cli/node-backend';
import { forward } from '../../../src/model';
import { loadModelFromDirectory } from '../../../src/model/node-files';

const [modelDir, adapterDir, prompt, maxTokens] = process.argv.slice(2);
await startNodeBackend('wasm');
const model = await loadModelFromDirectory(modelDir!);
const adapter = adapterFromFlags({ model: modelDir!, adapter: adapterDir! }, model)!;
const tokenizer = model.tokenizer!;
// As `attune generate --chat --prompt`: the prompt as one user message in the chat template.
const ids = tokenizer.encode(
  tokenizer.applyChatTemplate([{ role: 'user', content: prompt! }], { addGenerationPrompt: true }),
);
const stops = new Set(tokenizer.eosTokenIds);
const generated: number[] = [];
const steps: { token: number; text: string; runnerUp: number; gap: number }[] = [];
for (let i = 0; i < Number(maxTokens); i++) {
  // Whole-sequence recompute (no cache): slower, but an independent path from the engine's.
  const out = forward(model, {
    ids: [[...ids, ...generated]],
    logits: 'last',
    hooks: adapter.hooks({ training: false }),
  });
  const logits = Array.from(await out.logits.data());
  out.logits.dispose();
  const [best, second] = logits.map((v, id) => ({ v, id })).sort((a, b) => b.v - a.v);
  if (stops.has(best!.id)) break;
  generated.push(best!.id);
  steps.push({
    token: best!.id,
    text: tokenizer.decode(generated, { skipSpecialTokens: true }),
    runnerUp: second!.id,
    gap: best!.v - second!.v,
  });
}
adapter.dispose();
model.dispose();
process.stdout.write(
  JSON.stringify({ backend: tf.getBackend(), text: steps.at(-1)?.text ?? '', steps }) + '\n',
);
