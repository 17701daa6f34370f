import { expect, test } from 'vitest';
import { InvalidModelUrlError } from '../../../src/model-store/errors';
import { downloadProbeUrl, parseGgufUrl, parseModelUrl } from '../../../src/model-store/model-url';

test('a Hugging Face repository page becomes its resolve/main/ folder', () => {
  expect(parseModelUrl('https://huggingface.co/HuggingFaceTB/SmolLM2-135M')).toEqual({
    base: 'https://huggingface.co/HuggingFaceTB/SmolLM2-135M/resolve/main/',
    suggestedName: 'HuggingFaceTB/SmolLM2-135M',
  });
});

test('tree/ and blob/ links (HTML pages) keep their branch but use resolve/', () => {
  expect(parseModelUrl('https://huggingface.co/org/name/tree/dev').base).toBe(
    'https://huggingface.co/org/name/resolve/dev/',
  );
  expect(parseModelUrl('https://huggingface.co/org/name/blob/main/config.json').base).toBe(
    'https://huggingface.co/org/name/resolve/main/',
  );
});

test('a resolve/ base is kept, with a trailing slash added', () => {
  expect(parseModelUrl('https://huggingface.co/org/name/resolve/main').base).toBe(
    'https://huggingface.co/org/name/resolve/main/',
  );
});

test('any other server: the folder, even when a file inside it was pasted', () => {
  expect(parseModelUrl('http://127.0.0.1:8080/models/tiny/config.json?x=1')).toEqual({
    base: 'http://127.0.0.1:8080/models/tiny/',
    suggestedName: 'tiny',
  });
});

test('non-http addresses and bare hosts are refused with a helpful message', () => {
  expect(() => parseModelUrl('file:///home/me/model')).toThrow(InvalidModelUrlError);
  expect(() => parseModelUrl('not a url')).toThrow(/not a URL/);
  expect(() => parseModelUrl('https://example.org/')).toThrow(/folder/);
});

test('a .gguf address is a file to download, not a folder', () => {
  expect(parseGgufUrl('https://huggingface.co/Qwen/Qwen2.5-0.5B-Instruct-GGUF/blob/main/qwen2.5-0.5b-instruct-q8_0.gguf')).toEqual({
    url: 'https://huggingface.co/Qwen/Qwen2.5-0.5B-Instruct-GGUF/resolve/main/qwen2.5-0.5b-instruct-q8_0.gguf',
    fileName: 'qwen2.5-0.5b-instruct-q8_0.gguf',
    suggestedName: 'qwen2.5-0.5b-instruct-q8_0',
  });
  expect(parseGgufUrl('http://127.0.0.1:8080/models/My%20Model.GGUF?download=1')).toEqual({
    url: 'http://127.0.0.1:8080/models/My%20Model.GGUF',
    fileName: 'My Model.GGUF',
    suggestedName: 'My Model',
  });
  expect(parseGgufUrl('https://huggingface.co/org/name')).toBeNull();
  expect(() => parseGgufUrl('file:///home/me/x.gguf')).toThrow(InvalidModelUrlError);
});

test('the access probe is the .gguf itself, or a folder model\'s config.json', () => {
  expect(downloadProbeUrl('https://example.org/m/x.gguf')).toBe('https://example.org/m/x.gguf');
  expect(downloadProbeUrl('https://huggingface.co/org/name')).toBe('https://huggingface.co/org/name/resolve/main/config.json');
});
