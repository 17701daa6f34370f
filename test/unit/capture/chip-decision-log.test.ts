// The content script's record of chip decisions: numbered, bounded, on the given global only.
import { expect, test } from 'vitest';
import {
  CHIP_DECISIONS_GLOBAL,
  CHIP_DECISIONS_KEPT,
  recordChipDecisions,
  type ChipDecisionRecord,
} from '../../../src/capture/chip-decision-log';

const recordOf = (scope: object): ChipDecisionRecord => (scope as Record<string, ChipDecisionRecord>)[CHIP_DECISIONS_GLOBAL]!;

test('decisions are numbered from 1 in the order they are made', () => {
  const scope = {};
  const decide = recordChipDecisions(scope);
  expect(recordOf(scope)).toEqual({ total: 0, recent: [] });
  decide('chip-off');
  decide('shown');
  expect(recordOf(scope)).toEqual({
    total: 2,
    recent: [
      { n: 1, decision: 'chip-off' },
      { n: 2, decision: 'shown' },
    ],
  });
});

test('only the last CHIP_DECISIONS_KEPT are kept, however long the tab lives', () => {
  const scope = {};
  const decide = recordChipDecisions(scope);
  for (let i = 0; i < CHIP_DECISIONS_KEPT * 3 + 5; i++) decide(i % 2 ? 'shown' : 'no-selection');
  const record = recordOf(scope);
  expect(record.total).toBe(CHIP_DECISIONS_KEPT * 3 + 5);
  expect(record.recent).toHaveLength(CHIP_DECISIONS_KEPT);
  expect(record.recent[0]!.n).toBe(record.total - CHIP_DECISIONS_KEPT + 1);
  expect(record.recent.at(-1)!.n).toBe(record.total);
});

test('the record is a hidden property of the scope it is given, nothing else', () => {
  const scope = { kept: true };
  recordChipDecisions(scope);
  expect(Object.keys(scope)).toEqual(['kept']); // not enumerable
  expect(CHIP_DECISIONS_GLOBAL in globalThis).toBe(false);
});
