// Real checkpoints often have all-zero embedding rows (padding, unused special tokens). With such a
// row as a sequence's first token, LoRA training of a 30-layer model (SmolLM2-135M's depth) used to
// stop at step 1: the gradient at that row overflowed float32 and reached the LoRA gradients as
// 0 · ∞ = NaN. Checked here on a SmolLM2-135M-shaped model with small widths (LoRA, and LN tuning,
// whose norms are trainable), with and without gradient checkpointing and with the chunked loss
// split across chunks, against central differences.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { forwardHidden, projectToVocab } from '../../../src/model/forward';
import { assembleModel, type LoadedModel } from '../../../src/model/model';
import { loadModelFromDirectory } from '../../../src/model/node-files';
import { lnTuningMethod } from '../../../src/tuning/methods/ln-tuning/method';
import { loraMethod } from '../../../src/tuning/methods/lora/method';
import { chunkedMaskedNllSum } from '../../../src/tuning/train/loss';
import type { Adapter } from '../../../src/tuning/types';
import { cachedShapedCheckpoint, SMOLLM2_135M_CONFIG } from '../../../tools/harness/shaped-checkpoint';
import { useBackend } from '../model/parity-helpers';
import { adapterContext, centralDifference, perturb } from './helpers';

const root = mkdtempSync(join(tmpdir(), 'attune-zero-rows-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** SmolLM2-135M's depth, heads ratio, rope and tied head; narrow and with a small vocabulary. */
const SHAPE = { ...SMOLLM2_135M_CONFIG, hidden_size: 64, intermediate_size: 128, num_attention_heads: 4, num_key_value_heads: 2, vocab_size: 512 };

/** The checkpoint with the special tokens' rows (0-2) set to exactly zero. */
async function modelWithZeroRows(): Promise<LoadedModel> {
  const loaded = await loadModelFromDirectory(cachedShapedCheckpoint('ZeroRows', SHAPE, root).dir);
  const name = 'model.embed_tokens.weight';
  const table = loaded.weights.get(name)!;
  const zeroed = tf.tidy(() => tf.concat([tf.zeros([3, SHAPE.hidden_size]), tf.slice(table, [3, 0], [-1, -1])]));
  const weights = new Map(loaded.weights);
  weights.set(name, zeroed);
  table.dispose();
  loaded.tiedHead?.transposed.dispose();
  return assembleModel(loaded.config, weights, loaded.tokenizer);
}

/** Loss of the batch under model + adapter with the trainer's training path (forwardHidden + chunked loss). */
function lossFn(model: LoadedModel, adapter: Adapter, ids: number[][], lossMask: number[][], recompute: boolean, chunkRows: number) {
  const variables = adapter.trainable().map(({ variable }) => variable);
  const weights = adapter.weights(model.weights);
  const runModel = weights === model.weights ? model : { ...model, weights };
  return () =>
    tf.tidy(() => {
      const hooks = adapter.hooks({ training: false });
      const idsT = tf.tensor2d(ids, undefined, 'int32');
      const out = forwardHidden(runModel, { ids: idsT, hooks, recompute: recompute ? { variables } : null });
      return chunkedMaskedNllSum({
        hidden: out.hidden,
        project: (rows) => projectToVocab(runModel, rows, hooks),
        ids: idsT,
        lossMask: tf.tensor2d(lossMask),
        prepended: out.prependedRows,
        chunkRows,
        variables,
      });
    });
}

describe.each(['cpu', 'wasm'] as const)('zero embedding rows on %s', (backend) => {
  let model: LoadedModel;
  const adapters = new Map<string, Adapter>();
  beforeAll(async () => {
    await useBackend(backend);
    model = await modelWithZeroRows();
    const lora = loraMethod.create({ ...loraMethod.defaultConfig(model.config), r: 4 }, adapterContext(model));
    perturb(lora, 5); // B ≠ 0, so every LoRA matrix gets a gradient
    adapters.set('lora', lora);
    const ln = lnTuningMethod.create(lnTuningMethod.defaultConfig(model.config), adapterContext(model));
    perturb(ln, 6);
    adapters.set('ln-tuning', ln);
  });
  afterAll(() => {
    for (const adapter of adapters.values()) adapter.dispose();
    model.dispose();
  });

  // <|im_start|> (a zero row) first, as in every ChatML example, and <|im_end|> (zero) inside the output.
  const ids = [[1, 77, 300, 12, 2, 1, 410, 9, 150, 2, 33, 480]];
  const lossMask = [[0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 0]];

  test.each([
    { method: 'lora', recompute: false, chunkRows: 64, checked: /layers\.(0|29)\.self_attn\.q_proj/, count: 4 },
    { method: 'lora', recompute: true, chunkRows: 5, checked: /layers\.(0|29)\.self_attn\.q_proj/, count: 4 },
    { method: 'ln-tuning', recompute: false, chunkRows: 5, checked: /layers\.(0|29)\.input_layernorm/, count: 2 },
  ])('$method: finite loss and gradients equal to central differences (recompute $recompute, chunk $chunkRows rows)', ({ method, recompute, chunkRows, checked, count }) => {
    const adapter = adapters.get(method)!;
    const loss = lossFn(model, adapter, ids, lossMask, recompute, chunkRows);
    const trainable = adapter.trainable();
    const variables = trainable.map(({ variable }) => variable);
    const before = tf.memory().numTensors;
    const { value, grads } = tf.variableGrads(loss, variables);
    expect(Number.isFinite(value.dataSync()[0])).toBe(true);
    for (const v of variables) expect(grads[v.name]!.dataSync().every(Number.isFinite), v.name).toBe(true);
    // The first and last layers' matrices or norms, at their largest gradient entry.
    const picked = trainable.filter(({ key }) => checked.test(key)).map(({ variable }) => variable);
    expect(picked.length).toBe(count);
    for (const v of picked) {
      const g = grads[v.name]!.dataSync() as Float32Array;
      const index = g.reduce((best: number, x: number, i: number) => (Math.abs(x) > Math.abs(g[best]!) ? i : best), 0);
      const numeric = centralDifference(loss, v, index, 1e-2);
      expect(Math.abs(g[index]!), v.name).toBeGreaterThan(1e-3);
      expect(Math.abs(numeric - g[index]!), v.name).toBeLessThan(0.05 * Math.abs(g[index]!) + 1e-3);
    }
    tf.dispose([value, ...Object.values(grads)]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
