// The model store: lists, imports, removes and activates base models. Metadata lives in the
// storage engineer's `models` store and the `activeModelId` setting; file bytes live in a
// ModelFileStore (OPFS in browsers); the bundled default is read from the extension package.
import type { AttuneDb } from '../storage/db';
import { deleteModel, getModel, listModels, saveModel } from '../storage/models-repo';
import type { ModelRecord, TrainedModelOrigin } from '../storage/schema';
import { getSettings, updateSettings } from '../storage/settings-repo';
import { BUNDLED_MODEL_ID, describeBundledModel, type BundledModel, type FolderReader } from './bundled';
import { BundledModelRemovalError, StoredModelNotFoundError } from './errors';
import { whenNoImport, whileImporting } from './import-lock';
import { importModelFromFiles, type FileImportOptions, type PickedFile } from './file-import';
import type { ModelFileStore } from './file-store';
import { mapQuotaError, type EstimateStorage } from './quota';
import { readSafetensorsSummary } from './safetensors-header';
import { downloadModelFromUrl, type UrlDownloadOptions } from './url-download';
import { downloadGgufFromUrl } from './gguf-download';
import { parseGgufUrl } from './model-url';

export interface ModelSummary {
  id: string;
  name: string;
  family: string;
  modelType: string;
  parameterCount: number | null;
  /** Bytes on disk, all files together. */
  sizeBytes: number;
  source: 'bundled' | 'files' | 'url';
  sourceUrl?: string;
  files: Record<string, number>;
  createdAt: number;
  active: boolean;
  /** A model trained here from another one (full fine-tuning): its base, method and figures. */
  trainedFrom?: TrainedModelOrigin;
}

/** One stored weight by name and size in memory; the engine checks it against GPU limits. */
export interface TensorSize {
  name: string;
  bytes: number;
}

export interface ModelStoreDeps {
  db: AttuneDb;
  files: ModelFileStore;
  bundled: FolderReader;
  fetch: typeof fetch;
  estimate: EstimateStorage;
  newId?: () => string;
  now?: () => number;
}

/** "2026-12-07 12:30" (UTC): when a trained model was made, in its default name. */
const formatStamp = (now: number): string => new Date(now).toISOString().slice(0, 16).replace('T', ' ');

const sumSizes = (files: Record<string, number>): number => Object.values(files).reduce((a, b) => a + b, 0);

function summarise(record: ModelRecord, activeId: string): ModelSummary {
  return {
    id: record.id,
    name: record.name,
    family: record.family,
    modelType: typeof record.config.model_type === 'string' ? record.config.model_type : record.family,
    parameterCount: record.parameterCount,
    sizeBytes: record.sizeBytes,
    source: record.source === 'bundled' ? 'bundled' : record.sourceUrl ? 'url' : 'files',
    ...(record.sourceUrl ? { sourceUrl: record.sourceUrl } : {}),
    files: record.files,
    createdAt: record.createdAt,
    active: record.id === activeId,
    ...(record.trainedFrom ? { trainedFrom: record.trainedFrom } : {}),
  };
}

function bundledRecord(model: BundledModel): ModelRecord {
  return {
    id: BUNDLED_MODEL_ID,
    name: model.name,
    source: 'bundled',
    config: model.rawConfig,
    family: model.config.family,
    parameterCount: model.weights.parameterCount,
    files: model.files,
    sizeBytes: sumSizes(model.files),
    createdAt: 0,
  };
}

export class ModelStore {
  private bundled: Promise<BundledModel | null> | null = null;
  private readonly newId: () => string;
  private readonly now: () => number;

  constructor(private readonly deps: ModelStoreDeps) {
    this.newId = deps.newId ?? (() => crypto.randomUUID());
    this.now = deps.now ?? Date.now;
  }

  private bundledModel(): Promise<BundledModel | null> {
    // A broken package must not hide the user's own models: list without the default instead.
    this.bundled ??= describeBundledModel(this.deps.bundled).catch((error: unknown) => {
      console.warn('Attune: the bundled model is unusable', error);
      return null;
    });
    return this.bundled;
  }

  private async records(): Promise<ModelRecord[]> {
    const bundled = await this.bundledModel();
    const imported = (await listModels(this.deps.db)).filter((r) => r.id !== BUNDLED_MODEL_ID);
    return bundled ? [bundledRecord(bundled), ...imported] : imported;
  }

  /** The id chat and training use: the chosen model if it still exists, else the first one. */
  async activeModelId(): Promise<string | null> {
    const records = await this.records();
    const chosen = (await getSettings(this.deps.db)).activeModelId;
    return records.find((r) => r.id === chosen)?.id ?? records[0]?.id ?? null;
  }

  async list(): Promise<ModelSummary[]> {
    const [records, activeId] = await Promise.all([this.records(), this.activeModelId()]);
    return records.map((r) => summarise(r, activeId ?? ''));
  }

  async setActive(id: string): Promise<void> {
    await this.record(id);
    await updateSettings(this.deps.db, { activeModelId: id });
  }

  /** Removes an imported model's files and metadata (and, via storage, its adapters). */
  async remove(id: string): Promise<void> {
    if (id === BUNDLED_MODEL_ID) throw new BundledModelRemovalError();
    await this.record(id);
    // Metadata first: a crash in between leaves orphan files (cleaned up later), never a listed
    // model whose files are gone.
    await deleteModel(this.deps.db, id);
    await this.deps.files.removeModel(id);
    if ((await getSettings(this.deps.db)).activeModelId === id)
      await updateSettings(this.deps.db, { activeModelId: null });
  }

