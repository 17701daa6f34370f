// @vitest-environment jsdom
// "Use this page": the main content found by Readability (boilerplate left out), fitted to the
// budget with the cut reported, through the same path the side panel takes (executeScript's
// result validated, the HTML read in the panel).
import { afterEach, expect, test, vi } from 'vitest';
import { readFileSync } from 'node:fs';
import { browser } from 'wxt/browser';
import { fitToBudget } from '../../../../src/ui/chat/fit-context';
import { mainContentOf } from '../../../../src/ui/chat/main-content';
import {
  MAX_CONTEXT_CHARS,
  PageContextUnavailableError,
  readActiveTabContext,
} from '../../../../src/ui/chat/page-context';

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

test('the side panel path: the page hands over its HTML, the panel sends the article, uncut, marked as the main content', async () => {
  pageReturns({ html: fixture('news-boilerplate.html'), title: 'Ferry | Courier' });
  const context = await readActiveTabContext('page');
  expect(ARTICLE.length).toBeLessThan(MAX_CONTEXT_CHARS);
  expect(context).toEqual({
    source: 'page',
    title: 'Town votes to reopen the old ferry crossing',
    text: ARTICLE,
    truncated: false,
    totalChars: ARTICLE.length,
    totalParagraphs: 7,
    keptParagraphs: 7,
    extracted: 'article',
  });
});

test('a long page is cut at a paragraph break within the budget, and the cut is counted', async () => {
  const paragraphs = Array.from(
    { length: 30 },
    (_, i) =>
      `Paragraph ${i + 1} tells part of a long story about the harbour and the boats that used it over the years.`,
  );
  const html = `<html><head><title>Long</title></head><body><nav><a href="/">Home</a></nav><article><h1>Long</h1>${paragraphs
    .map((p) => `<p>${p}</p>`)
    .join('\n')}</article></body></html>`;
  pageReturns({ html, title: 'Long' });
  const context = await readActiveTabContext('page');
  const total = paragraphs.join('\n\n');
  const keptCount = Math.floor((MAX_CONTEXT_CHARS + 2) / (paragraphs[0]!.length + 2)); // whole paragraphs that fit
  expect(context.truncated).toBe(true);
  expect(context.totalChars).toBe(total.length);
  expect(context.totalParagraphs).toBe(30);
  expect(context.keptParagraphs).toBe(keptCount);
  expect(context.text).toBe(paragraphs.slice(0, keptCount).join('\n\n'));
  expect(context.text.length).toBeLessThanOrEqual(MAX_CONTEXT_CHARS);
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
  const context = await readActiveTabContext('page');
  expect(context.truncated).toBe(true);
  expect(context.totalChars).toBeGreaterThan(20_000);
  expect(context.text.length).toBeLessThanOrEqual(MAX_CONTEXT_CHARS);
  expect(context.text.length).toBeGreaterThan(MAX_CONTEXT_CHARS / 2);
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
  await expect(readActiveTabContext('page')).rejects.toBeInstanceOf(PageContextUnavailableError);
});

test('fitToBudget: paragraph, then sentence, then word boundaries; never a split surrogate pair', () => {
  expect(fitToBudget('short', 10)).toEqual({
    text: 'short',
    cut: false,
    totalChars: 5,
    keptChars: 5,
    totalParagraphs: 1,
    keptParagraphs: 1,
  });
  expect(fitToBudget('One two.\n\nThree four five.', 14)).toMatchObject({
    text: 'One two.',
    cut: true,
    keptParagraphs: 1,
    totalParagraphs: 2,
  });
  expect(fitToBudget('First one here. Second one is long', 22).text).toBe('First one here.');
  expect(fitToBudget('alpha beta gamma delta', 13).text).toBe('alpha beta');
  expect(fitToBudget('汉字汉字汉字汉字', 5).text).toBe('汉字汉字汉');
  expect(fitToBudget('ab😀cd', 3).text).toBe('ab'); // the emoji's two halves stay together
});
