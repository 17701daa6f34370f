import { expect, test } from 'vitest';
import { InvalidModelUrlError } from '../../../src/model-store/errors';
import { parseModelUrl } from '../../../src/model-store/model-url';

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
