// The attune CLI, spawned as users run it (bin/attune.mjs), on the tiny fixtures.
import { mkdtempSync, writeFileSync, copyFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { attune as run, FIXTURES } from './spawn-cli';

const attune = (...args: string[]) => run(args);

describe('attune CLI', { timeout: 180_000 }, () => {
  test('info reports family, parameter count, vocabulary and context length', () => {
    const r = attune('info', '--model', join(FIXTURES, 'tiny-qwen2'), '--json');
    expect(r.status, r.stderr).toBe(0);
    const info = JSON.parse(r.stdout);
    // 2 layers of (q,k,v with biases, o, 2 norms, gate/up/down) + embeddings + untied head + final norm
    const layer = 32 * 32 + 32 + 2 * (32 * 16 + 16) + 32 * 32 + 2 * 32 + 3 * 32 * 64;
    expect(info).toMatchObject({ family: 'llama', modelType: 'qwen2', vocabSize: 320, contextLength: 64, parameters: 2 * layer + 2 * 320 * 32 + 32 });
    const text = attune('info', '--model', join(FIXTURES, 'tiny-gpt2'));
    expect(text.stdout).toMatch(/family\s+gpt2/);
  });

  test('generate --greedy is deterministic and streams text; --seed makes sampling repeatable', () => {
    const model = join(FIXTURES, 'tiny-llama');
    const a = attune('generate', '--model', model, '--prompt', 'The quick', '--max-tokens', '8', '--greedy');
    const b = attune('generate', '--model', model, '--prompt', 'The quick', '--max-tokens', '8', '--greedy', '--backend', 'cpu');
    expect(a.status, a.stderr).toBe(0);
    expect(a.stdout.length).toBeGreaterThan(1);
    expect(b.stdout).toBe(a.stdout);
    const s1 = attune('generate', '--model', model, '--prompt', 'Hi', '--max-tokens', '12', '--temperature', '1.3', '--seed', '4', '--chat', '--stats');
    const s2 = attune('generate', '--model', model, '--prompt', 'Hi', '--max-tokens', '12', '--temperature', '1.3', '--seed', '4', '--chat');
    expect(s1.status, s1.stderr).toBe(0);
    expect(s1.stdout).toBe(s2.stdout);
    expect(s1.stderr).toMatch(/tokens\/s/);
  });

  test('logits --json gives the last-position row; cpu and wasm agree', () => {
    const model = join(FIXTURES, 'tiny-gpt2');
    const wasm = JSON.parse(attune('logits', '--model', model, '--prompt', 'the answer', '--json').stdout);
    const cpu = JSON.parse(attune('logits', '--model', model, '--prompt', 'the answer', '--json', '--backend', 'cpu').stdout);
    expect(wasm.shape).toEqual([1, 320]);
    expect(wasm.logits).toHaveLength(320);
    expect(wasm.ids).toEqual(cpu.ids);
    const worst = Math.max(...wasm.logits.map((v: number, i: number) => Math.abs(v - cpu.logits[i])));
    expect(worst).toBeLessThan(1e-3);
  });

  test('bad paths, broken files and bad flags: non-zero exit and one line', () => {
    const cases: [string[], number, RegExp][] = [
      [['info', '--model', '/no/such/folder'], 1, /No model folder/],
      [['info'], 2, /--model is required/],
      [['generate', '--model', join(FIXTURES, 'tiny-gpt2'), '--prompt', 'x', '--max-tokens', 'ten'], 2, /integer/],
      [['frobnicate'], 2, /unknown command/],
      [['info', '--model', join(FIXTURES, 'tiny-gpt2'), '--backend', 'tpu'], 2, /cpu, wasm or webgpu/],
    ];
    for (const [args, status, message] of cases) {
      const r = attune(...args);
      expect(r.status, args.join(' ')).toBe(status);
      expect(r.stderr.trim().split('\n')[0]).toMatch(message);
    }
    // A truncated checkpoint in an otherwise complete folder.
    const dir = mkdtempSync(join(tmpdir(), 'attune-cli-'));
    const source = join(FIXTURES, 'tiny-gpt2');
    for (const f of readdirSync(source)) copyFileSync(join(source, f), join(dir, f));
    writeFileSync(join(dir, 'model.safetensors'), new Uint8Array([1, 2, 3, 4, 5]));
    const broken = attune('info', '--model', dir);
    expect(broken.status).toBe(1);
    expect(broken.stderr.trim()).toMatch(/^attune info: model\.safetensors is corrupt or truncated/);
    expect(broken.stderr.trim().split('\n')).toHaveLength(1);
  });
});
