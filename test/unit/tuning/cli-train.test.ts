// attune train, spawned as users run it: a JSONL file in, a PEFT folder (full fine-tuning: a model folder) out, held-out loss before
// and after; the folder then works with --adapter; bad input is refused with the line number.
import { METHOD_NAMES, getMethod } from '../../../src/tuning/registry';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURES } from './helpers';

const ROOT = join(FIXTURES, '..', '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'attune-train-'));

function attune(...args: string[]) {
  const child = spawnSync(process.execPath, [join(ROOT, 'bin', 'attune.mjs'), ...args], { encoding: 'utf8', timeout: 240_000 });
  return { status: child.status, stdout: child.stdout, stderr: child.stderr };
}

function writeExamples(name: string, count: number): string {
  const words = ['red', 'blue', 'green', 'cat', 'dog', 'fish', 'sun', 'moon'];
  const lines = Array.from({ length: count }, (_, i) => {
    const a = words[i % 8]!;
    const b = words[(i * 3 + 1) % 8]!;
    return JSON.stringify({ instruction: `Join ${a} and ${b}`, output: `${a} ${b}` });
  });
  const path = join(dir, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

/** `attune logits` of the untrained tiny-llama on the probe prompt: the same for every method, so run once. */
let plainLlamaLogits: ReturnType<typeof attune> | undefined;
const plainLlama = () => (plainLlamaLogits ??= attune('logits', '--model', join(FIXTURES, 'tiny-llama'), '--prompt', 'Join red and cat'));

describe('attune train', { timeout: 300_000 }, () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(METHOD_NAMES)('%s: lowers the held-out loss and writes a folder generate and logits use', (method) => {
    const model = join(FIXTURES, 'tiny-llama');
    const out = join(dir, method);
    const data = writeExamples('train.jsonl', 24);
    const heldOut = writeExamples('eval.jsonl', 6);
    const r = attune('train', '--model', model, '--data', data, '--eval', heldOut, '--method', method, '--steps', '12', '--seed', '3', '--out', out, '--json', '--quiet');
    expect(r.status, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({ method, steps: 12, trainExamples: 24, heldOutExamples: 6 });
    expect(summary.heldOutLossAfter).toBeLessThan(summary.heldOutLossBefore);
    expect(summary.tokensPerSecond).toBeGreaterThan(0);
    // A method whose result is a whole model (full fine-tuning) writes a model folder: --model, not --adapter.
    const savesModel = getMethod(method).modelFiles !== undefined;
    expect(summary.saved).toBe(savesModel ? 'model' : 'adapter');
    const g = savesModel
      ? attune('generate', '--model', out, '--prompt', 'Join red and cat', '--chat', '--greedy', '--max-tokens', '4')
      : attune('generate', '--model', model, '--adapter', out, '--prompt', 'Join red and cat', '--chat', '--greedy', '--max-tokens', '4');
    expect(g.status, g.stderr).toBe(0);
    // The trained folder changes the model's scores (12 small steps need not flip a greedy token:
    // full fine-tuning's one-click rate is 1e-5).
    const tuned = savesModel ? attune('logits', '--model', out, '--prompt', 'Join red and cat') : attune('logits', '--model', model, '--adapter', out, '--prompt', 'Join red and cat');
    const plain = plainLlama();
    expect(tuned.status, tuned.stderr).toBe(0);
    expect(plain.status, plain.stderr).toBe(0);
    expect(tuned.stdout).not.toBe(plain.stdout);
  });

  it('--workers 2 shares each step with a worker thread (the plan says so) and still lowers the held-out loss', () => {
    const out = join(dir, 'workers');
    const r = attune('train', '--model', join(FIXTURES, 'tiny-llama'), '--data', writeExamples('train.jsonl', 24), '--eval', writeExamples('eval.jsonl', 6), '--batch-size', '4', '--workers', '2', '--steps', '6', '--seed', '3', '--out', out, '--json');
    expect(r.status, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary.memoryPlan).toMatchObject({ backend: 'wasm', microBatch: 2, accumulation: 2, workers: 2 });
    expect(r.stderr).toMatch(/memory plan \(wasm\): micro-batch 2 × 2 accumulated, shared by 2 workers/);
    expect(summary.heldOutLossAfter).toBeLessThan(summary.heldOutLossBefore);
    const one = JSON.parse(attune('train', '--model', join(FIXTURES, 'tiny-llama'), '--data', writeExamples('train.jsonl', 24), '--batch-size', '4', '--workers', '1', '--steps', '1', '--out', join(dir, 'one-worker'), '--json', '--quiet').stdout);
    expect(one.memoryPlan).toMatchObject({ microBatch: 4, accumulation: 1, workers: 1 });
  });

  it('p-tuning-v2 with --virtual-tokens 8: the prefix length reaches the adapter and the run lowers the loss', () => {
    const model = join(FIXTURES, 'tiny-llama');
    const out = join(dir, 'p-tuning-v2-8');
    const r = attune('train', '--model', model, '--data', writeExamples('train.jsonl', 24), '--eval', writeExamples('eval.jsonl', 6), '--method', 'p-tuning-v2', '--virtual-tokens', '8', '--steps', '12', '--seed', '3', '--out', out, '--json', '--quiet');
    expect(r.status, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary.heldOutLossAfter).toBeLessThan(summary.heldOutLossBefore);
    const config = JSON.parse(readFileSync(join(out, 'adapter_config.json'), 'utf8'));
    expect(config).toMatchObject({ peft_type: 'PREFIX_TUNING', num_virtual_tokens: 8, prefix_projection: false });
  });

  it('full: --out is a model folder (base config and tokenizer files, new weights) that the other commands load with --model', () => {
    const model = join(FIXTURES, 'tiny-qwen2');
    const out = join(dir, 'full-qwen2');
    const r = attune('train', '--model', model, '--data', writeExamples('train.jsonl', 24), '--method', 'full', '--steps', '4', '--lr', '1e-3', '--seed', '3', '--out', out, '--json', '--quiet');
    expect(r.status, r.stderr).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json']);
    expect(readFileSync(join(out, 'config.json'))).toEqual(readFileSync(join(model, 'config.json')));
    expect(readFileSync(join(out, 'model.safetensors'))).not.toEqual(readFileSync(join(model, 'model.safetensors')));
    const tuned = attune('logits', '--model', out, '--prompt', 'Join red and cat');
    const base = attune('logits', '--model', model, '--prompt', 'Join red and cat');
    expect(tuned.status, tuned.stderr).toBe(0);
    expect(tuned.stdout).not.toBe(base.stdout);
  });

  it('lightweight --parts bias on a Llama model (no linear biases) is refused in one line, naming the part and the family', () => {
    const out = join(dir, 'never-bias');
    const r = attune('train', '--model', join(FIXTURES, 'tiny-llama'), '--data', writeExamples('train.jsonl', 8), '--method', 'lightweight', '--parts', 'norms,bias', '--out', out);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('attune train: Cannot train part "bias": llama models have no bias parameters. Parts this model has: head, norms.\n');
    expect(spawnSync('test', ['-e', out]).status).not.toBe(0);
  });

  it('refuses a data file with a broken line, naming it, and writes nothing', () => {
    const path = join(dir, 'bad.jsonl');
    writeFileSync(path, '{"instruction": "a", "output": "b"}\n{"instruction": "no output"}\n');
    const out = join(dir, 'never');
    const r = attune('train', '--model', join(FIXTURES, 'tiny-gpt2'), '--data', path, '--out', out);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/bad\.jsonl line 2: "output" is empty/);
    expect(spawnSync('test', ['-e', out]).status).not.toBe(0);
  });
});
