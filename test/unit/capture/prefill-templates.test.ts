import { afterEach, expect, test } from 'vitest';
import { prefillFor } from '../../../src/capture/prefill';
import {
  builtInTemplates,
  isBuiltInTemplate,
  matchesUrlPattern,
  mergeTemplates,
  templateForUrl,
} from '../../../src/capture/templates';
import { captureEligibility } from '../../../src/capture/eligibility';
import { MAX_FIELD_CHARS } from '../../../src/dataset/example';
import { setLocale } from '../../../src/i18n';

afterEach(() => setLocale('en'));

test("'output' mode puts the selection in output and its longer paragraph in input", () => {
  const prefill = prefillFor('output', { text: 'fox jumps', paragraph: 'The fox jumps high.' });
  expect(prefill).toEqual({ input: 'The fox jumps high.', output: 'fox jumps', truncated: [] });
});

test("'output' mode leaves input empty when the paragraph adds nothing", () => {
  expect(prefillFor('output', { text: 'Whole paragraph.', paragraph: 'Whole paragraph.' }).input).toBe('');
});

test("'input' mode puts the selection in input and leaves output for the person to type", () => {
  expect(prefillFor('input', { text: 'Question?', paragraph: 'Question? More.' })).toEqual({
    input: 'Question?',
    output: '',
    truncated: [],
  });
});

test('an over-long selection is truncated to the cap and reported, not dropped', () => {
  const huge = 'word '.repeat(5_000) + 'end';
  const prefill = prefillFor('output', { text: huge, paragraph: huge });
  expect(prefill.output.length).toBe(MAX_FIELD_CHARS);
  expect(prefill.truncated).toEqual([{ field: 'output', originalLength: huge.length }]);
});

test('no selection gives an empty form', () => {
  expect(prefillFor('output', null)).toEqual({ input: '', output: '', truncated: [] });
});

test('built-in templates are translated and user templates follow without repeats', () => {
  const english = builtInTemplates();
  expect(english.map((template) => template.name)).toContain('Summarise');
  expect(english.every((template) => isBuiltInTemplate(template.id))).toBe(true);
  setLocale('zh_CN');
  expect(builtInTemplates()[0]!.name).toBe('总结');
  setLocale('en');
  const merged = mergeTemplates([
    { id: 'u1', name: 'Mine', instruction: 'Write it as a haiku.', urlPattern: '' },
    { id: 'u2', name: 'Copy', instruction: english[0]!.instruction, urlPattern: '' },
  ]);
  expect(merged).toHaveLength(english.length + 1);
  expect(merged.at(-1)).toEqual({ id: 'u1', name: 'Mine', instruction: 'Write it as a haiku.', urlPattern: '' });
});

test('URL patterns match a host exactly, *.host with subdomains, and an optional path prefix', () => {
  expect(matchesUrlPattern('news.example', 'https://news.example/a?b#c')).toBe(true);
  expect(matchesUrlPattern('NEWS.example', 'http://news.example/')).toBe(true);
  expect(matchesUrlPattern('news.example', 'https://www.news.example/')).toBe(false);
  expect(matchesUrlPattern('*.news.example', 'https://www.news.example/')).toBe(true);
  expect(matchesUrlPattern('*.news.example', 'https://news.example/')).toBe(true);
  expect(matchesUrlPattern('*.news.example', 'https://badnews.example/')).toBe(false);
  expect(matchesUrlPattern('github.com/issues', 'https://github.com/issues/12')).toBe(true);
  expect(matchesUrlPattern('github.com/issues', 'https://github.com/pulls')).toBe(false);
  expect(matchesUrlPattern('https://github.com', 'https://github.com/x')).toBe(true);
  expect(matchesUrlPattern('', 'https://github.com/x')).toBe(false);
  expect(matchesUrlPattern('github.com', 'not a url')).toBe(false);
});

test('templateForUrl prefers the most specific matching user template, else the first', () => {
  const templates = mergeTemplates([
    { id: 'site', name: 'Site', instruction: 'A', urlPattern: 'github.com' },
    { id: 'issues', name: 'Issues', instruction: 'B', urlPattern: 'github.com/issues' },
  ]);
  expect(templateForUrl(templates, 'https://github.com/issues/3')?.id).toBe('issues');
  expect(templateForUrl(templates, 'https://github.com/about')?.id).toBe('site');
  expect(templateForUrl(templates, 'https://elsewhere.example/')?.id).toBe('builtin:summarise');
});

test('captureEligibility allows web pages and names the reason for pages extensions cannot use', () => {
  expect(captureEligibility('https://example.org/a')).toEqual({ ok: true });
  expect(captureEligibility('http://127.0.0.1:8080/x')).toEqual({ ok: true });
  expect(captureEligibility('chrome://settings')).toEqual({ ok: false, reason: 'browser-page' });
  expect(captureEligibility('about:blank')).toEqual({ ok: false, reason: 'browser-page' });
  expect(captureEligibility('chrome-extension://abc/popup.html')).toEqual({ ok: false, reason: 'browser-page' });
  expect(captureEligibility('https://chromewebstore.google.com/detail/x')).toEqual({ ok: false, reason: 'web-store' });
  expect(captureEligibility('https://chrome.google.com/webstore/category')).toEqual({ ok: false, reason: 'web-store' });
  expect(captureEligibility('file:///home/me/a.html')).toEqual({ ok: false, reason: 'file' });
  expect(captureEligibility(undefined)).toEqual({ ok: false, reason: 'no-page' });
});
