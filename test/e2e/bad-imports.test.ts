// Bad files through the extension's import dialogs, as a person would pick them: model files in
// the Models view, example files in the Examples view, PEFT zips in the Adapters view. Each is
// refused with one visible line that names the file, field or line; nothing is stored; the page
// keeps working. (The CLI's larger table is test/unit/cli/bad-inputs.test.ts.)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { zipSync, strToU8 } from 'fflate';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { writeSafetensors } from '../../src/model/safetensors';
import { extensionUrl, launchExtension, type LaunchedExtension } from '../../tools/harness/browser';

const TINY = 'test/fixtures/models/tiny-llama';

interface Picked {
  name: string;
  mimeType: string;
  buffer: Buffer;
}

const file = (name: string, content: string | Uint8Array): Picked => ({
  name,
  mimeType: 'application/octet-stream',
  buffer: Buffer.from(typeof content === 'string' ? Buffer.from(content, 'utf8') : content),
});
const tinyFile = (name: string): Picked => file(name, readFileSync(join(TINY, name)));
const tinyConfig = (): Record<string, unknown> => JSON.parse(readFileSync(join(TINY, 'config.json'), 'utf8'));
/** The tiny model with one file replaced. */
const tinyWith = (replaced: Picked): Picked[] =>
  ['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json'].map((name) =>
    name === replaced.name ? replaced : tinyFile(name),
  );

function safetensorsHeader(header: object, dataBytes: number): Uint8Array {
  const json = Buffer.from(JSON.stringify(header));
  const out = Buffer.alloc(8 + json.length + dataBytes);
  out.writeBigUInt64LE(BigInt(json.length), 0);
  json.copy(out, 8);
  return out;
}

function adapterZip(config: Record<string, unknown> | string | null): Picked {
  const weights = writeSafetensors(
    new Map([
      ['base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight', { dtype: 'F32', shape: [4, 64], data: new Float32Array(256) }],
      ['base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight', { dtype: 'F32', shape: [64, 4], data: new Float32Array(256) }],
    ]),
  );
  const entries: Record<string, Uint8Array> = { 'adapter_model.safetensors': weights };
  if (config !== null) entries['adapter_config.json'] = strToU8(typeof config === 'string' ? config : JSON.stringify(config));
  return { name: 'adapter-peft.zip', mimeType: 'application/zip', buffer: Buffer.from(zipSync(entries)) };
}
const LORA_CONFIG = {
  peft_type: 'LORA',
  task_type: 'CAUSAL_LM',
  base_model_name_or_path: 'tiny-llama',
  r: 4,
  lora_alpha: 8,
  target_modules: ['q_proj'],
};

interface Case {
  what: string;
  view: 'models' | 'adapters';
  files: Picked[];
  /** What the one-line message must name. */
  names: RegExp;
}

const CASES: Case[] = [
  { what: 'config.json that is not JSON', view: 'models', files: tinyWith(file('config.json', '{"model_type": "llama",')), names: /config\.json/ },
  {
    what: 'config.json without hidden_size',
    view: 'models',
    files: tinyWith(file('config.json', JSON.stringify({ ...tinyConfig(), hidden_size: undefined }))),
    names: /hidden_size/,
  },
  {
    what: 'config.json with a billion layers',
    view: 'models',
    files: tinyWith(file('config.json', JSON.stringify({ ...tinyConfig(), num_hidden_layers: 1e9 }))),
    names: /num_hidden_layers/,
  },
  {
    what: 'an unsupported family',
    view: 'models',
    files: tinyWith(file('config.json', JSON.stringify({ ...tinyConfig(), model_type: 'bert' }))),
    names: /bert/,
  },
  { what: 'an empty safetensors file', view: 'models', files: tinyWith(file('model.safetensors', new Uint8Array(0))), names: /model\.safetensors/ },
  {
    what: 'a safetensors header claiming a terabyte',
    view: 'models',
    files: tinyWith(file('model.safetensors', safetensorsHeader({ w: { dtype: 'F32', shape: [1 << 20, 1 << 18], data_offsets: [0, 2 ** 40] } }, 16))),
    names: /model\.safetensors/,
  },
  { what: 'tokenizer.json that is not JSON', view: 'models', files: tinyWith(file('tokenizer.json', 'not json at all')), names: /tokenizer\.json/ },
  { what: 'a PEFT zip without adapter_config.json', view: 'adapters', files: [adapterZip(null)], names: /adapter_config\.json/ },
  { what: 'a PEFT zip whose config is not JSON', view: 'adapters', files: [adapterZip('{"peft_type":')], names: /adapter_config\.json/ },
  { what: 'a PEFT zip of an unknown type', view: 'adapters', files: [adapterZip({ ...LORA_CONFIG, peft_type: 'MYSTERY' })], names: /MYSTERY/ },
  { what: 'a PEFT zip with rank 0', view: 'adapters', files: [adapterZip({ ...LORA_CONFIG, r: 0 })], names: /\br\b|rank/i },
];

