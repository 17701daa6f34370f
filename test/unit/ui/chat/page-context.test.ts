// @vitest-environment jsdom
// "Use this page": the main content found by Readability (boilerplate left out), fitted to the
// shipped model's context in its tokens (the engine's context.fit on the shipped tokenizer) with
// the cut reported, through the same path the side panel takes (executeScript's result validated,
// the HTML read in the panel).
import { afterEach, expect, test, vi } from 'vitest';
import { readFileSync } from 'node:fs';
import { browser } from 'wxt/browser';
import { mainContentOf } from '../../../../src/ui/chat/main-content';
import { PageContextUnavailableError, readActiveTabContext } from '../../../../src/ui/chat/page-context';
import { CONTEXT_RESERVE_TOKENS } from '../../../../src/ui/chat/context-fitter';
import { templateTokens } from '../../../../src/engine/host/context-fit';
import { shippedFitter, shippedTokenizer, tokensOf } from './shipped-fitter';

/** The shipped model's 256 positions less the answer and question room and the template frame. */
const BUDGET = 256 - CONTEXT_RESERVE_TOKENS - templateTokens(shippedTokenizer);

/** Most whole paragraphs from the start whose tokens fit the budget. */
function paragraphsThatFit(paragraphs: string[]): number {
  let kept = 0;
  while (kept < paragraphs.length && tokensOf(paragraphs.slice(0, kept + 1).join('\n\n')) <= BUDGET) kept++;
  return kept;
}

const fixture = (name: string) => readFileSync(`tools/harness/pages/${name}`, 'utf8');

const ARTICLE = [
  'Councillors in Penmarth voted on Tuesday evening to bring back the passenger ferry across the estuary, forty years after the last boat was taken out of service.',
  'The crossing, which once carried fishermen and schoolchildren between the two halves of the town, was closed in 1986 when the road bridge upstream opened. Supporters say a ferry would cut a twenty-minute drive to a five-minute trip and take cars off the narrow harbour road.',
  'The plan approved by the council would run a small electric boat every half hour from seven in the morning until eight at night between April and October. A winter timetable will be decided after the first season.',
  '## Costs and objections',
  'The scheme is expected to cost £1.2 million to set up, most of it for rebuilding the slipways on both banks. Two councillors voted against, warning that ticket sales might not cover the running costs once a government grant ends in three years.',
  '“We have heard the same promise about the ferry in every election since I was a child,” said Councillor Jory Tremayne, who opposed the plan. “I hope this time the numbers add up.”',
  'Work on the slipways is due to start in the autumn, with the first crossings planned for the following spring.',
].join('\n\n');

afterEach(() => {
  vi.restoreAllMocks();
});

/** The active tab answers executeScript with `result`, as Chrome does. */
function pageReturns(result: unknown): void {
  vi.spyOn(browser.tabs, 'query').mockResolvedValue([{ id: 7 }] as never);
  vi.spyOn(browser.scripting, 'executeScript').mockResolvedValue([
    { result, documentId: 'd', frameId: 0 },
  ] as never);
}

test('a news page with navigation, adverts, a cookie banner, a sidebar and a footer gives only the article', () => {
  const html = fixture('news-boilerplate.html');
  const main = mainContentOf(html, 'Town votes to reopen the old ferry crossing | The Estuary Courier');
  expect(main).toEqual({
    title: 'Town votes to reopen the old ferry crossing',
    text: ARTICLE,
    from: 'article',
  });
  // What the old "all the page's text" sent and this leaves out.
  for (const boilerplate of [
    'Advertisement',
    'cookies',
    'Most read',
    'Subscribe',
    'All rights reserved',
    'Sign up',
    'Comments',
  ]) {
    expect(main.text).not.toContain(boilerplate);
  }
});

test('the side panel path: the page hands over its HTML, the panel sends the article’s beginning that fits, marked as the main content', async () => {
  pageReturns({ html: fixture('news-boilerplate.html'), title: 'Ferry | Courier' });
  const context = await readActiveTabContext('page', shippedFitter);
  const paragraphs = ARTICLE.split('\n\n');
  const kept = paragraphsThatFit(paragraphs);
  const sent = paragraphs.slice(0, kept).join('\n\n');
  expect(tokensOf(ARTICLE)).toBeGreaterThan(BUDGET); // this article does not fit whole
  expect(context).toEqual({
    source: 'page',
    title: 'Town votes to reopen the old ferry crossing',
    text: sent,
    truncated: true,
    cut: 'paragraph',
    keptTokens: tokensOf(sent),
    totalTokens: tokensOf(ARTICLE),
    totalParagraphs: 7,
    keptParagraphs: kept,
    extracted: 'article',
  });
  expect(context.keptTokens).toBeLessThanOrEqual(BUDGET);
});

