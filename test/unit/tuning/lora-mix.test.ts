// Weighted LoRA mixes against an independent transcription of PEFT's add_weighted_adapter
// (tools/reference/peft_mix.py, torch's dense SVD), and the mixed adapter's logits against the
// PEFT reference forward (tools/reference/peft_reference.py) on the mix the reference wrote.
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forward } from '../../../src/model/forward';
import type { LoadedModel } from '../../../src/model/model';
import { matrix, multiply, thinQr, transpose, truncatedSvdOfProduct } from '../../../src/tuning/methods/lora/low-rank-svd';
import { LoraAdapter, loraMethod } from '../../../src/tuning/methods/lora/method';
import { mixLora, unionTargets } from '../../../src/tuning/methods/lora/mix';
import { decodePeft, exportAdapter } from '../../../src/tuning/peft/files';
import { readAdapterDirectory, writeAdapterDirectory } from '../../../src/tuning/peft/node-dir';
import { Rng } from '../../../src/tuning/rng';
import { FIXTURES, adapterContext, loadFixture, maxAbsDiff, perturb, useCpu } from './helpers';
import { startPythonReference, type PythonReference } from './python-reference';

const IDS = [[5, 17, 42, 99, 3, 250, 7, 8, 12]];

function randomMatrix(rng: Rng, rows: number, cols: number) {
  return matrix(rows, cols, Array.from({ length: rows * cols }, () => rng.normal()));
}

describe('low-rank SVD', () => {
  it('reconstructs a product exactly at full rank, with orthonormal factors and descending values', () => {
    const rng = new Rng(1);
    const left = randomMatrix(rng, 40, 6);
    const right = randomMatrix(rng, 6, 30);
    const { u, s, v } = truncatedSvdOfProduct(left, right, 6);
    const us = matrix(40, 6, u.data.map((x, i) => x * s[i % 6]!));
    expect(maxAbsDiff(multiply(us, transpose(v)).data, multiply(left, right).data)).toBeLessThan(1e-10);
    expect(maxAbsDiff(multiply(transpose(u), u).data, matrix(6, 6, Array.from({ length: 36 }, (_, i) => (i % 7 === 0 ? 1 : 0))).data)).toBeLessThan(1e-12);
    expect([...s]).toEqual([...s].sort((a, b) => b - a));
  });

  it('handles rank-deficient factors (untrained LoRA B = 0) without NaN', () => {
    const left = matrix(10, 3, Array.from({ length: 30 }, (_, i) => (i % 3 === 2 ? 0 : i)));
    const { r } = thinQr(left);
    expect(r.data.every(Number.isFinite)).toBe(true);
    const right = matrix(3, 8);
    const { u, s, v } = truncatedSvdOfProduct(left, right, 2);
    expect([...s]).toEqual([0, 0]);
    expect([...u.data, ...v.data].every(Number.isFinite)).toBe(true);
  });
});

describe('unionTargets', () => {
  it('unites lists and alternates regular expressions, and refuses a mix of both', () => {
    expect(unionTargets([['q_proj', 'v_proj'], ['v_proj', 'o_proj']])).toEqual(['q_proj', 'v_proj', 'o_proj']);
    expect(unionTargets(['.*q_proj', '.*v_proj'])).toBe('(.*q_proj)|(.*v_proj)');
    expect(() => unionTargets(['.*q_proj', ['v_proj']])).toThrow(/regular expression/);
  });
});

// One Python process for the whole file (the reference scripts' main() per call).
let python: PythonReference;
beforeAll(() => {
  python = startPythonReference();
});
afterAll(() => python.close());

