import { expect, test } from 'vitest';
import { modelsCatalogue } from '../../../src/i18n/models';

test('every Models string has a Simplified Chinese translation with the same placeholders', () => {
  const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
  const missing = Object.keys(modelsCatalogue.en).filter((key) => !modelsCatalogue.zh_CN[key]);
  expect(missing).toEqual([]);
  for (const [key, english] of Object.entries(modelsCatalogue.en)) {
    expect([key, placeholders(modelsCatalogue.zh_CN[key] ?? '')]).toEqual([key, placeholders(english)]);
  }
});
