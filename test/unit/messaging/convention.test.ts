// Both message protocols follow envelope.ts: kinds are `noun.verb`, every declared kind has a
// validator, and replies use the same Outcome shape.
import { expect, test } from 'vitest';
import { KIND_PATTERN } from '../../../src/messaging/envelope';
import { BACKGROUND_KINDS, CONTENT_KINDS, isBackgroundMessage } from '../../../src/messaging/validate';
import { ENGINE_ENSURE_MESSAGE, ENGINE_KINDS } from '../../../src/engine/protocol/types';

test('every kind of both protocols is noun.verb in lower case', () => {
  const kinds = [...BACKGROUND_KINDS, ...CONTENT_KINDS, ...ENGINE_KINDS, ENGINE_ENSURE_MESSAGE.kind];
  expect(kinds.length).toBeGreaterThan(20);
  for (const kind of kinds) expect(kind, kind).toMatch(KIND_PATTERN);
  expect(new Set(kinds).size).toBe(kinds.length); // no kind means two things
});

test('the pattern refuses the old and the odd spellings', () => {
  for (const kind of ['example/save', 'generate', 'Train.start', 'train.', '.start', 'train..start', 'train_start.x']) {
    expect(kind, kind).not.toMatch(KIND_PATTERN);
  }
});

test('the engine-start message is not mistaken for a background request', () => {
  expect(isBackgroundMessage(ENGINE_ENSURE_MESSAGE)).toBe(false);
});
