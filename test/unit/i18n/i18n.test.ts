import { expect, test } from 'vitest';
import { detectLocale, registerCatalogue, setLocale, t } from '../../../src/i18n';

registerCatalogue({ en: { hello: 'Hello {name}', onlyEn: 'English only' }, zh_CN: { hello: '你好 {name}' } });

test('picks Simplified Chinese for any zh browser language, English otherwise', () => {
  expect(detectLocale(['zh-CN', 'en'])).toBe('zh_CN');
  expect(detectLocale(['fr-FR', 'en-US'])).toBe('en');
});

test('translates with substitutions and falls back to English, then the key', () => {
  setLocale('zh_CN');
  expect(t('hello', { name: '小明' })).toBe('你好 小明');
  expect(t('onlyEn')).toBe('English only');
  expect(t('missing.key')).toBe('missing.key');
  setLocale('en');
  expect(t('hello', { name: 'Ada' })).toBe('Hello Ada');
});
