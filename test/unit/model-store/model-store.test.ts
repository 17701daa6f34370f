import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { BUNDLED_MODEL_ID } from '../../../src/model-store/bundled';
import { BundledModelRemovalError, StoredModelNotFoundError } from '../../../src/model-store/errors';
import {
  CorruptModelFileError,
  MissingModelFileError,
  UnsupportedModelError,
} from '../../../src/model/errors';
import { readSafetensors } from '../../../src/model/safetensors';
import { getSettings } from '../../../src/storage/settings-repo';
import { FIXTURES } from './model-server';
import { fixtureFileSizes, makeStore, referenceParameterCount } from './helpers';

/** The fixture folder as the browser's folder picker hands it over (File + webkitRelativePath). */
function pickFolder(fixture: string, options: { omit?: string[]; folder?: string } = {}): File[] {
  return readdirSync(join(FIXTURES, fixture))
    .filter((name) => !options.omit?.includes(name))
    .map((name) => {
      const file = new File([readFileSync(join(FIXTURES, fixture, name))], name);
      Object.defineProperty(file, 'webkitRelativePath', { value: `${options.folder ?? fixture}/${name}` });
      return file;
    });
}

describe('importing from local files', () => {
  test('a picked folder is copied, named after the folder, and readable as the loader input', async () => {
    const { store } = await makeStore();
    const model = await store.importFromFiles(pickFolder('tiny-qwen2'));
    expect(model).toMatchObject({ name: 'tiny-qwen2', family: 'llama', modelType: 'qwen2', source: 'files' });
    expect(model.parameterCount).toBe(referenceParameterCount('tiny-qwen2'));
    expect(model.files).toEqual(fixtureFileSizes('tiny-qwen2')); // golden.json is not a model file
    const files = await store.readFiles(model.id);
    expect(files.get('model.safetensors')).toEqual(
      new Uint8Array(readFileSync(join(FIXTURES, 'tiny-qwen2', 'model.safetensors'))),
    );
  });

  test('copying reports progress: bytes grow to the total of the copied files, every file ends with a report', async () => {
    const { store } = await makeStore();
    const seen: { fileName: string; receivedBytes: number; totalBytes: number | null }[] = [];
    // A clock that never advances: only the forced end-of-file reports come through, one per file.
    const model = await store.importFromFiles(pickFolder('tiny-llama-bf16-sharded'), { onProgress: (p) => seen.push(p), now: () => 0 });
    const total = Object.values(model.files).reduce((a, b) => a + b, 0);
    expect(seen.map((p) => p.fileName)).toEqual(Object.keys(model.files));
    expect(seen.every((p) => p.totalBytes === total)).toBe(true);
    expect(seen.at(-1)!.receivedBytes).toBe(total);
    // Each report adds exactly that file's size.
    expect(seen.map((p, i) => p.receivedBytes - (seen[i - 1]?.receivedBytes ?? 0))).toEqual(Object.values(model.files));

    // A clock that moves on every call: chunk reports come through too, never going back.
    let clock = 0;
    const all: number[] = [];
    await store.importFromFiles(pickFolder('tiny-qwen2'), { onProgress: (p) => all.push(p.receivedBytes), now: () => (clock += 1000) });
    expect(all.length).toBeGreaterThan(Object.keys(fixtureFileSizes('tiny-qwen2')).length);
    expect([...all].sort((a, b) => a - b)).toEqual(all);
  });

  test('a missing tokenizer.json is named in the error and nothing is stored', async () => {
    const { store, files } = await makeStore();
    await expect(
      store.importFromFiles(pickFolder('tiny-gpt2', { omit: ['tokenizer.json'] })),
    ).rejects.toThrow(MissingModelFileError);
    await expect(
      store.importFromFiles(pickFolder('tiny-gpt2', { omit: ['tokenizer.json'] })),
    ).rejects.toThrow(/tokenizer\.json/);
    expect(files.models.size).toBe(0);
  });

  test('a shard listed in the index but not picked is reported', async () => {
    const { store } = await makeStore();
    const picked = pickFolder('tiny-llama-bf16-sharded', { omit: ['model-00002-of-00002.safetensors'] });
    await expect(store.importFromFiles(picked)).rejects.toThrow(/model-00002-of-00002\.safetensors/);
  });

  test('a truncated safetensors file is rejected before copying', async () => {
    const { store, files } = await makeStore();
    const picked = pickFolder('tiny-gpt2').map((file) =>
      file.name === 'model.safetensors' ? new File([file.slice(0, file.size - 10)], file.name) : file,
    );
    await expect(store.importFromFiles(picked)).rejects.toThrow(CorruptModelFileError);
    expect(files.models.size).toBe(0);
  });

  test('an unsupported architecture is refused', async () => {
    const { store } = await makeStore();
    const picked = pickFolder('tiny-gpt2').map((file) =>
      file.name === 'config.json' ? new File([JSON.stringify({ model_type: 't5' })], 'config.json') : file,
    );
    await expect(store.importFromFiles(picked)).rejects.toThrow(UnsupportedModelError);
  });
});

