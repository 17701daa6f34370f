import { expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { captureCatalogue } from '../../../src/i18n/capture';

test('every capture string has a Simplified Chinese translation with the same placeholders', () => {
  const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
  for (const [key, english] of Object.entries(captureCatalogue.en)) {
    const chinese = captureCatalogue.zh_CN[key];
    expect(chinese, key).toBeTypeOf('string');
    expect(placeholders(chinese!), key).toEqual(placeholders(english));
  }
});

test('manifest strings exist in both locales of public/_locales', () => {
  const keys = (locale: string) =>
    Object.keys(JSON.parse(readFileSync(`public/_locales/${locale}/messages.json`, 'utf8')) as object).sort();
  expect(keys('zh_CN')).toEqual(keys('en'));
  expect(keys('en')).toEqual(expect.arrayContaining(['extName', 'extDescription', 'commandCapture']));
});
