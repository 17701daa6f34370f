// attune eval, spawned as users run it, on the tiny fixtures. The loss is checked against an
// independent computation: full-sequence logits from `attune logits --all`, with the output
// positions found by encoding the prompt alone, and cross-entropy written out here.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { attune as run, FIXTURES } from './spawn-cli';

const GPT2 = join(FIXTURES, 'tiny-gpt2');
const attune = (...args: string[]) => run(args);

function jsonl(lines: unknown[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'attune-eval-'));
  const path = join(dir, 'data.jsonl');
  writeFileSync(path, lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n');
  return path;
}

/** −log softmax(row)[target], computed in float64. */
function crossEntropy(row: number[], target: number): number {
  const max = Math.max(...row);
  const logSumExp = max + Math.log(row.reduce((sum, v) => sum + Math.exp(v - max), 0));
  return logSumExp - row[target]!;
}

describe('attune eval', { timeout: 240_000 }, () => {
  test('loss equals the mean cross-entropy of the output tokens under the plain chat template', () => {
    const example = { instruction: 'Say hi', output: 'hi there' };
    const r = attune('eval', '--model', GPT2, '--data', jsonl([example]), '--json');
    expect(r.status, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(Object.keys(summary).sort()).toEqual([
      'demonstrations',
      'exactMatch',
      'icl',
      'loss',
      'n',
      'perplexity',
      'tokens',
    ]);

    // The tiny GPT-2 has no chat template: the plain instruction template applies, then EOS.
    const prompt = `### Instruction:\n${example.instruction}\n\n### Response:\n`;
    const full = `${prompt}${example.output}<|endoftext|>`;
    const promptIds: number[] = JSON.parse(
      attune('logits', '--model', GPT2, '--prompt', prompt, '--json').stdout,
    ).ids;
    const all = JSON.parse(attune('logits', '--model', GPT2, '--prompt', full, '--json', '--all').stdout);
    const [T, V] = all.shape as [number, number];
    expect(all.ids.slice(0, promptIds.length)).toEqual(promptIds);
    let sum = 0;
    for (let t = promptIds.length; t < T; t++)
      sum += crossEntropy(all.logits.slice((t - 1) * V, t * V), all.ids[t]);
    const outputTokens = T - promptIds.length;
    expect(summary.n).toBe(1);
    expect(summary.tokens).toBe(outputTokens);
    expect(summary.loss).toBeCloseTo(sum / outputTokens, 4);
    expect(summary.perplexity).toBeCloseTo(Math.exp(summary.loss), 6);
  });

  test('exact match counts greedy answers equal to the reference', () => {
    // The model's own greedy continuation of 4 tokens is, by construction, an exact match.
    const greedy = attune(
      'generate',
      '--model',
      GPT2,
      '--prompt',
      'Say hi',
      '--chat',
      '--greedy',
      '--max-tokens',
      '4',
    );
    expect(greedy.status, greedy.stderr).toBe(0);
    const own = greedy.stdout.replace(/\n$/, '').trim();
    expect(own.length).toBeGreaterThan(0);
    const data = jsonl([
      { instruction: 'Say hi', output: own },
      { instruction: 'Say hi', output: `${own} and something the model never says` },
    ]);
    const r = attune('eval', '--model', GPT2, '--data', data, '--max-tokens', '4', '--json');
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ n: 2, exactMatch: 0.5, icl: 0 });
  });

  test('--icl prepends retrieved demonstrations, which changes the loss', () => {
    // tiny-llama's ChatML template is short enough for a demonstration in its 64-token context.
    const model = join(FIXTURES, 'tiny-llama');
    // Short texts: this tokenizer spends about one token per character.
    const heldOut = jsonl([{ instruction: 'sky hue', output: 'blue' }]);
    const pool = jsonl([
      { instruction: 'sea hue', output: 'teal' },
      { instruction: 'big cat', output: 'lion' },
    ]);
    const plain = JSON.parse(attune('eval', '--model', model, '--data', heldOut, '--json').stdout);
    const icl = attune('eval', '--model', model, '--data', heldOut, '--icl', '1', '--pool', pool, '--json');
    expect(icl.status, icl.stderr).toBe(0);
    const withDemo = JSON.parse(icl.stdout);
    expect(plain.demonstrations).toBe(0);
    expect(withDemo).toMatchObject({ n: 1, icl: 1, demonstrations: 1, tokens: plain.tokens });
    expect(Math.abs(withDemo.loss - plain.loss)).toBeGreaterThan(1e-4);
    // A pool with nothing in common retrieves nothing: the loss is the plain one.
    const unrelated = jsonl([{ instruction: 'big cat', output: 'lion' }]);
    const none = JSON.parse(
      attune('eval', '--model', model, '--data', heldOut, '--icl', '1', '--pool', unrelated, '--json').stdout,
    );
    expect(none.demonstrations).toBe(0);
    // The evaluated example itself in the pool is never its own demonstration.
    const leaky = jsonl([
      { instruction: 'sky hue', output: 'blue' },
      { instruction: 'big cat', output: 'lion' },
    ]);
    const self = JSON.parse(
      attune('eval', '--model', model, '--data', heldOut, '--icl', '1', '--pool', leaky, '--json').stdout,
    );
    expect(self.demonstrations).toBe(0);
    expect(self.loss).toBeCloseTo(plain.loss, 6);
    expect(none.loss).toBeCloseTo(plain.loss, 6);
  });

  test('--adapter evaluates with a trained adapter: its training data gets a lower loss', () => {
    const data = jsonl([
      { instruction: 'Say hi', output: 'hi there' },
      { instruction: 'Name a fruit', input: 'red', output: 'apple' },
    ]);
    const out = join(mkdtempSync(join(tmpdir(), 'attune-eval-adapter-')), 'adapter');
    const trained = attune(
      'train',
      '--model',
      GPT2,
      '--data',
      data,
      '--steps',
      '3',
      '--lr',
      '0.05',
      '--out',
      out,
      '--quiet',
    );
    expect(trained.status, trained.stderr).toBe(0);
    const base = JSON.parse(attune('eval', '--model', GPT2, '--data', data, '--json').stdout);
    const tuned = attune('eval', '--model', GPT2, '--data', data, '--adapter', out, '--json');
    expect(tuned.status, tuned.stderr).toBe(0);
    const summary = JSON.parse(tuned.stdout);
    expect(summary.tokens).toBe(base.tokens);
    expect(summary.loss).toBeLessThan(base.loss - 0.5);
  });

  test('a malformed line is named by its line number; bad flags are usage errors', () => {
    const broken = jsonl([
      { instruction: 'Say hi', output: 'hi' },
      '',
      '{"instruction": "x",',
      { instruction: 'ok', output: 'ok' },
    ]);
    const r = attune('eval', '--model', GPT2, '--data', broken, '--json');
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim()).toMatch(/^attune eval: .*data\.jsonl line 3: not valid JSON/);
    const missingOutput = attune('eval', '--model', GPT2, '--data', jsonl([{ instruction: 'no answer' }]));
    expect(missingOutput.stderr.trim()).toMatch(/line 1: .*output/i);
    const noPool = attune(
      'eval',
      '--model',
      GPT2,
      '--data',
      jsonl([{ instruction: 'a', output: 'b' }]),
      '--icl',
      '2',
    );
    expect(noPool.status).toBe(2);
    expect(noPool.stderr).toMatch(/--icl needs --pool/);
  });
});
