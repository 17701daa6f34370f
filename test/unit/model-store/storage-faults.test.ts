// Storage running out while a model is imported: from picked files, from a URL, and when the
// model's metadata is written to IndexedDB after its files. Each time the user is told storage is
// full (ModelStorageFullError), and everything that was there before stays as it was: the model
// list, the active model, and no files of the half-imported model.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { ModelStorageFullError } from '../../../src/model-store/errors';
import type { ModelStore } from '../../../src/model-store/model-store';
import { refuseWrites, type QuotaFault } from '../storage/quota-fault';
import { makeStore } from './helpers';
import { MemoryFileStore } from './memory-file-store';
import { FIXTURES, startModelServer, type ModelServer } from './model-server';

/** The folder as the browser's folder picker hands it over. */
function pickFolder(fixture: string): File[] {
  return readdirSync(join(FIXTURES, fixture))
    .filter((name) => name !== 'golden.json')
    .map((name) => {
      const file = new File([readFileSync(join(FIXTURES, fixture, name))], name);
      Object.defineProperty(file, 'webkitRelativePath', { value: `${fixture}/${name}` });
      return file;
    });
}

/**
 * A disk that fills up during the weights: the small files are written, then a weight file's
 * stream is read part of the way before the write fails, as an OPFS writable does when the
 * quota is reached.
 */
class FillingUpStore extends MemoryFileStore {
  refused = 0;
  override async write(modelId: string, fileName: string, data: ReadableStream<Uint8Array>): Promise<number> {
    if (!this.full || !fileName.endsWith('.safetensors')) return super.write(modelId, fileName, data);
    const reader = data.getReader();
    await reader.read(); // the first chunk was written...
    await reader.cancel();
    this.refused += 1;
    throw new DOMException('The quota has been exceeded.', 'QuotaExceededError'); // ...the next one was not
  }
  full = false;
}

/** A store holding one imported model, made active: the state that must survive. */
async function storeWithActiveModel() {
  const files = new FillingUpStore();
  const setup = await makeStore({ files });
  const previous = await setup.store.importFromFiles(pickFolder('tiny-gpt2'));
  await setup.store.setActive(previous.id);
  const before = { list: await setup.store.list(), folders: [...files.models.keys()] };
  expect(before.list.map((m) => [m.id, m.active])).toEqual([[previous.id, true]]);
  return { ...setup, files, previous, before };
}

async function expectUnchanged(
  store: ModelStore,
  files: MemoryFileStore,
  before: { list: unknown; folders: string[] },
  previousId: string,
) {
  expect(await store.list()).toEqual(before.list);
  expect(await store.activeModelId()).toBe(previousId);
  expect([...files.models.keys()]).toEqual(before.folders); // no files of the failed import
}

let server: ModelServer;
let fault: QuotaFault | null = null;
beforeAll(async () => {
  server = await startModelServer();
});
afterAll(() => server.close());
afterEach(() => {
  fault?.restore();
  fault = null;
});

describe('storage full while importing a model', () => {
  test('from picked files: the copy stops with ModelStorageFullError and the previous models stay as they were', async () => {
    const { store, files, previous, before } = await storeWithActiveModel();
    files.full = true;
    const error = await store.importFromFiles(pickFolder('tiny-qwen2')).catch((e: unknown) => e);
    expect(files.refused).toBe(1);
    expect(error).toBeInstanceOf(ModelStorageFullError);
    expect((error as Error).message).toMatch(/storage ran out while saving the model; nothing was kept/);
    await expectUnchanged(store, files, before, previous.id);
  });

  test('from a URL: the download stops with ModelStorageFullError and the previous models stay as they were', async () => {
    const { store, files, previous, before } = await storeWithActiveModel();
    files.full = true;
    const error = await store.importFromUrl(server.folderUrl('tiny-llama')).catch((e: unknown) => e);
    expect(files.refused).toBe(1);
    expect(error).toBeInstanceOf(ModelStorageFullError);
    await expectUnchanged(store, files, before, previous.id);
  });

  test('when the model record itself is refused by IndexedDB: ModelStorageFullError, and the copied files are removed', async () => {
    const { store, files, previous, before } = await storeWithActiveModel();
    fault = refuseWrites(['models']);
    const error = await store.importFromFiles(pickFolder('tiny-qwen2')).catch((e: unknown) => e);
    expect(fault.refused).toBe(1);
    // The Models view translates this class; a bare StorageFullError would reach it untranslated.
    expect(error).toBeInstanceOf(ModelStorageFullError);
    await expectUnchanged(store, files, before, previous.id);

    fault.restore(); // space freed: the same import now works
    const model = await store.importFromFiles(pickFolder('tiny-qwen2'));
    expect((await store.list()).map((m) => m.id)).toEqual([previous.id, model.id]);
    expect(await store.activeModelId()).toBe(previous.id);
  });
});
