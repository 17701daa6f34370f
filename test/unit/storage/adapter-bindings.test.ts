import './helpers';
import { expect, test } from 'vitest';
import { bindingsOf, getAdapter, saveAdapter, setAdapterBindings } from '../../../src/storage/adapters-repo';
import type { AdapterRecord } from '../../../src/storage/schema';
import { freshDb } from './helpers';

const adapter: AdapterRecord = {
  id: 'a1',
  name: 'work notes',
  method: 'lora',
  modelId: 'm1',
  config: { r: 8 },
  weights: new Float32Array([0.5]).buffer,
  createdAt: 1,
  updatedAt: 1,
};

test('bindings are stored normalised on the record and the rest of it is untouched', async () => {
  const db = await freshDb();
  await saveAdapter(db, adapter);
  expect(bindingsOf((await getAdapter(db, 'a1'))!)).toEqual({ sites: [], tags: [] });
  expect(await setAdapterBindings(db, 'a1', { sites: ['*.Example.com', 'bücher.de'], tags: ['Work'] })).toEqual({
    sites: ['*.example.com', 'xn--bcher-kva.de'],
    tags: ['work'],
  });
  const stored = (await getAdapter(db, 'a1'))!;
  expect(stored).toMatchObject({ name: 'work notes', config: { r: 8 }, sites: ['*.example.com', 'xn--bcher-kva.de'], tags: ['work'] });
  expect(new Float32Array(stored.weights)[0]).toBe(0.5);
  // Emptied lists leave no field behind (an old record and a cleared one read the same).
  await setAdapterBindings(db, 'a1', { sites: [], tags: [] });
  const cleared = (await getAdapter(db, 'a1'))!;
  expect('sites' in cleared || 'tags' in cleared).toBe(false);
  db.close();
});

test('a bad pattern is refused with its message and nothing is written', async () => {
  const db = await freshDb();
  await saveAdapter(db, { ...adapter, sites: ['example.com'] });
  await expect(setAdapterBindings(db, 'a1', { sites: ['ok.org', 'ex*ample.com'] })).rejects.toThrow(
    'Site pattern "ex*ample.com": * may only start a host name (*.example.com) or end a path (/wiki/*).',
  );
  expect((await getAdapter(db, 'a1'))!.sites).toEqual(['example.com']);
  expect(await setAdapterBindings(db, 'gone', { sites: ['ok.org'] })).toBeUndefined();
  db.close();
});
