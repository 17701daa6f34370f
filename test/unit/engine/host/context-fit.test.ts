// `context.fit` with the shipped model's own tokenizer (public/model/): text within the budget is
// untouched; longer text is cut at a paragraph (or sentence) boundary to at most the budget, and
// the counts are those of the kept text tokenized again; the budget is the context length less the
// reserve and the chat template's frame; bad payloads are refused before they reach the engine.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { contextBudget, fitContext, fitTextToTokens, templateTokens } from '../../../../src/engine/host/context-fit';
import type { ContextFitResult } from '../../../../src/engine/protocol/types';
import { MAX_CONTEXT_FIT_CHARS } from '../../../../src/engine/protocol/types';
import { isEngineRequest } from '../../../../src/engine/protocol/validate';
import { parseConfig } from '../../../../src/model/config';
import type { LoadedModel } from '../../../../src/model';
import { loadTokenizer } from '../../../../src/model/tokenizer';
import { isMethodName } from '../../../../src/tuning/registry';
import { createHost, freshDb, TestClient, useCpuHosts } from './helpers';

const files = new Map(['config.json', 'tokenizer.json', 'tokenizer_config.json'].map((name) => [name, new Uint8Array(readFileSync(`public/model/${name}`))]));
const config = parseConfig(new TextDecoder().decode(files.get('config.json')));
const tokenizer = loadTokenizer(files, config);
const count = (text: string) => tokenizer.encode(text, { addSpecialTokens: false }).length;
/** What `context.fit` reads of the active model: its config and tokenizer. */
const shipped = { config, tokenizer } as unknown as LoadedModel;

const PARAGRAPHS = Array.from(
  { length: 12 },
  (_, i) => `Section ${i + 1} explains how the tide tables are read. High water comes about fifty minutes later each day, so the table is checked before every crossing.`,
);
const LONG = PARAGRAPHS.join('\n\n');

describe('fitting page context with the shipped tokenizer', () => {
  test('the shipped model has a 256-token context; the budget is that less the reserve and the template frame', () => {
    expect(config.maxPositions).toBe(256);
    const frame = templateTokens(tokenizer);
    expect(frame).toBeGreaterThan(0);
    expect(frame).toBe(count(tokenizer.applyChatTemplate([{ role: 'user', content: '' }], { addGenerationPrompt: true })));
    expect(contextBudget(shipped, 100)).toBe(256 - 100 - frame);
    expect(contextBudget(shipped, 1000)).toBe(0); // never negative
  });

  test('text shorter than the budget is sent untouched, with its token count', () => {
    const text = PARAGRAPHS.slice(0, 2).join('\n\n');
    const fitted = fitTextToTokens(tokenizer, text, 120);
    expect(count(text)).toBeLessThanOrEqual(120);
    expect(fitted).toEqual({
      text,
      cut: null,
      keptTokens: count(text),
      totalTokens: count(text),
      budgetTokens: 120,
      keptParagraphs: 2,
      totalParagraphs: 2,
    } satisfies ContextFitResult);
  });

  test('a long text is cut at the last paragraph break that fits; the kept text tokenized again gives keptTokens', () => {
    const budget = 120;
    const fitted = fitTextToTokens(tokenizer, LONG, budget);
    expect(fitted.totalTokens).toBe(count(LONG));
    expect(fitted.totalTokens).toBeGreaterThan(budget * 3);
    expect(fitted.cut).toBe('paragraph');
    expect(fitted.keptTokens).toBe(count(fitted.text));
    expect(fitted.keptTokens).toBeLessThanOrEqual(budget);
    // Whole paragraphs, as many as fit: one more would not.
    const kept = fitted.keptParagraphs;
    expect(kept).toBeGreaterThan(0);
    expect(fitted.text).toBe(PARAGRAPHS.slice(0, kept).join('\n\n'));
    expect(count(PARAGRAPHS.slice(0, kept + 1).join('\n\n'))).toBeGreaterThan(budget);
    expect(fitted.totalParagraphs).toBe(12);
  });

  test('one paragraph longer than the budget is cut at a sentence end', () => {
    const paragraph = PARAGRAPHS.map((p) => p.replace(/^Section \d+ /, 'The guide ')).join(' ');
    const fitted = fitTextToTokens(tokenizer, paragraph, 60);
    expect(fitted.cut).toBe('sentence');
    expect(fitted.text.endsWith('.')).toBe(true);
    expect(paragraph.startsWith(fitted.text)).toBe(true);
    expect(fitted.keptTokens).toBe(count(fitted.text));
    expect(fitted.keptTokens).toBeLessThanOrEqual(60);
    expect(fitted.keptTokens).toBeGreaterThanOrEqual(30);
  });

  test('text without spaces (Chinese) is cut at a character, never over the budget', () => {
    const chinese = '潮汐表每天推迟约五十分钟，所以每次过河前都要查看。'.repeat(40).replace(/。/g, '，');
    const fitted = fitTextToTokens(tokenizer, chinese, 50);
    expect(fitted.cut).toBe('character');
    expect(chinese.startsWith(fitted.text)).toBe(true);
    expect(fitted.keptTokens).toBe(count(fitted.text));
    expect(fitted.keptTokens).toBeLessThanOrEqual(50);
    expect(fitted.keptTokens).toBeGreaterThan(40);
  });

  test('fitContext uses the model context: budget = 256 − reserve − frame', () => {
    const fitted = fitContext(shipped, { text: LONG, reserveTokens: 160 });
    expect(fitted.budgetTokens).toBe(256 - 160 - templateTokens(tokenizer));
    expect(fitted.keptTokens).toBeLessThanOrEqual(fitted.budgetTokens);
    expect(fitted.keptTokens).toBe(count(fitted.text));
  });
});

describe('the context.fit request', () => {
  const request = (payload: unknown) => ({ kind: 'context.fit', id: 'c-1', payload });
  test('accepts a text and a reserve', () => {
    expect(isEngineRequest(request({ text: LONG, reserveTokens: 160 }), isMethodName)).toBe(true);
    expect(isEngineRequest(request({ text: '', reserveTokens: 0 }), isMethodName)).toBe(true);
  });
  test.each([
    ['no reserve', { text: 'a' }],
    ['a negative reserve', { text: 'a', reserveTokens: -1 }],
    ['a fractional reserve', { text: 'a', reserveTokens: 1.5 }],
    ['a text that is not a string', { text: ['a'], reserveTokens: 10 }],
    ['a text over the length limit', { text: 'a'.repeat(MAX_CONTEXT_FIT_CHARS + 1), reserveTokens: 10 }],
    ['an unknown field', { text: 'a', reserveTokens: 10, model: 'x' }],
  ])('refuses %s', (_, payload) => {
    expect(isEngineRequest(request(payload), isMethodName)).toBe(false);
  });
});

describe('context.fit through the host', () => {
  const hosts = useCpuHosts();

  test('answers with the active model’s fit, and refuses a malformed payload as malformed', async () => {
    const host = createHost(await freshDb());
    hosts.push(host);
    const client = new TestClient(host);
    const fitted = (await client.request('context.fit', { text: LONG, reserveTokens: 8 })) as ContextFitResult;
    expect(fitted.cut).not.toBeNull();
    expect(fitted.keptTokens).toBeLessThanOrEqual(fitted.budgetTokens);
    expect(LONG.startsWith(fitted.text)).toBe(true);
    const refused = await client.raw({ kind: 'context.fit', id: 'bad-1', payload: { text: LONG, reserveTokens: -3 } });
    expect(refused).toMatchObject({ type: 'error', error: { code: 'malformed' } });
  });
});
