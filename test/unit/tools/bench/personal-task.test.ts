// The personal-style task of `npm run bench -- personal` (tools/bench/personal-task/): the
// generator is deterministic, the committed files are its current output, the product accepts
// every line as an Example, and no task of the held-out set is ever seen in training.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { parseImport } from '../../../../src/dataset/jsonl';
import {
  DEFAULT_SEED,
  HELD_OUT_FILE,
  HELD_OUT_SIZE,
  TRAIN_FILE,
  TRAIN_SIZE,
  generatePersonalTask,
  toJsonl,
  type TaskPair,
} from '../../../../tools/bench/personal-task/generate';

const DAY_ABBREVIATIONS: Record<string, string> = {
  Monday: 'Mon',
  Tuesday: 'Tue',
  Wednesday: 'Wed',
  Thursday: 'Thu',
  Friday: 'Fri',
  Saturday: 'Sat',
  Sunday: 'Sun',
};

/** The task phrase inside an answer: "[ ] call mum (Fri) — added" -> "call mum". */
function taskOf(output: string): string {
  const match = /^\[ \] (.+?)(?: \((Mon|Tue|Wed|Thu|Fri|Sat|Sun)\))? — added$/.exec(output);
  if (!match) throw new Error(`not in the personal format: ${output}`);
  return match[1]!;
}

describe('personal-style task generator', () => {
  test('the same seed gives the same pairs; another seed gives others', () => {
    const first = generatePersonalTask(7);
    expect(generatePersonalTask(7)).toEqual(first);
    expect(generatePersonalTask(8).train).not.toEqual(first.train);
  });

  test('the committed train.jsonl and held-out.jsonl are the generator output for the default seed', () => {
    const split = generatePersonalTask(DEFAULT_SEED);
    expect(readFileSync(TRAIN_FILE, 'utf8')).toBe(toJsonl(split.train));
    expect(readFileSync(HELD_OUT_FILE, 'utf8')).toBe(toJsonl(split.heldOut));
  });

  test.each([1, 2, DEFAULT_SEED])(
    'seed %i: sizes, and train and held-out share no task, instruction or output',
    (seed) => {
      const { train, heldOut } = generatePersonalTask(seed);
      expect(train).toHaveLength(TRAIN_SIZE);
      expect(heldOut).toHaveLength(HELD_OUT_SIZE);
      const trainTasks = new Set(train.map((p) => taskOf(p.output)));
      expect(trainTasks.size).toBe(train.length); // each task once
      for (const pair of heldOut) {
        expect(trainTasks.has(taskOf(pair.output))).toBe(false);
        expect(train.some((t) => t.instruction === pair.instruction || t.output === pair.output)).toBe(false);
      }
    },
  );

  test('every answer copies the task from the request and abbreviates its day', () => {
    const { train, heldOut } = generatePersonalTask(DEFAULT_SEED);
    const check = (pair: TaskPair) => {
      const task = taskOf(pair.output);
      expect(pair.instruction).toContain(task);
      const day = / on (Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)$/.exec(
        pair.instruction,
      )?.[1];
      if (day) expect(pair.output).toBe(`[ ] ${task} (${DAY_ABBREVIATIONS[day]}) — added`);
      else expect(pair.output).toBe(`[ ] ${task} — added`);
    };
    [...train, ...heldOut].forEach(check);
    // Both shapes occur in training, so the model can learn each.
    expect(train.some((p) => p.output.includes('('))).toBe(true);
    expect(train.some((p) => !p.output.includes('('))).toBe(true);
  });

  test('the product imports every line of both files as a valid example', () => {
    for (const [file, size] of [
      [TRAIN_FILE, TRAIN_SIZE],
      [HELD_OUT_FILE, HELD_OUT_SIZE],
    ] as const) {
      const parsed = parseImport(readFileSync(file, 'utf8'));
      expect(parsed.bad).toEqual([]);
      expect(parsed.good).toHaveLength(size);
    }
  });
});
