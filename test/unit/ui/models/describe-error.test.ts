import { afterEach, expect, test } from 'vitest';
import '../../../../src/i18n/models';
import { setLocale } from '../../../../src/i18n';
import { modelsCatalogue } from '../../../../src/i18n/models';
import { ModelTooLargeForGpuError } from '../../../../src/backend/errors';
import {
  HostPermissionDeniedError,
  InvalidModelUrlError,
  ModelDownloadHttpError,
  ModelDownloadNetworkError,
  ModelStorageFullError,
  TruncatedDownloadError,
} from '../../../../src/model-store/errors';
import {
  CorruptModelFileError,
  MissingModelFileError,
  UnsupportedModelError,
} from '../../../../src/model/errors';
import { describeError } from '../../../../src/ui/models/describe-error';

afterEach(() => setLocale('en'));

test('in English the error class message is shown unchanged', () => {
  const error = new ModelDownloadHttpError('https://h.test/m/config.json', 404);
  expect(describeError(error)).toBe(error.message);
});

test('in Chinese the message is rebuilt from the error fields', () => {
  setLocale('zh_CN');
  const http = describeError(new ModelDownloadHttpError('https://h.test/m/config.json', 404));
  expect(http).toContain('https://h.test/m/config.json');
  expect(http).toContain('HTTP 404');
  expect(http).toMatch(/[\u4e00-\u9fff]/);
  expect(describeError(new TruncatedDownloadError('model.safetensors', 1024, 4096))).toContain('1.0 KiB');
  expect(describeError(new ModelStorageFullError(2 * 1024 ** 3, 1024 ** 3))).toContain('2.00 GiB');
  expect(describeError(new MissingModelFileError('tokenizer.json'))).toContain('tokenizer.json');
  expect(
    describeError(new ModelTooLargeForGpuError('lm_head.weight', 3 * 1024 ** 3, 'maxBufferSize', 1024 ** 3)),
  ).toContain('lm_head.weight');
});

test('every Chinese error message is fully filled in (no {placeholder} left) and in Chinese', () => {
  setLocale('zh_CN');
  const samples = [
    new ModelDownloadHttpError('https://h.test/x', 500),
    new ModelDownloadNetworkError('https://h.test/x', new TypeError('Failed to fetch')),
    new TruncatedDownloadError('a.safetensors', 1, 2),
    new ModelStorageFullError(2, 1),
    new ModelStorageFullError(null, null),
    new HostPermissionDeniedError('https://h.test'),
    new InvalidModelUrlError('ftp://x', 'only http(s)'),
    new MissingModelFileError('config.json'),
    new CorruptModelFileError('config.json', 'not JSON'),
    new UnsupportedModelError('model_type "t5"'),
    new ModelTooLargeForGpuError('w', 2, 'maxBufferSize', 1),
  ];
  const texts = samples.map(describeError);
  for (const text of texts) {
    expect(text).not.toMatch(/\{\w+\}/);
    expect(text).toMatch(/[\u4e00-\u9fff]/);
  }
  const keys = Object.keys(modelsCatalogue.zh_CN).filter((key) => key.startsWith('models.err.'));
  expect(new Set(texts).size).toBe(keys.length); // each sample used a different key, none unused
});

test('unknown errors fall back to their message in any language', () => {
  setLocale('zh_CN');
  expect(describeError(new Error('something odd'))).toBe('something odd');
  expect(describeError('plain string')).toBe('plain string');
});
