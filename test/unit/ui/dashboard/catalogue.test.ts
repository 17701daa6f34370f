import { expect, test } from 'vitest';
import { dashboardCatalogue } from '../../../../src/i18n/dashboard';

test('every dashboard string has a Simplified Chinese translation with the same placeholders', () => {
  const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
  const missing = Object.keys(dashboardCatalogue.en).filter((key) => !dashboardCatalogue.zh_CN[key]);
  expect(missing).toEqual([]);
  for (const [key, english] of Object.entries(dashboardCatalogue.en)) {
    expect([key, placeholders(dashboardCatalogue.zh_CN[key] ?? '')]).toEqual([key, placeholders(english)]);
  }
});
