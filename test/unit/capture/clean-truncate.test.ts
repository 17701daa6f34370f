import { expect, test } from 'vitest';
import { cleanText, parseTags } from '../../../src/capture/clean';
import { truncateToLimit } from '../../../src/capture/truncate';
import { MAX_FIELD_CHARS } from '../../../src/dataset/example';

test('cleanText removes invisible characters and layout whitespace but keeps paragraph breaks', () => {
  const raw = '  Hello\u00A0\u00A0world\u200B!\r\n\r\n\r\n\tSecond\u00ADline  \n  third ';
  // The soft hyphen (U+00AD) is a line-break hint, not text: "Second\u00ADline" reads "Secondline".
  expect(cleanText(raw)).toBe('Hello world!\n\nSecondline\nthird');
});

test('cleanText keeps CJK text and full-width punctuation intact', () => {
  expect(cleanText('  你好，世界。\u3000再见  ')).toBe('你好，世界。 再见');
});

test('parseTags splits on ASCII and full-width commas and drops empty entries', () => {
  expect(parseTags(' news, ,Science，科技 ,')).toEqual(['news', 'Science', '科技']);
});

test('truncateToLimit leaves short text alone and reports no truncation', () => {
  expect(truncateToLimit('abc', 5)).toEqual({ text: 'abc', truncated: false, originalLength: 3 });
});

test('truncateToLimit cuts to the default 20,000-character cap and reports the original length', () => {
  const long = 'x'.repeat(MAX_FIELD_CHARS + 123);
  const result = truncateToLimit(long);
  expect(result.text.length).toBe(MAX_FIELD_CHARS);
  expect(result.truncated).toBe(true);
  expect(result.originalLength).toBe(MAX_FIELD_CHARS + 123);
});

test('truncateToLimit never leaves half a surrogate pair at the cut', () => {
  const text = 'ab😀cd'; // the emoji occupies UTF-16 units 2 and 3
  const result = truncateToLimit(text, 3);
  expect(result.text).toBe('ab');
  expect(result.truncated).toBe(true);
  expect(() => encodeURIComponent(result.text)).not.toThrow();
});
