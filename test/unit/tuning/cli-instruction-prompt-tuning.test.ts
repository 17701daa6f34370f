// attune train --method instruction-prompt-tuning, spawned as users run it: a few steps with
// demonstrations, an adapter_config.json with the retrieval settings, then generate and eval
// retrieve the adapter's K demonstrations from --pool on their own (and say so without one).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURES } from './helpers';

const ROOT = join(FIXTURES, '..', '..', '..');
const MODEL = join(FIXTURES, 'tiny-llama');
const dir = mkdtempSync(join(tmpdir(), 'attune-ipt-cli-'));

function attune(...args: string[]) {
  const child = spawnSync(process.execPath, [join(ROOT, 'bin', 'attune.mjs'), ...args], { encoding: 'utf8', timeout: 240_000 });
  return { status: child.status, stdout: child.stdout, stderr: child.stderr };
}

/** Short pairs ("go a" -> "A"), so an example and a demonstration fit tiny-llama's 64 positions. */
function writeExamples(name: string, letters: string): string {
  const lines = [...letters].map((c) => JSON.stringify({ instruction: `go ${c}`, output: c.toUpperCase() }));
  const path = join(dir, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

describe('attune train --method instruction-prompt-tuning', { timeout: 300_000 }, () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('trains with demonstrations, exports them, and generate/eval retrieve them from --pool', () => {
    const out = join(dir, 'ipt');
    const data = writeExamples('train.jsonl', 'abcdefghijklmnopqrst');
    const heldOut = writeExamples('eval.jsonl', 'uvwxyz');
    const r = attune('train', '--model', MODEL, '--data', data, '--eval', heldOut, '--method', 'instruction-prompt-tuning', '--virtual-tokens', '2', '--demonstrations', '1', '--steps', '12', '--seed', '3', '--out', out, '--json', '--quiet');
    expect(r.status, r.stderr).toBe(0);
    // Every training example shares "go" with the others: each kept its one demonstration.
    expect(r.stderr).toMatch(/Demonstrations: 1\.00 of 1 per training example/);
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({ method: 'instruction-prompt-tuning', steps: 12, trainExamples: 20, heldOutExamples: 6 });
    expect(summary.heldOutLossAfter).toBeLessThan(summary.heldOutLossBefore);
    const config = JSON.parse(readFileSync(join(out, 'adapter_config.json'), 'utf8'));
    expect(config).toMatchObject({ peft_type: 'PROMPT_TUNING', num_virtual_tokens: 2, attune_retrieval: { demonstrations: 1 } });

    const generate = (...extra: string[]) => attune('generate', '--model', MODEL, '--adapter', out, '--prompt', 'go b', '--greedy', '--max-tokens', '3', ...extra);
    const withPool = generate('--pool', data);
    expect(withPool.status, withPool.stderr).toBe(0);
    expect(withPool.stderr).toMatch(/1 demonstration\(s\) retrieved from the pool/);
    const without = generate('--chat');
    expect(without.status, without.stderr).toBe(0);
    expect(without.stderr).toMatch(/trained with 1 retrieved demonstration\(s\).*give --pool/);
    // The demonstration turn changes what the model sees, so the answer's logits path differs.
    expect(withPool.stdout).not.toBe(without.stdout);

    const evalWith = attune('eval', '--model', MODEL, '--adapter', out, '--data', heldOut, '--pool', data, '--json');
    expect(evalWith.status, evalWith.stderr).toBe(0);
    expect(JSON.parse(evalWith.stdout)).toMatchObject({ n: 6, icl: 1, demonstrations: 1 });
    const evalWithout = attune('eval', '--model', MODEL, '--adapter', out, '--data', heldOut, '--json');
    expect(evalWithout.status, evalWithout.stderr).toBe(0);
    expect(JSON.parse(evalWithout.stdout)).toMatchObject({ icl: 0, demonstrations: 0 });
  });

  it('refuses --pool for an adapter that uses no demonstrations', () => {
    const out = join(dir, 'plain');
    const data = writeExamples('plain.jsonl', 'abcdef');
    expect(attune('train', '--model', MODEL, '--data', data, '--method', 'prompt-tuning', '--virtual-tokens', '2', '--steps', '1', '--out', out, '--quiet').status).toBe(0);
    const g = attune('generate', '--model', MODEL, '--adapter', out, '--prompt', 'go b', '--pool', data);
    expect(g.status).toBe(2); // a usage error
    expect(g.stderr).toMatch(/--pool is for an --adapter trained with demonstrations/);
  });
});
