// Every chat string exists in both languages, with the same placeholders.
import { expect, test } from 'vitest';
import { chatCatalogue } from '../../../../src/i18n/chat';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

test('zh_CN translates every English chat string and keeps its placeholders', () => {
  expect(Object.keys(chatCatalogue.zh_CN).sort()).toEqual(Object.keys(chatCatalogue.en).sort());
  for (const [key, en] of Object.entries(chatCatalogue.en)) {
    expect(placeholders(chatCatalogue.zh_CN[key]!), key).toEqual(placeholders(en));
  }
});
