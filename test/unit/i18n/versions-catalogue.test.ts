// Every string of continuing/versions exists in both languages, with the same placeholders.
import { expect, test } from 'vitest';
import { versionsCatalogue } from '../../../src/i18n/versions';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

test('zh_CN translates every English versions string and keeps its placeholders', () => {
  expect(Object.keys(versionsCatalogue.zh_CN).sort()).toEqual(Object.keys(versionsCatalogue.en).sort());
  for (const [key, en] of Object.entries(versionsCatalogue.en)) {
    expect(placeholders(versionsCatalogue.zh_CN[key]!), key).toEqual(placeholders(en));
  }
});
