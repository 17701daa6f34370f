// Downloads over real HTTP from a node server on 127.0.0.1, with real fetch, into the store.
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import {
  ModelDownloadCancelledError,
  ModelDownloadHttpError,
  ModelDownloadNetworkError,
  ModelStorageFullError,
  TruncatedDownloadError,
} from '../../../src/model-store/errors';
import { CorruptModelFileError, UnsupportedModelError } from '../../../src/model/errors';
import { listModels } from '../../../src/storage/models-repo';
import type { DownloadProgress } from '../../../src/model-store/url-download';
import { fixtureBytes, startModelServer, type ModelServer } from './model-server';
import { fixtureFileSizes, makeStore, referenceParameterCount } from './helpers';
import { MemoryFileStore } from './memory-file-store';

let server: ModelServer;
beforeAll(async () => {
  server = await startModelServer();
});
afterAll(() => server.close());
afterEach(() => {
  server.faults.clear();
  server.requests.length = 0;
});

async function expectNothingKept(setup: Awaited<ReturnType<typeof makeStore>>) {
  expect(setup.files.models.size).toBe(0);
  expect(await listModels(setup.db)).toEqual([]);
}

describe('a successful download', () => {
  test('single-file GPT-2: every file stored byte for byte, metadata listed, progress reaches the total', async () => {
    const setup = await makeStore();
    const progress: DownloadProgress[] = [];
    const model = await setup.store.importFromUrl(server.folderUrl('tiny-gpt2'), {
      onProgress: (p) => progress.push(p),
    });

    const expectedSizes = fixtureFileSizes('tiny-gpt2');
    expect(model).toMatchObject({
      family: 'gpt2',
      modelType: 'gpt2',
      source: 'url',
      sourceUrl: server.folderUrl('tiny-gpt2'),
    });
    expect(model.files).toEqual(expectedSizes);
    expect(model.sizeBytes).toBe(Object.values(expectedSizes).reduce((a, b) => a + b, 0));
    expect(model.parameterCount).toBe(referenceParameterCount('tiny-gpt2'));
    const stored = setup.files.models.get(model.id)!;
    expect(stored.get('model.safetensors')).toEqual(
      new Uint8Array(fixtureBytes('tiny-gpt2', 'model.safetensors')),
    );

    const last = progress.at(-1)!;
    expect(last.receivedBytes).toBe(model.sizeBytes);
    expect(last.totalBytes).toBe(model.sizeBytes);
    for (let i = 1; i < progress.length; i++)
      expect(progress[i]!.receivedBytes).toBeGreaterThanOrEqual(progress[i - 1]!.receivedBytes);
    expect((await setup.store.list()).map((m) => m.id)).toEqual([model.id]);
  });

  test('sharded bf16 Llama: the index and both shards are stored and counted', async () => {
    const setup = await makeStore();
    const model = await setup.store.importFromUrl(server.folderUrl('tiny-llama-bf16-sharded'));
    expect(model.family).toBe('llama');
    expect(Object.keys(model.files).sort()).toEqual(
      Object.keys(fixtureFileSizes('tiny-llama-bf16-sharded')).sort(),
    );
    expect(model.parameterCount).toBe(referenceParameterCount('tiny-llama-bf16-sharded'));
  });
});

