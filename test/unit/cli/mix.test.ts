// attune mix, spawned as users run it: the folder it writes equals the mix of an independent
// transcription of PEFT's add_weighted_adapter (tools/reference/peft_mix.py) on the same folders,
// and what cannot be mixed is refused in one line before anything is written.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { LoadedModel } from '../../../src/model/model';
import { loraMethod } from '../../../src/tuning/methods/lora/method';
import { promptTuningMethod } from '../../../src/tuning/methods/prompt-tuning/method';
import { decodePeft, exportAdapter } from '../../../src/tuning/peft/files';
import { readAdapterDirectory, writeAdapterDirectory } from '../../../src/tuning/peft/node-dir';
import { adapterContext, loadFixture, maxAbsDiff, perturb, useCpu } from '../tuning/helpers';
import { attune, FIXTURES, ROOT } from './spawn-cli';

const LLAMA = join(FIXTURES, 'tiny-llama');

describe('attune mix', { timeout: 240_000 }, () => {
  let model: LoadedModel;
  const dir = mkdtempSync(join(tmpdir(), 'attune-cli-mix-'));
  beforeAll(async () => {
    await useCpu();
    model = await loadFixture('tiny-llama');
    const write = async (name: string, adapter: ReturnType<typeof loraMethod.create> | ReturnType<typeof promptTuningMethod.create>) => {
      perturb(adapter, name.length, 0.3);
      writeAdapterDirectory(join(dir, name), await exportAdapter(adapter));
      adapter.dispose();
    };
    // The CLI names the base model after its folder: "tiny-llama".
    const context = (seed: number) => adapterContext(model, seed, 'tiny-llama');
    const base = loraMethod.defaultConfig(model.config);
    await write('a', loraMethod.create({ ...base, r: 4, alpha: 8, targetModules: ['q_proj', 'v_proj'] }, context(1)));
    await write('bb', loraMethod.create({ ...base, r: 4, alpha: 4, targetModules: ['v_proj', 'o_proj'] }, context(2)));
    await write('rank2', loraMethod.create({ ...base, r: 2 }, context(3)));
    await write('prompt', promptTuningMethod.create({ ...promptTuningMethod.defaultConfig(model.config), numVirtualTokens: 2, init: 'random' }, context(4)));
  });
  afterAll(() => model.dispose());

  test('writes the mix PEFT would make (linear, weights 0.7 and -0.4)', () => {
    const out = join(dir, 'mixed');
    const r = attune(['mix', '--model', LLAMA, '--backend', 'cpu', '--adapter', `${join(dir, 'a')}:0.7`, '--adapter', `${join(dir, 'bb')}:-0.4`, '--combination', 'linear', '--out', out]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/mixed 2 adapters \(linear\) .* rank 4, 6 modules/);
    const reference = join(dir, 'reference');
    execFileSync('/usr/bin/python3', [join(ROOT, 'tools', 'reference', 'peft_mix.py'), '--out', reference, '--combination', 'linear', `${join(dir, 'a')}:0.7`, `${join(dir, 'bb')}:-0.4`]);
    const ours = decodePeft(readAdapterDirectory(out));
    const theirs = decodePeft(readAdapterDirectory(reference));
    expect(ours.config.target_modules).toEqual(['q_proj', 'v_proj', 'o_proj']);
    expect(ours.config.r).toBe(4);
    expect(ours.config.lora_alpha).toBe(4);
    expect([...ours.tensors.keys()].sort()).toEqual([...theirs.tensors.keys()].sort());
    for (const [key, tensor] of ours.tensors) expect(maxAbsDiff(tensor.dataSync(), theirs.tensors.get(key)!.dataSync()), key).toBeLessThan(1e-5);
    [...ours.tensors.values(), ...theirs.tensors.values()].forEach((t) => t.dispose());
  });

  test('refuses a linear mix of different ranks and a non-LoRA adapter, in one line, writing nothing', () => {
    const out = join(dir, 'never');
    const ranks = attune(['mix', '--model', LLAMA, '--backend', 'cpu', '--adapter', join(dir, 'a'), '--adapter', join(dir, 'rank2'), '--combination', 'linear', '--out', out]);
    expect(ranks.status).not.toBe(0);
    expect(ranks.stderr.trim()).toMatch(/^[^\n]*one rank, got ranks 4, 2; use svd[^\n]*$/);
    const prompt = attune(['mix', '--model', LLAMA, '--backend', 'cpu', '--adapter', join(dir, 'a'), '--adapter', `${join(dir, 'prompt')}:0.5`, '--out', out]);
    expect(prompt.status).toBe(2);
    expect(prompt.stderr).toMatch(/prompt is a prompt-tuning adapter; only LoRA adapters can be mixed/);
    expect(prompt.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(out, 'adapter_model.safetensors'))).toBe(false);
  });
});