let ext: LaunchedExtension;
beforeAll(async () => {
  ext = await launchExtension();
});
afterAll(async () => {
  await ext?.close();
});

/** Opens a dashboard view once its list has been read (rows counted before that would be 0). */
async function open(view: 'models' | 'adapters' | 'examples'): Promise<Page> {
  const page = await ext.context.newPage();
  await page.goto(extensionUrl(ext, `/dashboard.html#${view}`));
  const loaded = {
    models: '[data-testid="model-row"]', // the shipped model is always listed
    adapters: '[data-testid="adapters-list"], [data-testid="adapters-empty"]',
    examples: '[data-testid="examples-count"][data-total]',
  }[view];
  await page.locator(loaded).first().waitFor();
  return page;
}

function expectOneCleanLine(message: string, names: RegExp): void {
  expect(message.trim()).not.toBe('');
  expect(message.trim().split('\n')).toHaveLength(1);
  expect(message).toMatch(names);
  expect(message).not.toMatch(/\bat \S+:\d+|Aborted\(\)|undefined|\[object Object\]|NaN/);
}

test.each(CASES)('$view: $what is refused with one line naming it; nothing is stored', async ({ view, files, names }) => {
  const page = await open(view);
  const rowId = view === 'models' ? 'model-row' : 'adapter-row';
  const rowsBefore = await page.getByTestId(rowId).count();
  await page.getByTestId(view === 'models' ? 'models-import-files' : 'adapters-import-file').setInputFiles(files);
  const error = page.getByTestId(view === 'models' ? 'models-error' : 'adapters-import-error');
  await error.waitFor({ timeout: 30_000 });
  expectOneCleanLine((await error.textContent()) ?? '', names);
  expect(await page.getByTestId(rowId).count()).toBe(rowsBefore);
  // The page still works: the view reloads and lists the same.
  await page.close();
  const again = await open(view);
  expect(await again.getByTestId(rowId).count()).toBe(rowsBefore);
  await again.close();
});

const EXAMPLE_CASES: { what: string; name: string; bytes: Buffer; good: number; bad: { line: number; names: RegExp }[] }[] = [
  {
    what: 'a line without an output',
    name: 'missing.jsonl',
    bytes: Buffer.from('{"instruction":"a","output":"b"}\n{"instruction":"c"}\n'),
    good: 1,
    bad: [{ line: 2, names: /output/ }],
  },
  {
    what: 'a line whose instruction is a number',
    name: 'types.jsonl',
    bytes: Buffer.from('{"instruction":42,"output":"b"}\n{"instruction":"c","output":"d"}\n'),
    good: 1,
    bad: [{ line: 1, names: /instruction/ }],
  },
  {
    what: 'CRLF line ends and a UTF-8 BOM (accepted)',
    name: 'windows.jsonl',
    bytes: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"instruction":"a","output":"b"}\r\n{"instruction":"c","output":"d"}\r\n')]),
    good: 2,
    bad: [],
  },
];

test.each(EXAMPLE_CASES)('examples: $what is previewed line by line before anything is stored', async ({ name, bytes, good, bad }) => {
  const page = await open('examples');
  await page.getByTestId('examples-import-file').setInputFiles({ name, mimeType: 'application/x-ndjson', buffer: bytes });
  await page.getByTestId('import-preview').waitFor();
  expect(Number(await page.getByTestId('import-good-count').getAttribute('data-count'))).toBe(good);
  const issues = page.getByTestId('import-issue');
  expect(await issues.count()).toBe(bad.length);
  for (const [i, expected] of bad.entries()) {
    expect(Number(await issues.nth(i).getAttribute('data-line'))).toBe(expected.line);
    expectOneCleanLine((await issues.nth(i).textContent()) ?? '', expected.names);
  }
  await page.getByTestId('import-cancel').click();
  expect(await page.getByTestId('examples-count').getAttribute('data-total')).toBe('0');
  await page.close();
});

test.each([
  { what: 'a binary file', bytes: Buffer.from([0x00, 0x01, 0xff, 0xfe, 0x00, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a]) },
  { what: 'a UTF-16 file', bytes: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('{"instruction":"a","output":"b"}\n', 'utf16le')]) },
])('examples: $what is refused as a whole, saying it is not UTF-8 text', async ({ bytes }) => {
  const page = await open('examples');
  await page.getByTestId('examples-import-file').setInputFiles({ name: 'odd.jsonl', mimeType: 'application/x-ndjson', buffer: bytes });
  const error = page.getByTestId('toast-message');
  await error.waitFor({ timeout: 30_000 });
  expectOneCleanLine((await error.textContent()) ?? '', /odd\.jsonl/);
  expect(await error.textContent()).toMatch(/UTF-8/);
  expect(await page.getByTestId('examples-count').getAttribute('data-total')).toBe('0');
  await page.close();
});
