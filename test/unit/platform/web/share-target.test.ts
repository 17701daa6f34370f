// Share-target parameters come from other apps: they must be cleaned, capped and never trusted
// as URLs unless they are plain http(s).
import { describe, expect, test } from 'vitest';
import { MAX_SOURCE_TITLE_CHARS, MAX_SOURCE_URL_CHARS } from '../../../../src/dataset/example';
import {
  MAX_SHARED_TEXT_CHARS,
  parseShareTarget,
  safeSourceUrl,
  withoutShareParams,
} from '../../../../src/platform/web/share-target';

const query = (params: Record<string, string>) => `?${new URLSearchParams(params)}`;

describe('parseShareTarget', () => {
  test('a normal start (no share parameters, or only blank ones) is not a share', () => {
    expect(parseShareTarget('')).toBeNull();
    expect(parseShareTarget('?source=pwa#examples')).toBeNull();
    expect(parseShareTarget(query({ title: '  ', text: '\n', url: '' }))).toBeNull();
  });

  test('title, text and url fill the capture', () => {
    const shared = parseShareTarget(
      query({ title: 'Foxes', text: 'City foxes wait for green.', url: 'https://example.org/a' }),
    );
    expect(shared).toEqual({
      text: 'City foxes wait for green.',
      source: { url: 'https://example.org/a', title: 'Foxes' },
    });
  });

  test('a link at the end of the text becomes the source when no url was shared', () => {
    const shared = parseShareTarget(query({ text: 'Read this:  https://example.org/p?q=1' }));
    expect(shared).toEqual({ text: 'Read this:', source: { url: 'https://example.org/p?q=1', title: '' } });
    // An explicit url wins, and the text keeps its link.
    const both = parseShareTarget(query({ text: 'see https://a.example/', url: 'https://b.example/' }));
    expect(both?.text).toBe('see https://a.example/');
    expect(both?.source.url).toBe('https://b.example/');
  });

  test('non-http(s) URLs are dropped, in the url field and at the end of the text', () => {
    expect(parseShareTarget(query({ text: 'hi', url: 'javascript:alert(1)' }))?.source.url).toBe('');
    const shared = parseShareTarget(query({ text: 'hi data:text/html,<b>x</b>', url: 'file:///etc/passwd' }));
    expect(shared).toEqual({ text: 'hi data:text/html,<b>x</b>', source: { url: '', title: '' } });
  });

  test('control characters are removed; whitespace is cleaned as for selections', () => {
    const shared = parseShareTarget(
      query({ title: 'A\u0000 title\u0007\n  here', text: 'one\u0008\u00a0two\r\n\r\n\r\nthree' }),
    );
    expect(shared?.source.title).toBe('A title here');
    expect(shared?.text).toBe('one two\n\nthree');
  });

  test('every field is capped: text, title and url', () => {
    const longText = 'x'.repeat(MAX_SHARED_TEXT_CHARS + 5000);
    const longTitle = 't'.repeat(MAX_SOURCE_TITLE_CHARS * 3);
    const longUrl = `https://example.org/${'p'.repeat(MAX_SOURCE_URL_CHARS)}`;
    const shared = parseShareTarget(query({ text: longText, title: longTitle, url: longUrl }));
    expect(shared?.text.length).toBe(MAX_SHARED_TEXT_CHARS);
    expect(shared?.source.title.length).toBe(MAX_SOURCE_TITLE_CHARS);
    expect(shared?.source.url).toBe(''); // an overlong URL is dropped, not cut into another address
  });

  test('only the first value of a repeated parameter counts', () => {
    expect(parseShareTarget('?text=first&text=second')?.text).toBe('first');
  });

  test('a share with only a link still opens the form', () => {
    expect(parseShareTarget(query({ url: 'https://example.org/' }))).toEqual({
      text: '',
      source: { url: 'https://example.org/', title: '' },
    });
  });
});

test('safeSourceUrl normalises http(s) and refuses the rest', () => {
  expect(safeSourceUrl(' HTTPS://Example.org ')).toBe('https://example.org/');
  expect(safeSourceUrl('ftp://example.org/')).toBe('');
  expect(safeSourceUrl('not a url')).toBe('');
});

test('withoutShareParams drops only the share parameters', () => {
  expect(withoutShareParams('http://127.0.0.1:4174/?title=a&text=b&url=c&keep=1#models')).toBe(
    '/?keep=1#models',
  );
  expect(withoutShareParams('http://127.0.0.1:4174/?text=b')).toBe('/');
});
