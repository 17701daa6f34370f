import './helpers';
import { afterEach, expect, test, vi } from 'vitest';
import { openAttuneDb } from '../../../src/storage/db';
import { DEFAULT_SETTINGS, getSettings, updateSettings } from '../../../src/storage/settings-repo';
import { deleteAdapter, listAdapters, saveAdapter } from '../../../src/storage/adapters-repo';
import { deleteModel, listModels, saveModel } from '../../../src/storage/models-repo';
import {
  listTrainingRuns,
  saveTrainingRun,
  TrainingRunNotFoundError,
  updateTrainingRun,
} from '../../../src/storage/training-runs-repo';
import { InvalidTemplateError, listTemplates, saveTemplate } from '../../../src/storage/templates-repo';
import { ensurePersistentStorage, getStorageStatus } from '../../../src/storage/persistence';
import type { AdapterRecord, ModelRecord } from '../../../src/storage/schema';
import { freshDb, freshDbName } from './helpers';

test('settings start at defaults, persist across connections and reject bad values', async () => {
  const name = freshDbName();
  const db = await openAttuneDb({ name });
  expect(await getSettings(db)).toEqual(DEFAULT_SETTINGS);
  expect(await updateSettings(db, { chipEnabled: false, locale: 'zh_CN' })).toEqual({
    ...DEFAULT_SETTINGS,
    chipEnabled: false,
    locale: 'zh_CN',
  });
  await expect(updateSettings(db, { locale: 'fr' as never })).rejects.toThrow(/locale/);
  db.close();
  const reopened = await openAttuneDb({ name });
  expect(await getSettings(reopened)).toMatchObject({ chipEnabled: false, locale: 'zh_CN', backend: 'auto' });
  reopened.close();
});

test('a corrupted stored setting falls back to its default', async () => {
  const db = await freshDb();
  await db.put('settings', { key: 'chipEnabled', value: 'yes' });
  expect((await getSettings(db)).chipEnabled).toBe(true);
});

const model = (id: string): ModelRecord => ({
  id,
  name: id,
  source: 'imported',
  config: {},
  family: 'gpt2',
  parameterCount: null,
  files: { 'model.safetensors': 3 },
  sizeBytes: 3,
  createdAt: 1,
});
const adapter = (id: string, modelId: string, createdAt: number): AdapterRecord => ({
  id,
  name: id,
  method: 'lora',
  modelId,
  config: { r: 8 },
  weights: new Float32Array([0.5]).buffer,
  createdAt,
  updatedAt: createdAt,
});

test('adapters list newest first, by model; deleting a model deletes its adapters', async () => {
  const db = await freshDb();
  await saveModel(db, model('m1'));
  await saveModel(db, model('m2'));
  await saveAdapter(db, adapter('a1', 'm1', 1));
  await saveAdapter(db, adapter('a2', 'm1', 2));
  await saveAdapter(db, adapter('b1', 'm2', 3));
  expect((await listAdapters(db)).map((a) => a.id)).toEqual(['b1', 'a2', 'a1']);
  expect((await listAdapters(db, 'm1')).map((a) => a.id)).toEqual(['a2', 'a1']);
  expect(new Float32Array((await listAdapters(db, 'm2'))[0]!.weights)[0]).toBe(0.5);
  await deleteModel(db, 'm1');
  expect((await listModels(db)).map((m) => m.id)).toEqual(['m2']);
  expect((await listAdapters(db)).map((a) => a.id)).toEqual(['b1']);
  await deleteAdapter(db, 'b1');
  expect(await listAdapters(db)).toEqual([]);
});

test('training runs update in place and list newest first', async () => {
  const db = await freshDb();
  const base = { modelId: 'm', method: 'lora', status: 'running' as const, config: {}, metrics: [] };
  await saveTrainingRun(db, { ...base, id: 'r1', startedAt: 1 });
  await saveTrainingRun(db, { ...base, id: 'r2', startedAt: 2 });
  await updateTrainingRun(db, 'r1', (run) => ({ ...run, metrics: [...run.metrics, { step: 1, loss: 2.5 }] }));
  const updated = await updateTrainingRun(db, 'r1', (run) => ({ ...run, status: 'completed', finishedAt: 9 }));
  expect(updated).toMatchObject({ status: 'completed', metrics: [{ step: 1, loss: 2.5 }], finishedAt: 9 });
  expect((await listTrainingRuns(db)).map((r) => r.id)).toEqual(['r2', 'r1']);
  await expect(updateTrainingRun(db, 'nope', (r) => r)).rejects.toBeInstanceOf(TrainingRunNotFoundError);
});

test('templates need a name and an instruction; saving again keeps createdAt', async () => {
  const db = await freshDb();
  await expect(saveTemplate(db, { name: ' ', instruction: 'x' })).rejects.toBeInstanceOf(InvalidTemplateError);
  const first = await saveTemplate(db, { name: 'Summary', instruction: 'Summarise this' }, 1, 't1');
  await saveTemplate(db, { name: 'Answer', instruction: 'Answer the question' }, 2, 't2');
  const edited = await saveTemplate(db, { name: 'Summary', instruction: 'Summarise briefly' }, 3, 't1');
  expect(edited).toMatchObject({ createdAt: first.createdAt, updatedAt: 3, instruction: 'Summarise briefly' });
  expect((await listTemplates(db)).map((t) => t.name)).toEqual(['Answer', 'Summary']);
});

afterEach(() => {
  vi.unstubAllGlobals();
});

test('ensurePersistentStorage asks only when not yet persistent', async () => {
  let persisted = false;
  const persist = vi.fn(async () => (persisted = true));
  vi.stubGlobal('navigator', {
    storage: { persisted: async () => persisted, persist, estimate: async () => ({ usage: 10, quota: 100 }) },
  });
  expect(await ensurePersistentStorage()).toBe(true);
  expect(await ensurePersistentStorage()).toBe(true);
  expect(persist).toHaveBeenCalledTimes(1);
  expect(await getStorageStatus()).toEqual({ usage: 10, quota: 100, persisted: true });
});

test('without a StorageManager, status is unknown rather than an error', async () => {
  vi.stubGlobal('navigator', {});
  expect(await ensurePersistentStorage()).toBe(false);
  expect(await getStorageStatus()).toEqual({ persisted: false });
});