describe('listing, choosing and removing', () => {
  test('the bundled model is listed first and active by default', async () => {
    const { store } = await makeStore({ bundled: 'tiny-llama' });
    const [bundled] = await store.list();
    expect(bundled).toMatchObject({ id: BUNDLED_MODEL_ID, source: 'bundled', family: 'llama', active: true });
    expect(bundled!.parameterCount).toBe(referenceParameterCount('tiny-llama'));
  });

  test('set active persists in settings; removing the active model falls back to the bundled one', async () => {
    const { store, db, files } = await makeStore({ bundled: 'tiny-llama' });
    const imported = await store.importFromFiles(pickFolder('tiny-gpt2'));
    await store.setActive(imported.id);
    expect((await getSettings(db)).activeModelId).toBe(imported.id);
    expect((await store.list()).find((m) => m.active)?.id).toBe(imported.id);

    await store.remove(imported.id);
    expect(files.models.has(imported.id)).toBe(false);
    expect((await getSettings(db)).activeModelId).toBeNull();
    expect((await store.list()).map((m) => [m.id, m.active])).toEqual([[BUNDLED_MODEL_ID, true]]);
  });

  test('a package with config.json but no weights lists no default model (it could not load)', async () => {
    const { store } = await makeStore({ bundled: 'tiny-llama', hideBundled: ['model.safetensors'] });
    expect(await store.list()).toEqual([]);
  });

  test('a corrupt bundled model does not hide imported ones', async () => {
    const { store } = await makeStore({ bundled: 'tiny-llama', corruptBundled: 'model.safetensors' });
    const imported = await store.importFromFiles(pickFolder('tiny-gpt2'));
    expect((await store.list()).map((m) => m.id)).toEqual([imported.id]);
  });

  test('the bundled model cannot be removed, unknown ids are reported', async () => {
    const { store } = await makeStore({ bundled: 'tiny-llama' });
    await expect(store.remove(BUNDLED_MODEL_ID)).rejects.toThrow(BundledModelRemovalError);
    await expect(store.setActive('nope')).rejects.toThrow(StoredModelNotFoundError);
  });

  test('largestTensor reports float32 bytes of the biggest weight (for the GPU limit check)', async () => {
    const { store } = await makeStore();
    const model = await store.importFromFiles(pickFolder('tiny-llama-bf16-sharded'));
    let expected = { name: '', bytes: -1 };
    for (const name of readdirSync(join(FIXTURES, 'tiny-llama-bf16-sharded')).filter((n) =>
      n.endsWith('.safetensors'),
    )) {
      for (const [tensorName, tensor] of readSafetensors(
        readFileSync(join(FIXTURES, 'tiny-llama-bf16-sharded', name)),
        name,
      ).tensors) {
        if (tensor.data.byteLength > expected.bytes)
          expected = { name: tensorName, bytes: tensor.data.byteLength };
      }
    }
    expect(await store.largestTensor(model.id)).toEqual(expected);
  });

  test('orphan folders from an interrupted import are removed, listed models are kept', async () => {
    const { store, files } = await makeStore();
    const kept = await store.importFromFiles(pickFolder('tiny-gpt2'));
    await files.write('interrupted', 'config.json', new Blob(['{}']).stream());
    expect(await store.removeOrphanFiles()).toEqual(['interrupted']);
    expect([...files.models.keys()]).toEqual([kept.id]);
  });
});