describe.each(['tiny-llama', 'tiny-gpt2'])('LoRA mix on %s matches PEFT add_weighted_adapter', (fixture) => {
  let model: LoadedModel;
  let dir: string;
  let first: LoraAdapter;
  let second: LoraAdapter;
  beforeAll(async () => {
    await useCpu();
    model = await loadFixture(fixture);
    dir = mkdtempSync(join(tmpdir(), 'attune-mix-'));
    const gpt2 = fixture === 'tiny-gpt2';
    const base = loraMethod.defaultConfig(model.config);
    // Different targets, scalings and rsLoRA, so every term of PEFT's formulas matters.
    first = loraMethod.create({ ...base, r: 4, alpha: 8, targetModules: gpt2 ? ['attn.c_attn'] : ['q_proj', 'v_proj'] }, adapterContext(model, 3, fixture)) as LoraAdapter;
    second = loraMethod.create({ ...base, r: 4, alpha: 6, useRslora: true, targetModules: gpt2 ? ['attn.c_attn', 'attn.c_proj'] : ['v_proj', 'o_proj'] }, adapterContext(model, 4, fixture)) as LoraAdapter;
    perturb(first, 11, 0.3);
    perturb(second, 12, 0.3);
    writeAdapterDirectory(join(dir, 'first'), await exportAdapter(first));
    writeAdapterDirectory(join(dir, 'second'), await exportAdapter(second));
  });
  afterAll(() => {
    first.dispose();
    second.dispose();
    model.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  async function referenceMix(name: string, combination: string, weights: [number, number], rank?: number) {
    const out = join(dir, name);
    const args = ['--out', out, '--combination', combination, `${join(dir, 'first')}:${weights[0]}`, `${join(dir, 'second')}:${weights[1]}`];
    if (rank) args.push('--rank', String(rank));
    await python.run('peft_mix', args);
    return decodePeft(readAdapterDirectory(out));
  }

  async function referenceLogits(adapterDir: string): Promise<number[]> {
    const args = ['--model', join(FIXTURES, fixture), '--adapter', adapterDir, '--ids', JSON.stringify(IDS)];
    return (JSON.parse(await python.run('peft_reference', args)) as { logits: number[] }).logits;
  }

  async function expectSameAsReference(mixed: LoraAdapter, name: string, combination: 'linear' | 'svd', weights: [number, number], rank?: number): Promise<void> {
    const ref = await referenceMix(name, combination, weights, rank);
    const ours = mixed.toPeft();
    for (const field of ['r', 'lora_alpha', 'use_rslora', 'target_modules']) expect(ours.config[field], field).toEqual(ref.config[field]);
    expect([...ours.tensors.keys()].sort()).toEqual([...ref.tensors.keys()].sort());
    for (const [key, tensor] of ours.tensors) {
      if (combination === 'linear') {
        expect(maxAbsDiff(tensor.dataSync(), ref.tensors.get(key)!.dataSync()), key).toBeLessThan(1e-5);
      } else if (key.endsWith('lora_A.weight')) {
        // SVD factors are unique only up to a sign per component: compare the updates B·A.
        const module = key.slice(0, -'lora_A.weight'.length);
        const product = (t: Map<string, tf.Tensor>) => tf.tidy(() => tf.matMul(t.get(`${module}lora_B.weight`)!, t.get(`${module}lora_A.weight`)!).dataSync());
        const expected = product(ref.tensors);
        expect(maxAbsDiff(product(ours.tensors), expected), key).toBeLessThan(1e-5 * Math.max(1, ...Array.from(expected, Math.abs)));
      }
    }
    // The mix runs as the reference model runs the reference's mix.
    writeAdapterDirectory(join(dir, `${name}-ours`), await exportAdapter(mixed));
    const logits = forward(model, { ids: IDS, hooks: mixed.hooks({ training: false }) }).logits;
    const reference = await referenceLogits(join(dir, name));
    expect(maxAbsDiff(logits.dataSync(), reference)).toBeLessThan(1e-4);
    logits.dispose();
    [...ours.tensors.values(), ...ref.tensors.values()].forEach((t) => t.dispose());
  }

  it('linear, with a negative weight', async () => {
    const before = tf.memory().numTensors;
    const mixed = mixLora([{ adapter: first, weight: 0.7 }, { adapter: second, weight: -0.4 }], { combination: 'linear' }, adapterContext(model, 0, fixture));
    await expectSameAsReference(mixed, 'linear', 'linear', [0.7, -0.4]);
    mixed.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('svd at the default rank and at a lower rank', async () => {
    const mixed = mixLora([{ adapter: first, weight: 0.5 }, { adapter: second, weight: 1.2 }], { combination: 'svd' }, adapterContext(model, 0, fixture));
    expect(mixed.config.r).toBe(4);
    await expectSameAsReference(mixed, 'svd', 'svd', [0.5, 1.2]);
    mixed.dispose();
    const low = mixLora([{ adapter: first, weight: 0.5 }, { adapter: second, weight: 1.2 }], { combination: 'svd', rank: 2 }, adapterContext(model, 0, fixture));
    await expectSameAsReference(low, 'svd-2', 'svd', [0.5, 1.2], 2);
    low.dispose();
  });

  it('refuses what PEFT cannot mix, naming the reason', () => {
    const context = adapterContext(model, 0, fixture);
    const other = loraMethod.create({ ...first.config, r: 2 }, context) as LoraAdapter;
    expect(() => mixLora([{ adapter: first, weight: 1 }, { adapter: other, weight: 1 }], { combination: 'linear' }, context)).toThrow(/one rank, got ranks 4, 2; use svd/);
    other.dispose();
    const dora = loraMethod.create({ ...first.config, useDora: true }, context) as LoraAdapter;
    expect(() => mixLora([{ adapter: first, weight: 1 }, { adapter: dora, weight: 1 }], { combination: 'svd' }, context)).toThrow(/adapter 2 uses DoRA/);
    dora.dispose();
    expect(() => mixLora([{ adapter: first, weight: 1 }], { combination: 'svd' }, { ...context, baseModelId: 'another' })).toThrow(/made for tiny-/);
  });
});
