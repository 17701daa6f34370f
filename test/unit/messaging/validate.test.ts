import { expect, test } from 'vitest';
import { isBackgroundMessage, isContentMessage } from '../../../src/messaging/validate';

const save = { instruction: 'i', input: '', output: 'o', tags: [], sourceUrl: '', sourceTitle: '' };

test('every background kind accepts its declared payload', () => {
  const valid = [
    { kind: 'example.save', payload: save },
    { kind: 'example.save', payload: { ...save, origin: 'chat' } },
    { kind: 'examples.count', payload: {} },
    { kind: 'templates.list', payload: {} },
    { kind: 'templates.save', payload: { name: 'n', instruction: 'i', urlPattern: '' } },
    { kind: 'settings.capture', payload: {} },
    { kind: 'capture.start', payload: { tabId: 0, mode: 'input' } },
    { kind: 'dashboard.open', payload: {} },
  ];
  for (const message of valid) expect(isBackgroundMessage(message), JSON.stringify(message)).toBe(true);
});

test('wrong kinds, ids, payload shapes and prototype tricks are rejected', () => {
  const invalid: unknown[] = [
    null,
    [],
    { kind: 'toString', payload: {} },
    { kind: '__proto__', payload: {} },
    { kind: 'examples.count' },
    { kind: 'examples.count', payload: { sneaky: true } },
    { kind: 'examples.count', id: 'req-1', payload: {} }, // one-shot messages carry no id
    { kind: 'example.save', payload: { ...save, tags: [1] } },
    { kind: 'example.save', payload: { ...save, input: null } },
    { kind: 'example.save', payload: { ...save, origin: 'page' } }, // not a known origin
    { kind: 'example.save', payload: { ...save, origin: null } },
    { kind: 'templates.save', payload: { name: 'n' } },
    { kind: 'capture.start', payload: { tabId: 1.5, mode: 'output' } },
    { kind: 'capture.open', payload: { mode: 'output' } }, // a content-script kind, not a background one
  ];
  for (const message of invalid) expect(isBackgroundMessage(message), JSON.stringify(message)).toBe(false);
});

test('the content script accepts only well-formed capture.open requests', () => {
  expect(isContentMessage({ kind: 'capture.open', payload: { mode: 'output' } })).toBe(true);
  expect(isContentMessage({ kind: 'capture.open', payload: { mode: 'input', selectionText: 'x' } })).toBe(true);
  expect(isContentMessage({ kind: 'capture.open', payload: { mode: 'output', selectionText: 3 } })).toBe(false);
  expect(isContentMessage({ kind: 'capture.open', payload: { mode: 'output', html: '<b>' } })).toBe(false);
  expect(isContentMessage({ kind: 'example.save', payload: save })).toBe(false);
});
