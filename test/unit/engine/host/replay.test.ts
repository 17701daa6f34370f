// Replay sampling: seeded and order-independent, never draws excluded (held-out) ids, capped.
import { expect, test } from 'vitest';
import { defaultReplayCount, MAX_DEFAULT_REPLAY, sampleReplay } from '../../../../src/engine/host/training/replay';

const ids = Array.from({ length: 50 }, (_, i) => `e${i}`);

test('the same candidates and seed give the same sample, whatever their order', () => {
  const a = sampleReplay(ids, new Set(), 10, 3);
  expect(a).toHaveLength(10);
  expect(new Set(a).size).toBe(10);
  expect(sampleReplay([...ids].reverse(), new Set(), 10, 3)).toEqual(a);
  expect(sampleReplay(ids, new Set(), 10, 4)).not.toEqual(a);
});

test('excluded ids (held out) are never drawn, even when every other id is taken', () => {
  const heldOut = new Set(ids.slice(0, 5));
  for (const seed of [1, 2, 3, 4, 5]) {
    const sample = sampleReplay([...ids, 'e1', 'e2'], heldOut, 1000, seed);
    expect(sample).toHaveLength(45);
    expect(sample.some((id) => heldOut.has(id))).toBe(false);
  }
});

test('the default replays as many old examples as new ones, capped; a count of 0 replays none', () => {
  expect(defaultReplayCount(3)).toBe(3);
  expect(defaultReplayCount(10_000)).toBe(MAX_DEFAULT_REPLAY);
  expect(sampleReplay(ids, new Set(), 0, 1)).toEqual([]);
});
