import { expect, test } from 'vitest';
import { errorsEn } from '../../../src/i18n/errors';
import { errorsZhCN } from '../../../src/i18n/errors.zh_CN';

const en: Record<string, string> = errorsEn;

function placeholders(text: string): string[] {
  return [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1] ?? '').sort();
}

test('every English error has a Chinese translation and there are no extra keys', () => {
  for (const key of Object.keys(en)) {
    expect(errorsZhCN[key], key).toBeTypeOf('string');
    expect((errorsZhCN[key] ?? '').trim(), key).not.toBe('');
  }
  expect(Object.keys(errorsZhCN).filter((key) => !(key in en))).toEqual([]);
});

test('the Chinese text uses the same placeholders as the English', () => {
  for (const [key, text] of Object.entries(en)) {
    expect(placeholders(errorsZhCN[key] ?? ''), key).toEqual(placeholders(text));
  }
});

test('no Chinese text is left in English unless it is only placeholders', () => {
  for (const [key, text] of Object.entries(en)) {
    const onlyPlaceholders = text.replace(/\{\w+\}/g, '').trim() === '';
    if (!onlyPlaceholders) expect(errorsZhCN[key], key).not.toBe(text);
  }
});