describe('failures keep nothing and say what happened', () => {
  test('an unsupported config.json stops before any weight is requested', async () => {
    const setup = await makeStore();
    server.faults.set('/tiny-gpt2/config.json', {
      kind: 'body',
      body: JSON.stringify({ model_type: 'bert', vocab_size: 10 }),
    });
    await expect(setup.store.importFromUrl(server.folderUrl('tiny-gpt2'))).rejects.toThrow(
      UnsupportedModelError,
    );
    expect(server.requests).not.toContain('/tiny-gpt2/model.safetensors');
    await expectNothingKept(setup);
  });

  test('a missing weights file is an HTTP 404 error naming the URL', async () => {
    const setup = await makeStore();
    server.faults.set('/tiny-gpt2/model.safetensors', { kind: 'status', status: 404 });
    const error = await setup.store.importFromUrl(server.folderUrl('tiny-gpt2')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelDownloadHttpError);
    expect((error as ModelDownloadHttpError).status).toBe(404);
    expect((error as Error).message).toContain(`${server.folderUrl('tiny-gpt2')}model.safetensors`);
    await expectNothingKept(setup);
  });

  test('a gated model (HTTP 401) says so', async () => {
    const setup = await makeStore();
    server.faults.set('/tiny-gpt2/config.json', { kind: 'status', status: 401 });
    await expect(setup.store.importFromUrl(server.folderUrl('tiny-gpt2'))).rejects.toThrow(/HTTP 401.*gated/);
  });

  test('a connection dropped mid-file is reported as truncated with the byte counts', async () => {
    const setup = await makeStore();
    const full = fixtureBytes('tiny-gpt2', 'model.safetensors').length;
    server.faults.set('/tiny-gpt2/model.safetensors', { kind: 'truncate', keepBytes: 1000 });
    const error = await setup.store.importFromUrl(server.folderUrl('tiny-gpt2')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TruncatedDownloadError);
    expect((error as TruncatedDownloadError).expectedBytes).toBe(full);
    expect((error as TruncatedDownloadError).receivedBytes).toBeLessThan(full);
    await expectNothingKept(setup);
  });

  test('after a download cut off midway, nothing is listed or left on disk, and downloading the same URL again gives exactly one model', async () => {
    const setup = await makeStore();
    const url = server.folderUrl('tiny-gpt2');
    server.faults.set('/tiny-gpt2/model.safetensors', { kind: 'truncate', keepBytes: 1000 });
    await expect(setup.store.importFromUrl(url)).rejects.toThrow(TruncatedDownloadError);
    expect(await setup.store.list()).toEqual([]);
    await expectNothingKept(setup);
    expect(await setup.store.removeOrphanFiles()).toEqual([]); // nothing for the next visit to clean up

    server.faults.clear(); // the connection is fine again
    const model = await setup.store.importFromUrl(url);
    expect((await setup.store.list()).map((m) => [m.id, m.sourceUrl])).toEqual([[model.id, url]]);
    expect([...setup.files.models.keys()]).toEqual([model.id]);
    expect(setup.files.models.get(model.id)!.get('model.safetensors')).toEqual(
      new Uint8Array(fixtureBytes('tiny-gpt2', 'model.safetensors')),
    );
  });

  test('a sharded model cut off in its last shard keeps none of the shards already written', async () => {
    const setup = await makeStore();
    const url = server.folderUrl('tiny-llama-bf16-sharded');
    server.faults.set('/tiny-llama-bf16-sharded/model-00002-of-00002.safetensors', {
      kind: 'truncate',
      keepBytes: 100,
    });
    await expect(setup.store.importFromUrl(url)).rejects.toThrow(TruncatedDownloadError);
    expect(server.requests).toContain('/tiny-llama-bf16-sharded/model-00001-of-00002.safetensors');
    await expectNothingKept(setup);

    server.faults.clear();
    const model = await setup.store.importFromUrl(url);
    expect((await setup.store.list()).map((m) => m.id)).toEqual([model.id]);
    expect([...setup.files.models.keys()]).toEqual([model.id]);
  });

  test('a web page instead of config.json is recognised', async () => {
    const setup = await makeStore();
    server.faults.set('/tiny-gpt2/config.json', { kind: 'html' });
    await expect(setup.store.importFromUrl(server.folderUrl('tiny-gpt2'))).rejects.toThrow(/web page/);
  });

  test('weights that are not safetensors are rejected after download and removed', async () => {
    const setup = await makeStore();
    server.faults.set('/tiny-gpt2/model.safetensors', { kind: 'body', body: new Uint8Array(4096).fill(7) });
    await expect(setup.store.importFromUrl(server.folderUrl('tiny-gpt2'))).rejects.toThrow(
      CorruptModelFileError,
    );
    await expectNothingKept(setup);
  });

  test('an unreachable server is a network error', async () => {
    const setup = await makeStore();
    const closed = await startModelServer();
    await closed.close();
    await expect(setup.store.importFromUrl(closed.folderUrl('tiny-gpt2'))).rejects.toThrow(
      ModelDownloadNetworkError,
    );
  });

  test('too little free storage is reported before the weights are requested', async () => {
    const setup = await makeStore({ estimate: async () => ({ usage: 990_000, quota: 1_000_000 }) });
    const error = await setup.store.importFromUrl(server.folderUrl('tiny-gpt2')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelStorageFullError);
    expect((error as ModelStorageFullError).availableBytes).toBe(10_000);
    expect((error as ModelStorageFullError).neededBytes).toBe(
      fixtureBytes('tiny-gpt2', 'model.safetensors').length,
    );
    expect(server.requests.filter((p) => p.endsWith('.safetensors'))).toEqual([
      '/tiny-gpt2/model.safetensors',
    ]);
    await expectNothingKept(setup);
  });

  test('a quota failure while writing becomes ModelStorageFullError', async () => {
    class FullStore extends MemoryFileStore {
      override async write(
        modelId: string,
        fileName: string,
        data: ReadableStream<Uint8Array>,
      ): Promise<number> {
        if (fileName.endsWith('.safetensors')) {
          await data.cancel();
          throw new DOMException('quota', 'QuotaExceededError');
        }
        return super.write(modelId, fileName, data);
      }
    }
    const setup = await makeStore({ files: new FullStore() });
    await expect(setup.store.importFromUrl(server.folderUrl('tiny-gpt2'))).rejects.toThrow(
      ModelStorageFullError,
    );
    await expectNothingKept(setup);
  });

  test('cancel stops the download and keeps nothing', async () => {
    const setup = await makeStore();
    server.faults.set('/tiny-gpt2/model.safetensors', { kind: 'slow', chunkBytes: 4096, delayMs: 30 });
    const controller = new AbortController();
    const download = setup.store.importFromUrl(server.folderUrl('tiny-gpt2'), {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.fileName === 'model.safetensors') controller.abort();
      },
    });
    await expect(download).rejects.toThrow(ModelDownloadCancelledError);
    await expectNothingKept(setup);
  });
});
