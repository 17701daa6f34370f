// A .gguf address in the URL import: downloaded over real HTTP (a node server on 127.0.0.1) with
// real fetch, then converted as a picked .gguf is; every failure names its cause and keeps nothing.
import 'fake-indexeddb/auto';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { exportWeights, ggufToModelFiles, GgufCorruptError, GgufTensorTypeError, modelToGguf } from '../../../src/interop/gguf';
import { GgmlType } from '../../../src/interop/gguf/constants';
import { ModelDownloadCancelledError, ModelDownloadHttpError, ModelStorageFullError, TruncatedDownloadError } from '../../../src/model-store/errors';
import type { DownloadProgress } from '../../../src/model-store/url-download';
import { loadModel } from '../../../src/model/model';
import { readModelDirectory } from '../../../src/model/node-files';
import { listModels } from '../../../src/storage/models-repo';
import { useBackend } from '../model/parity-helpers';
import { makeStore } from './helpers';
import { FIXTURES } from './model-server';

/** How the test server answers one path. */
type Answer = { bytes: Uint8Array; type?: string } | { status: number } | { truncate: Uint8Array } | { stall: Uint8Array };

const answers = new Map<string, Answer>();
let server: Server;
let origin = '';
let gguf: Uint8Array<ArrayBuffer>;

function send(res: ServerResponse, answer: Answer): void {
  if ('status' in answer) return void res.writeHead(answer.status).end('error');
  if ('bytes' in answer) return void res.writeHead(200, { 'content-type': answer.type ?? 'application/octet-stream', 'content-length': answer.bytes.length }).end(answer.bytes);
  const bytes = 'truncate' in answer ? answer.truncate : answer.stall;
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': bytes.length });
  // Half the promised bytes; then the socket drops (truncate) or stays open until the client goes (stall).
  res.write(bytes.subarray(0, bytes.length >> 1), () => 'truncate' in answer && setTimeout(() => res.destroy(), 20));
}

beforeAll(async () => {
  await useBackend('cpu');
  const files = readModelDirectory(join(FIXTURES, 'tiny-qwen2'));
  const model = await loadModel(files);
  const json = (name: string) => JSON.parse(new TextDecoder().decode(files.get(name)!)) as Record<string, unknown>;
  gguf = new Uint8Array(Buffer.concat(modelToGguf({ name: 'tiny', config: model.config, tensors: await exportWeights(model, null), tokenizerJson: json('tokenizer.json'), tokenizerConfig: json('tokenizer_config.json') }, 'f16')));
  model.dispose();
  server = createServer((req, res) => {
    const answer = answers.get(new URL(req.url ?? '/', 'http://x').pathname);
    if (answer) send(res, answer);
    else res.writeHead(404).end('not found');
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(
  () =>
    new Promise<void>((done) => {
      server.closeAllConnections();
      server.close(() => done());
    }),
);

async function expectNothingKept(setup: Awaited<ReturnType<typeof makeStore>>): Promise<void> {
  expect(setup.files.models.size).toBe(0);
  expect(await listModels(setup.db)).toEqual([]);
}

/** Overwrites the u32 type of a tensor info in the header (found by its name). */
function retype(bytes: Uint8Array<ArrayBuffer>, tensor: string, type: number): Uint8Array<ArrayBuffer> {
  const copy = bytes.slice();
  const name = new TextEncoder().encode(tensor);
  const at = Buffer.from(copy).indexOf(Buffer.from(name));
  const view = new DataView(copy.buffer);
  view.setUint32(at + name.length + 4 + 8 * view.getUint32(at + name.length, true), type, true);
  return copy;
}

describe('importing a model from the address of a .gguf file', () => {
  test('the file is downloaded with progress and stored as the same files a picked .gguf becomes', async () => {
    answers.set('/models/tiny-qwen2-f16.gguf', { bytes: gguf });
    const setup = await makeStore();
    const progress: DownloadProgress[] = [];
    const summary = await setup.store.importFromUrl(`${origin}/models/tiny-qwen2-f16.gguf?download=true`, { onProgress: (p) => progress.push(p) });
    expect(summary).toMatchObject({ name: 'tiny-qwen2-f16', family: 'llama', modelType: 'qwen2', source: 'url', sourceUrl: `${origin}/models/tiny-qwen2-f16.gguf` });
    expect(progress.at(-1)).toEqual({ fileName: 'tiny-qwen2-f16.gguf', receivedBytes: gguf.length, totalBytes: gguf.length });
    const expected = await ggufToModelFiles(new Blob([gguf]), 'tiny-qwen2-f16.gguf');
    const stored = setup.files.models.get(summary.id)!;
    expect([...stored.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [name, bytes] of expected) expect(stored.get(name), name).toEqual(bytes);
    const imported = await loadModel(await setup.store.readFiles(summary.id));
    expect(imported.config.modelType).toBe('qwen2');
    imported.dispose();
  }, 60_000);

  test('an HTTP error names the address and the status', async () => {
    const setup = await makeStore();
    const error = await setup.store.importFromUrl(`${origin}/missing/model.gguf`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelDownloadHttpError);
    expect((error as Error).message).toContain(`${origin}/missing/model.gguf`);
    expect((error as Error).message).toContain('HTTP 404');
    await expectNothingKept(setup);
  });

  test('a file that is not a GGUF is named as such', async () => {
    answers.set('/fake/config.gguf', { bytes: new TextEncoder().encode('{"model_type": "llama"}') });
    const setup = await makeStore();
    const error = await setup.store.importFromUrl(`${origin}/fake/config.gguf`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GgufCorruptError);
    expect((error as Error).message).toMatch(/config\.gguf is not a readable GGUF file: .*magic/);
    await expectNothingKept(setup);
  });

  test('an unsupported tensor type names the tensor and its type', async () => {
    answers.set('/q5/tiny-q5.gguf', { bytes: retype(gguf, 'blk.0.attn_q.weight', GgmlType.Q5_0) });
    const setup = await makeStore();
    const error = await setup.store.importFromUrl(`${origin}/q5/tiny-q5.gguf`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GgufTensorTypeError);
    expect((error as Error).message).toMatch(/tiny-q5\.gguf: tensor "blk\.0\.attn_q\.weight" is stored as Q5_0/);
    await expectNothingKept(setup);
  });

  test('a download cut short is reported as truncated', async () => {
    answers.set('/cut/tiny.gguf', { truncate: gguf });
    const setup = await makeStore();
    const error = await setup.store.importFromUrl(`${origin}/cut/tiny.gguf`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TruncatedDownloadError);
    await expectNothingKept(setup);
  });

  test('cancel stops the download and keeps nothing', async () => {
    answers.set('/slow/tiny.gguf', { stall: gguf });
    const setup = await makeStore();
    const controller = new AbortController();
    const error = await setup.store
      .importFromUrl(`${origin}/slow/tiny.gguf`, { signal: controller.signal, onProgress: () => controller.abort() })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelDownloadCancelledError);
    await expectNothingKept(setup);
  });

  test('a file larger than the free storage is refused before its body is read', async () => {
    answers.set('/big/tiny.gguf', { bytes: gguf });
    const setup = await makeStore({ estimate: async () => ({ usage: 990_000, quota: 1_000_000 }) });
    const progress: DownloadProgress[] = [];
    const error = await setup.store.importFromUrl(`${origin}/big/tiny.gguf`, { onProgress: (p) => progress.push(p) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelStorageFullError);
    expect((error as ModelStorageFullError).neededBytes).toBe(gguf.length);
    expect(progress).toEqual([]);
    await expectNothingKept(setup);
  });
});