test('a selection within the budget is sent untouched, with its token count', async () => {
  pageReturns({ text: '  The crossing closed in 1986.  \n', title: 'Ferry' });
  const context = await readActiveTabContext('selection', shippedFitter);
  expect(context).toEqual({
    source: 'selection',
    title: 'Ferry',
    text: 'The crossing closed in 1986.',
    truncated: false,
    cut: null,
    keptTokens: tokensOf('The crossing closed in 1986.'),
    totalTokens: tokensOf('The crossing closed in 1986.'),
    totalParagraphs: 1,
    keptParagraphs: 1,
  });
});

test('a long page is cut at the last paragraph break within the token budget, and the cut is counted', async () => {
  const paragraphs = Array.from(
    { length: 30 },
    (_, i) =>
      `Paragraph ${i + 1} tells part of a long story about the harbour and the boats that used it over the years.`,
  );
  const html = `<html><head><title>Long</title></head><body><nav><a href="/">Home</a></nav><article><h1>Long</h1>${paragraphs
    .map((p) => `<p>${p}</p>`)
    .join('\n')}</article></body></html>`;
  pageReturns({ html, title: 'Long' });
  const context = await readActiveTabContext('page', shippedFitter);
  const total = paragraphs.join('\n\n');
  const keptCount = paragraphsThatFit(paragraphs);
  expect(keptCount).toBeGreaterThan(0);
  expect(context.truncated).toBe(true);
  expect(context.cut).toBe('paragraph');
  expect(context.totalTokens).toBe(tokensOf(total));
  expect(context.totalParagraphs).toBe(30);
  expect(context.keptParagraphs).toBe(keptCount);
  expect(context.text).toBe(paragraphs.slice(0, keptCount).join('\n\n'));
  expect(context.keptTokens).toBe(tokensOf(context.text));
  expect(context.keptTokens).toBeLessThanOrEqual(BUDGET);
});

test('the long-article fixture (one 30,000-character paragraph) is cut at a sentence end', async () => {
  // The fixture's script writes the long paragraph at load; the live page's outerHTML holds it.
  const sentence =
    'Movable type let printers reuse the same letters for page after page, and within fifty years of its arrival presses were working in more than two hundred European towns. ';
  const html = fixture('long-article.html').replace(
    '<p id="p-long"></p>',
    `<p id="p-long">${sentence.repeat(180)}</p>`,
  );
  pageReturns({ html, title: 'Long article' });
  const context = await readActiveTabContext('page', shippedFitter);
  expect(context.truncated).toBe(true);
  expect(context.totalTokens).toBeGreaterThan(4_000);
  expect(context.keptTokens).toBe(tokensOf(context.text));
  expect(context.keptTokens).toBeLessThanOrEqual(BUDGET);
  expect(context.keptTokens).toBeGreaterThanOrEqual(BUDGET / 2);
  expect(context.text).toMatch(/[.!?]$/);
});

test('a short page is its own article; a page with nothing but furniture falls back to its whole text, and says so', () => {
  expect(mainContentOf('<html><head><title>t</title></head><body><p>Hi.</p></body></html>', 'Tiny')).toEqual({
    title: 't',
    text: 'Hi.',
    from: 'article',
  });
  const onlyBanner = '<html><body><div class="cookie-consent"><p>Only this text.</p></div></body></html>';
  expect(mainContentOf(onlyBanner, 'Banner')).toEqual({
    title: 'Banner',
    text: 'Only this text.',
    from: 'page',
  });
});

test('scripts in the page HTML never run while it is read', () => {
  const html =
    '<html><body><article><p>Safe text of a reasonable length for an article body here.</p><img src=x onerror="window.__ran = 1"><script>window.__ran = 2</script></article></body></html>';
  mainContentOf(html, 't');
  expect((window as { __ran?: number }).__ran).toBeUndefined();
});

test('a malformed result from the page is refused with a clear error', async () => {
  pageReturns({ html: 42, title: 'x' });
  await expect(readActiveTabContext('page', shippedFitter)).rejects.toBeInstanceOf(PageContextUnavailableError);
});
