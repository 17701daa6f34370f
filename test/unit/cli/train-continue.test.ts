// attune train --continue: the run starts from the adapter's weights (its held-out loss before
// training is the adapter's loss after its own run, on the same held-out file), keeps its method,
// and trains the new examples plus the requested replay sample; replay flags need --continue.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { attune, FIXTURES } from './spawn-cli';

const dir = mkdtempSync(join(tmpdir(), 'attune-continue-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function jsonl(name: string, pairs: [string, string][]): string {
  const path = join(dir, name);
  writeFileSync(path, pairs.map(([instruction, output]) => JSON.stringify({ instruction, output })).join('\n') + '\n');
  return path;
}

test('--continue warm-starts from the adapter and trains new + replayed examples', { timeout: 300_000 }, () => {
  const model = join(FIXTURES, 'tiny-llama');
  const words = ['red', 'blue', 'green', 'cat', 'dog', 'fish'];
  const old = jsonl('old.jsonl', words.map((w) => [`Echo ${w}`, `${w} ${w}`]));
  const fresh = jsonl('new.jsonl', [['Echo sun', 'sun sun'], ['Echo moon', 'moon moon']]);
  const heldOut = jsonl('eval.jsonl', [['Echo star', 'star star'], ['Echo tree', 'tree tree']]);
  const first = attune(['train', '--model', model, '--data', old, '--eval', heldOut, '--method', 'ia3', '--steps', '6', '--lr', '0.05', '--out', join(dir, 'v1'), '--json', '--quiet'], { timeoutMs: 240_000 });
  expect(first.status, first.stderr).toBe(0);
  const v1 = JSON.parse(first.stdout);
  const next = attune(['train', '--model', model, '--data', fresh, '--eval', heldOut, '--continue', join(dir, 'v1'), '--replay', old, '--replay-count', '3', '--steps', '2', '--out', join(dir, 'v2'), '--json', '--quiet'], { timeoutMs: 240_000 });
  expect(next.status, next.stderr).toBe(0);
  const v2 = JSON.parse(next.stdout);
  expect(v2).toMatchObject({ method: 'ia3', trainExamples: 5, replayedExamples: 3 });
  expect(Math.abs(v2.heldOutLossBefore - v1.heldOutLossAfter)).toBeLessThan(1e-5);

  const refused = attune(['train', '--model', model, '--data', fresh, '--replay', old, '--out', join(dir, 'v3')]);
  expect(refused.status).not.toBe(0);
  expect(refused.stderr).toContain('--replay and --replay-count need --continue');
});

test('--continue of a p-tuning adapter is refused with the reason, before training', { timeout: 300_000 }, () => {
  const model = join(FIXTURES, 'tiny-llama');
  const data = jsonl('pt.jsonl', [['Echo sun', 'sun sun'], ['Echo moon', 'moon moon']]);
  const first = attune(['train', '--model', model, '--data', data, '--method', 'p-tuning', '--steps', '1', '--out', join(dir, 'pt1'), '--json', '--quiet'], { timeoutMs: 240_000 });
  expect(first.status, first.stderr).toBe(0);
  const next = attune(['train', '--model', model, '--data', data, '--continue', join(dir, 'pt1'), '--steps', '1', '--out', join(dir, 'pt2')], { timeoutMs: 240_000 });
  expect(next.status).not.toBe(0);
  expect(next.stderr).toContain('a p-tuning adapter cannot be trained further');
  expect(next.stderr).not.toMatch(/\n\s+at /); // one line, no stack trace
});