  async importFromUrl(
    url: string,
    options: UrlDownloadOptions & { name?: string } = {},
  ): Promise<ModelSummary> {
    const id = this.newId();
    return whileImporting(async () => {
      const gguf = parseGgufUrl(url);
      const model = gguf
        ? await downloadGgufFromUrl(id, gguf, this.deps, options)
        : await downloadModelFromUrl(id, url, this.deps, options);
      return this.saveImported(id, options.name || model.suggestedName, model, model.base);
    });
  }

  async importFromFiles(
    picked: readonly PickedFile[],
    options: FileImportOptions & { name?: string } = {},
  ): Promise<ModelSummary> {
    const id = this.newId();
    return whileImporting(async () => {
      const model = await importModelFromFiles(id, picked, this.deps, options);
      return this.saveImported(id, options.name || model.suggestedName, model, undefined);
    });
  }

  /**
   * Stores a model a training run produced (a Hugging Face folder's files: config.json,
   * model.safetensors, tokenizer files) as a new model, through the same path as a folder import:
   * the same checks, the storage estimate, the import lock, and nothing kept on failure (the files
   * are written under a fresh id and listed only once the record is saved; a failed write removes
   * them). `name` absent: "<base model's name> · <method label> · <date>".
   */
  async saveTrained(
    files: ReadonlyMap<string, Uint8Array>,
    options: { name?: string; methodLabel: string; trainedFrom: Omit<TrainedModelOrigin, 'baseModelName'> },
  ): Promise<ModelSummary> {
    const base = await this.record(options.trainedFrom.baseModelId);
    const trainedFrom: TrainedModelOrigin = { ...options.trainedFrom, baseModelName: base.name };
    const name = options.name || `${base.name} · ${options.methodLabel} · ${formatStamp(this.now())}`;
    const picked = [...files].map(([fileName, bytes]) => Object.assign(new Blob([bytes as Uint8Array<ArrayBuffer>]), { name: fileName }));
    const id = this.newId();
    return whileImporting(async () => {
      const model = await importModelFromFiles(id, picked, this.deps);
      return this.saveImported(id, name, model, undefined, trainedFrom);
    });
  }

  private async saveImported(
    id: string,
    name: string,
    model: {
      rawConfig: Record<string, unknown>;
      config: { family: string };
      files: Record<string, number>;
      weights: { parameterCount: number };
    },
    sourceUrl: string | undefined,
    trainedFrom?: TrainedModelOrigin,
  ): Promise<ModelSummary> {
    const record: ModelRecord = {
      id,
      name,
      source: 'imported',
      ...(sourceUrl ? { sourceUrl } : {}),
      config: model.rawConfig,
      family: model.config.family,
      parameterCount: model.weights.parameterCount,
      files: model.files,
      sizeBytes: sumSizes(model.files),
      createdAt: this.now(),
      ...(trainedFrom ? { trainedFrom } : {}),
    };
    try {
      await saveModel(this.deps.db, record);
    } catch (error) {
      await this.deps.files.removeModel(id).catch(() => undefined);
      // The storage module's StorageFullError becomes the Models view's own quota error.
      throw mapQuotaError(error);
    }
    return summarise(record, (await this.activeModelId()) ?? '');
  }

  private async record(id: string): Promise<ModelRecord> {
    const record =
      id === BUNDLED_MODEL_ID
        ? (await this.records()).find((r) => r.id === id)
        : await getModel(this.deps.db, id);
    if (!record) throw new StoredModelNotFoundError(id);
    return record;
  }

  private async readBlob(id: string, fileName: string): Promise<Blob> {
    if (id !== BUNDLED_MODEL_ID) return this.deps.files.read(id, fileName);
    const blob = await this.deps.bundled(fileName);
    if (!blob) throw new StoredModelNotFoundError(`${id}/${fileName}`);
    return blob;
  }

  /** File name -> bytes, the I/O-free input of the runtime's model loader. */
  async readFiles(id: string): Promise<Map<string, Uint8Array>> {
    const record = await this.record(id);
    const files = new Map<string, Uint8Array>();
    for (const name of Object.keys(record.files)) {
      files.set(name, new Uint8Array(await (await this.readBlob(id, name)).arrayBuffer()));
    }
    return files;
  }

  /**
   * What the engine's ModelSource needs: the files, and the id adapters record as PEFT
   * `base_model_name_or_path` (the model's name, e.g. "HuggingFaceTB/SmolLM2-135M" for a
   * Hugging Face download; "bundled" for the shipped model).
   */
  async read(id: string): Promise<{ files: Map<string, Uint8Array>; peftBaseId: string }> {
    const record = await this.record(id);
    return {
      files: await this.readFiles(id),
      peftBaseId: id === BUNDLED_MODEL_ID ? BUNDLED_MODEL_ID : record.name,
    };
  }

  /** The largest weight as the runtime will hold it (float32), for the GPU limit check. */
  async largestTensor(id: string): Promise<TensorSize | null> {
    const record = await this.record(id);
    let largest: TensorSize | null = null;
    for (const name of Object.keys(record.files).filter((n) => n.endsWith('.safetensors'))) {
      const summary = await readSafetensorsSummary(await this.readBlob(id, name), name);
      const tensor = summary.largestTensor;
      if (tensor && tensor.elements * 4 > (largest?.bytes ?? -1))
        largest = { name: tensor.name, bytes: tensor.elements * 4 };
    }
    return largest;
  }

  /** Deletes file folders no record points to (an import interrupted by closing the page). */
  async removeOrphanFiles(): Promise<string[]> {
    const removed = await whenNoImport(async () => {
      const known = new Set((await listModels(this.deps.db)).map((r) => r.id));
      const orphans = (await this.deps.files.listModelIds()).filter((id) => !known.has(id));
      for (const id of orphans) await this.deps.files.removeModel(id);
      return orphans;
    });
    return removed ?? [];
  }
}
