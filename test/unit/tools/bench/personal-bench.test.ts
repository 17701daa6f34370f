// tools/bench/personal.ts on the tiny fixtures: its held-out score is `attune eval`'s, and its
// exact match equals an independent count of `attune generate --chat --greedy` answers that equal
// the reference after trimming (attune eval's definition). Also with a trained adapter.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { greedyAnswer, scoreHeldOut, trainAdapter } from '../../../../tools/bench/personal';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const GPT2 = join(ROOT, 'test', 'fixtures', 'models', 'tiny-gpt2');
const LLAMA = join(ROOT, 'test', 'fixtures', 'models', 'tiny-llama');
const MAX_TOKENS = 4;

function writeJsonl(pairs: { instruction: string; output: string }[]): string {
  const path = join(mkdtempSync(join(tmpdir(), 'attune-personal-test-')), 'data.jsonl');
  writeFileSync(path, pairs.map((p) => JSON.stringify(p)).join('\n') + '\n');
  return path;
}

/** attune eval --json, spawned directly (not through the bench). */
function attuneEval(
  model: string,
  data: string,
  adapter?: string,
): { loss: number; exactMatch: number; n: number } {
  const args = ['eval', '--model', model, '--data', data, '--json', '--max-tokens', String(MAX_TOKENS)];
  if (adapter) args.push('--adapter', adapter);
  const child = spawnSync(process.execPath, [join(ROOT, 'bin', 'attune.mjs'), ...args], { encoding: 'utf8' });
  expect(child.status, child.stderr).toBe(0);
  return JSON.parse(child.stdout);
}

type Pair = { instruction: string; output: string };

/** Each distinct instruction's greedy answer, from `attune generate --chat --greedy` (one run each). */
function greedyAnswers(model: string, instructions: string[], adapter?: string): Map<string, string> {
  return new Map([...new Set(instructions)].map((i) => [i, greedyAnswer(model, i, MAX_TOKENS, adapter)]));
}

/** Exact match counted here: answers that equal the reference after trimming. */
function independentExactMatch(pairs: Pair[], answers: Map<string, string>): number {
  return pairs.filter((p) => answers.get(p.instruction)!.trim() === p.output.trim()).length / pairs.length;
}

/** Pairs some of which are the model's own greedy answers (hits) and some not, with those answers. */
function mixedPairs(model: string, adapter?: string): { pairs: Pair[]; answers: Map<string, string> } {
  const answers = greedyAnswers(model, ['Say hi', 'Name a colour'], adapter);
  const own = (instruction: string) => answers.get(instruction)!.trim();
  const pairs = [
    { instruction: 'Say hi', output: own('Say hi') },
    { instruction: 'Say hi', output: `${own('Say hi')} and something else` },
    { instruction: 'Name a colour', output: own('Name a colour') },
  ];
  return { pairs, answers };
}

describe('personal bench scoring', { timeout: 300_000 }, () => {
  test('exact match and loss equal attune eval and an independent count of greedy answers', () => {
    const { pairs, answers } = mixedPairs(GPT2);
    const data = writeJsonl(pairs);
    const expected = independentExactMatch(pairs, answers);
    // The data mixes hits and misses, so agreement is not the trivial 0 = 0 or 1 = 1.
    expect(expected).toBeGreaterThan(0);
    expect(expected).toBeLessThan(1);
    const score = scoreHeldOut({ model: GPT2, data, maxTokens: MAX_TOKENS });
    const direct = attuneEval(GPT2, data);
    expect(score.n).toBe(pairs.length);
    expect(score.exactMatch).toBeCloseTo(expected, 12);
    expect(score.exactMatch).toBe(direct.exactMatch);
    expect(score.loss).toBe(direct.loss);
    expect(score.seconds).toBeGreaterThan(0);
  });

  test('after trainAdapter, the adapter is what gets scored', () => {
    const train = writeJsonl(
      Array.from({ length: 8 }, (_, i) => ({ instruction: `item ${i}`, output: `ok ${i}` })),
    );
    const out = join(mkdtempSync(join(tmpdir(), 'attune-personal-adapter-')), 'lora');
    const summary = trainAdapter({ model: LLAMA, data: train, method: 'lora', out, steps: 3 });
    expect(summary).toMatchObject({ method: 'lora', steps: 3 });
    const { pairs, answers } = mixedPairs(LLAMA, out);
    const data = writeJsonl(pairs);
    const withAdapter = scoreHeldOut({ model: LLAMA, data, adapter: out, maxTokens: MAX_TOKENS });
    expect(withAdapter.exactMatch).toBeCloseTo(independentExactMatch(pairs, answers), 12);
    expect(withAdapter.loss).toBe(attuneEval(LLAMA, data, out).loss);
    // The trained adapter changes the loss: the flag really reached attune eval.
    expect(withAdapter.loss).not.toBe(scoreHeldOut({ model: LLAMA, data, maxTokens: MAX_TOKENS }).loss);
  });
});
