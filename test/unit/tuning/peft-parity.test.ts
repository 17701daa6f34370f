// PEFT parity: an adapter exported by Attune, loaded by an independent PyTorch implementation of
// PEFT's LoRA / IA3 / LN-tuning / prompt-tuning / P-tuning / prefix-tuning semantics, and of Attune's bottleneck adapters (tools/reference/peft_reference.py on the reference
// models), gives the same logits as the TypeScript runtime within 1e-4. LoRA and DoRA are also
// checked merged the PEFT way (fan_in_fan_out for GPT-2's Conv1D).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forward } from '../../../src/model/forward';
import type { LoadedModel } from '../../../src/model/model';
import { writeSafetensors, type HostTensor } from '../../../src/model/safetensors';
import { adapterMethod } from '../../../src/tuning/methods/adapter/method';
import { defaultTargets } from '../../../src/tuning/methods/lora/config';
import { adaptedModel } from '../../../src/tuning/adapted-model';
import { ia3Method } from '../../../src/tuning/methods/ia3/method';
import { lnTuningMethod } from '../../../src/tuning/methods/ln-tuning/method';
import { loraMethod } from '../../../src/tuning/methods/lora/method';
import { pTuningMethod } from '../../../src/tuning/methods/p-tuning/method';
import { pTuningV2Method } from '../../../src/tuning/methods/p-tuning-v2/method';
import { prefixTuningMethod } from '../../../src/tuning/methods/prefix-tuning/method';
import { promptTuningMethod } from '../../../src/tuning/methods/prompt-tuning/method';
import { exportAdapter } from '../../../src/tuning/peft/files';
import { writeAdapterDirectory } from '../../../src/tuning/peft/node-dir';
import type { Adapter } from '../../../src/tuning/types';
import { FIXTURES, adapterContext, loadFixture, maxAbsDiff, perturb, useCpu } from './helpers';
import { startPythonReference, type PythonReference } from './python-reference';

const IDS = [
  [5, 17, 42, 99, 3, 250, 7, 8, 12],
  [11, 2, 3, 4, 5, 6, 7, 8, 300],
];

interface ReferenceOutput {
  shape: number[];
  virtual_tokens: number;
  logits: number[];
}

// One Python process for the whole file (tools/reference/peft_reference.py's main() per call).
let python: PythonReference;
beforeAll(() => {
  python = startPythonReference();
});
afterAll(() => python.close());

async function reference(fixture: string, adapterDir: string | null, merge = false): Promise<ReferenceOutput> {
  const args = ['--model', join(FIXTURES, fixture), '--ids', JSON.stringify(IDS)];
  if (adapterDir) args.push('--adapter', adapterDir);
  if (merge) args.push('--merge');
  return JSON.parse(await python.run('peft_reference', args)) as ReferenceOutput;
}

