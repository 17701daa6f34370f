// Errors render from their catalogue key in the reader's language, whether the page holds the
// error itself or its data from the engine or the background.
import { afterEach, expect, test } from 'vitest';
import { setLocale } from '../../../src/i18n';
import { errorsEn } from '../../../src/i18n/errors';
import { ModelTooLargeForGpuError } from '../../../src/backend/errors';
import { AttuneError, codeOfKey, type ErrorKey } from '../../../src/errors/attune-error';
import { toErrorInfo, AdapterModelMismatchError, CheckpointNotSavedError, NoExamplesError } from '../../../src/engine/host/errors';
import {
  HostPermissionDeniedError,
  InvalidModelUrlError,
  ModelDownloadHttpError,
  ModelDownloadNetworkError,
  ModelStorageFullError,
  TruncatedDownloadError,
} from '../../../src/model-store/errors';
import { CorruptModelFileError, GenerationAbortedError, MissingModelFileError, UnsupportedModelError } from '../../../src/model/errors';
import { StorageBlockedError, StorageFullError } from '../../../src/storage/errors';
import { AdapterFormatError, AdapterMismatchError, TrainingDataError, UnknownMethodError } from '../../../src/tuning/errors';
import { describeError, errorInfoOf } from '../../../src/ui/describe-error';

afterEach(() => setLocale('en'));

const samples = (): AttuneError[] => [
  new ModelDownloadHttpError('https://h.test/x', 500),
  new ModelDownloadHttpError('https://h.test/m/config.json', 404),
  new ModelDownloadNetworkError('https://h.test/x', new TypeError('Failed to fetch')),
  new TruncatedDownloadError('a.safetensors', 1024, 4096),
  new ModelStorageFullError(2 * 1024 ** 3, 1024 ** 3),
  new ModelStorageFullError(null, null),
  new HostPermissionDeniedError('https://h.test'),
  new InvalidModelUrlError('ftp://x', 'only http(s)'),
  new MissingModelFileError('config.json'),
  new CorruptModelFileError('config.json', 'not JSON'),
  new UnsupportedModelError('model_type "t5"'),
  new ModelTooLargeForGpuError('lm_head.weight', 3 * 1024 ** 3, 'maxBufferSize', 1024 ** 3),
  new StorageFullError(),
  new StorageBlockedError(),
  new NoExamplesError('work'),
  new NoExamplesError(null),
  new CheckpointNotSavedError(12, 10),
  new CheckpointNotSavedError(3, null),
  new AdapterModelMismatchError('notes', 'gpt2'),
];

test('in English the rendering is the error message itself', () => {
  for (const error of samples()) expect(describeError(error)).toBe(error.message);
});

test('in Chinese every error is rendered in Chinese with its values filled in', () => {
  setLocale('zh_CN');
  const texts = samples().map(describeError);
  for (const text of texts) {
    expect(text).not.toMatch(/\{\w+\}/);
    expect(text).toMatch(/[\u4e00-\u9fff]/);
  }
  expect(texts[1]).toContain('https://h.test/m/config.json');
  expect(texts[1]).toContain('404');
  expect(texts[3]).toContain('1.0 KiB');
  expect(texts[4]).toContain('2.00 GiB');
  expect(texts[11]).toContain('lm_head.weight');
  expect(texts[14]).toContain('work');
  expect(new Set(texts).size).toBe(texts.length); // each sample has its own wording
});

test('error data from another context renders the same as the error itself', () => {
  setLocale('zh_CN');
  for (const error of samples()) {
    const crossed = JSON.parse(JSON.stringify(toErrorInfo(error))) as unknown;
    expect(describeError(crossed)).toBe(describeError(error));
    expect(errorInfoOf(crossed).code).toBe(error.code);
  }
});

test('distinct failures keep distinct codes across the engine Port', () => {
  const codes = [
    new AdapterFormatError('bad header'),
    new AdapterMismatchError('other vocabulary'),
    new UnknownMethodError('magic', ['lora']),
    new TrainingDataError('no rows'),
    new MissingModelFileError('config.json'),
    new CorruptModelFileError('config.json', 'x'),
    new UnsupportedModelError('t5'),
    new NoExamplesError(null),
    new StorageFullError(),
  ].map((error) => toErrorInfo(error).code);
  expect(codes).toEqual([
    'adapter-format',
    'adapter-mismatch',
    'unknown-method',
    'training-data',
    'model-file-missing',
    'model-file-corrupt',
    'model-unsupported',
    'no-examples',
    'storage-full',
  ]);
  expect(toErrorInfo(new GenerationAbortedError()).code).toBe('cancelled');
  expect(toErrorInfo(new Error('boom'))).toMatchObject({ code: 'internal', message: 'boom' });
});

test('every key renders, and its code is the segment after "error."', () => {
  for (const key of Object.keys(errorsEn) as ErrorKey[]) {
    expect(key).toMatch(/^error\.[a-z-]+(\.[a-z-]+)?$/);
    expect(codeOfKey(key)).toBe(key.split('.')[1]);
  }
});

test('unknown errors fall back to their message in any language', () => {
  setLocale('zh_CN');
  expect(describeError(new Error('something odd'))).toBe('something odd');
  expect(describeError('plain string')).toBe('plain string');
  expect(describeError({ code: 'from-a-newer-version', message: 'Newer text', key: 'error.not-in-this-catalogue' })).toBe('Newer text');
});