describe.each(['tiny-gpt2', 'tiny-llama', 'tiny-qwen2'])('PEFT parity on %s', (fixture) => {
  let model: LoadedModel;
  let dir: string;
  let base: ReferenceOutput | undefined;
  beforeAll(async () => {
    await useCpu();
    model = await loadFixture(fixture);
    dir = mkdtempSync(join(tmpdir(), 'attune-peft-'));
  });
  afterAll(() => {
    model.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  async function check(adapter: Adapter, name: string, merge = false): Promise<void> {
    const adapterDir = join(dir, name);
    writeAdapterDirectory(adapterDir, await exportAdapter(adapter));
    const ref = await reference(fixture, adapterDir, merge);
    const { logits, prependedRows } = forward(adaptedModel(model, adapter), { ids: IDS, hooks: adapter.hooks({ training: false }) });
    expect(prependedRows).toBe(ref.virtual_tokens);
    expect(logits.shape).toEqual(ref.shape);
    expect(maxAbsDiff(logits.dataSync(), ref.logits)).toBeLessThan(1e-4);
    // Not vacuous: the adapter moves the reference logits well beyond the tolerance.
    base ??= await reference(fixture, null);
    const V = model.config.vocabSize;
    const refInputRows = ref.logits.filter((_, i) => Math.floor(i / V) % ref.shape[1]! >= ref.virtual_tokens);
    expect(maxAbsDiff(refInputRows, base.logits)).toBeGreaterThan(1e-2);
    logits.dispose();
  }

  it('LoRA (attention + MLP, rsLoRA off) matches PEFT, unmerged and merged', async () => {
    const config = { ...loraMethod.defaultConfig(model.config), r: 4, alpha: 8, targetModules: defaultTargets(model.config, true) };
    const adapter = loraMethod.create(config, adapterContext(model, 3, fixture));
    perturb(adapter, 8, 0.2);
    await check(adapter, 'lora');
    await check(adapter, 'lora-merged', true);
    adapter.dispose();
  });

  it('DoRA (attention + MLP, biases included) matches PEFT, unmerged and merged', async () => {
    const config = { ...loraMethod.defaultConfig(model.config), r: 4, alpha: 8, useDora: true, targetModules: defaultTargets(model.config, true) };
    const adapter = loraMethod.create(config, adapterContext(model, 3, fixture));
    // Moves the factors and the magnitudes away from ‖W‖, so both the direction and the scale count.
    perturb(adapter, 8, 0.2);
    await check(adapter, 'dora');
    await check(adapter, 'dora-merged', true);
    adapter.dispose();
  });

  it('LoRA with rsLoRA and a regular-expression target matches PEFT', async () => {
    const targets = model.config.family === 'gpt2' ? '.*\\.1\\.attn\\.c_attn' : '.*layers\\.1\\.self_attn\\.(q|v)_proj';
    const adapter = loraMethod.create({ r: 4, alpha: 8, dropout: 0, targetModules: targets, useRslora: true, useDora: false }, adapterContext(model, 4, fixture));
    perturb(adapter, 9, 0.3);
    await check(adapter, 'lora-rs');
    adapter.dispose();
  });

  it("IA3 with PEFT's default targets (feed-forward input, attention output with bias) matches PEFT, unmerged and merged", async () => {
    const adapter = ia3Method.create(ia3Method.defaultConfig(model.config), adapterContext(model, 6, fixture));
    perturb(adapter, 11, 0.5);
    await check(adapter, 'ia3');
    await check(adapter, 'ia3-merged', true);
    adapter.dispose();
  });

  it("LN tuning with PEFT's default targets (per model type) matches PEFT, and so does every norm targeted by a regular expression", async () => {
    const adapter = lnTuningMethod.create(lnTuningMethod.defaultConfig(model.config), adapterContext(model, 6, fixture));
    perturb(adapter, 16, 0.5);
    await check(adapter, 'ln-tuning');
    adapter.dispose();
    const every = lnTuningMethod.create({ targetModules: '.*(ln_\\d|ln_f|layernorm|\\.norm)' }, adapterContext(model, 6, fixture));
    expect(every.parameterCount()).toBe(model.config.hiddenSize * (2 * model.config.numLayers + 1) * (model.config.family === 'gpt2' ? 2 : 1));
    perturb(every, 17, 0.5);
    await check(every, 'ln-tuning-all');
    every.dispose();
  });

  it('prompt tuning matches PEFT (virtual tokens at positions 0..n-1)', async () => {
    const adapter = promptTuningMethod.create({ numVirtualTokens: 5, init: 'sample-vocab', initText: '' }, adapterContext(model, 5, fixture));
    perturb(adapter, 10, 0.5);
    await check(adapter, 'prompt');
    adapter.dispose();
  });

  it('P-tuning v2 (PREFIX_TUNING, no projection) matches PEFT: per-layer key/value prefixes, inputs at positions P..P+T-1', async () => {
    const adapter = pTuningV2Method.create({ numVirtualTokens: 6 }, adapterContext(model, 12, fixture));
    perturb(adapter, 14, 0.5);
    await check(adapter, 'p-tuning-v2');
    adapter.dispose();
  });

  it("prefix tuning (PREFIX_TUNING, MLP projection) matches PEFT: the reference reads only the saved computed prefix", async () => {
    const adapter = prefixTuningMethod.create({ numVirtualTokens: 5, encoderHiddenSize: 24 }, adapterContext(model, 13, fixture));
    // The MLP's output layer starts at U(±1/√H): perturbing it moves every prefix value.
    perturb(adapter, 15, 0.5);
    await check(adapter, 'prefix-tuning');
    adapter.dispose();
  });

  it.each([
    ['houlsby', 'swish'],
    ['pfeiffer', 'relu'],
    ['houlsby', 'gelu'],
  ] as const)("bottleneck adapters (%s, %s; Attune's own file format) match the PyTorch reference", async (kind, activation) => {
    const adapter = adapterMethod.create({ kind, reduction: 4, activation }, adapterContext(model, 16, fixture));
    // The up-projection starts at zero: perturbing it makes the adapters change the logits.
    perturb(adapter, 17, 0.5);
    await check(adapter, `adapter-${kind}-${activation}`);
    adapter.dispose();
  });

  it.each(['mlp', 'lstm'] as const)('P-tuning (P_TUNING, %s encoder) matches PEFT: the saved encoder output is the prompt', async (encoder) => {
    const adapter = pTuningMethod.create({ numVirtualTokens: 5, encoder, encoderHiddenSize: 12, encoderNumLayers: 2, encoderDropout: 0 }, adapterContext(model, 18, fixture));
    perturb(adapter, 19, 0.3);
    await check(adapter, `p-tuning-${encoder}`);
    adapter.dispose();
  });

  it.each([
    ['mlp', 2],
    ['lstm', 2],
    ['lstm', 1],
  ] as const)("P-tuning's %s encoder (encoder_num_layers %i) computes what PEFT's PromptEncoder computes from the same weights", async (encoder, layers) => {
    const adapter = pTuningMethod.create({ numVirtualTokens: 6, encoder, encoderHiddenSize: 10, encoderNumLayers: layers, encoderDropout: 0.1 }, adapterContext(model, 20, fixture));
    perturb(adapter, 21, 0.3);
    // The encoder's weights under PEFT's parameter names, in torch's layouts ([out, in] Linears,
    // W_ih [4H, in] and W_hh [4H, H] LSTM matrices); Attune stores the matrices transposed.
    const host = new Map<string, HostTensor>();
    for (const { key, variable } of adapter.trainable()) {
      const torchLayout = key === 'prompt_encoder.embedding.weight' || variable.rank === 1 ? tf.clone(variable) : tf.transpose(variable);
      host.set(key, { shape: torchLayout.shape, data: torchLayout.dataSync() as Float32Array });
      torchLayout.dispose();
    }
    const encoderDir = join(dir, `encoder-${encoder}-${layers}`);
    mkdirSync(encoderDir, { recursive: true });
    writeFileSync(join(encoderDir, 'encoder.safetensors'), writeSafetensors(host, { format: 'pt' }));
    const peft = adapter.toPeft();
    writeFileSync(join(encoderDir, 'adapter_config.json'), JSON.stringify(peft.config));
    const stdout = await python.run('peft_reference', ['--prompt-encoder', encoderDir]);
    const ref = JSON.parse(stdout) as { shape: number[]; values: number[] };
    const ours = peft.tensors.get('prompt_embeddings')!;
    expect(ref.shape).toEqual(ours.shape);
    expect(maxAbsDiff(ours.dataSync(), ref.values)).toBeLessThan(1e-5);
    // Not vacuous: the output is far from the embedding it starts from.
    const embedding = adapter.trainable()[0]!.variable;
    expect(maxAbsDiff(embedding.dataSync(), ref.values)).toBeGreaterThan(1e-1);
    peft.tensors.forEach((t) => t.dispose());
    adapter.dispose();
  });

  it('the reference refuses a tensor of the wrong shape, so parity is not accidental', async () => {
    const adapter = loraMethod.create({ ...loraMethod.defaultConfig(model.config), r: 4 }, adapterContext(model, 3, fixture));
    const files = await exportAdapter(adapter);
    const config = JSON.parse(new TextDecoder().decode(files.get('adapter_config.json')!));
    files.set('adapter_config.json', new TextEncoder().encode(JSON.stringify({ ...config, r: 2 })));
    writeAdapterDirectory(join(dir, 'bad'), files);
    await expect(reference(fixture, join(dir, 'bad'))).rejects.toThrow(/shape/);
    adapter.dispose();
  });
});
