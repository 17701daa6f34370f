// Stored adapters <-> live adapters. A stored adapter is the PEFT pair as plain data:
// adapter_config.json parsed into `config`, adapter_model.safetensors bytes in `weights`, so
// export is a zip of two byte arrays and import is the same check PEFT files get everywhere.
import type { LoadedModel } from '../../model';
import type { AdapterRecord } from '../../storage/schema';
import { exportAdapter, importAdapter } from '../../tuning/peft/files';
import { ADAPTER_CONFIG_FILE, ADAPTER_WEIGHTS_FILE, peftFilesOf, type AdapterFiles } from '../../tuning/peft/layout';
import type { Adapter, AdapterContext } from '../../tuning/types';
import type { ActiveModel } from './models';

export interface NewAdapterRecord {
  id: string;
  name: string;
  modelId: string;
  metrics?: AdapterRecord['metrics'];
  now: number;
}

/** The record adapters-repo stores for a trained (or imported) adapter. */
export async function adapterRecordFrom(adapter: Adapter, meta: NewAdapterRecord): Promise<AdapterRecord> {
  return adapterRecordFromFiles(await exportAdapter(adapter), adapter.method, meta);
}

export function adapterRecordFromFiles(files: AdapterFiles, method: string, meta: NewAdapterRecord): AdapterRecord {
  const config = JSON.parse(new TextDecoder().decode(files.get(ADAPTER_CONFIG_FILE)!)) as Record<string, unknown>;
  const weights = files.get(ADAPTER_WEIGHTS_FILE)!;
  const record: AdapterRecord = {
    id: meta.id,
    name: meta.name,
    method,
    modelId: meta.modelId,
    config,
    weights: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) as ArrayBuffer,
    createdAt: meta.now,
    updatedAt: meta.now,
  };
  if (meta.metrics) record.metrics = meta.metrics;
  return record;
}

export function adapterContext(active: ActiveModel, seed = 0): AdapterContext {
  const tokenizer = active.model.tokenizer;
  return {
    model: active.model.config,
    weights: active.model.weights,
    baseModelId: active.peftBaseId,
    seed,
    encode: tokenizer ? (text) => tokenizer.encode(text, { addSpecialTokens: false }) : undefined,
  };
}

/** Loads a stored adapter for the active model (throws AdapterMismatchError when it does not fit). */
export function loadStoredAdapter(record: AdapterRecord, active: ActiveModel): Adapter {
  return importAdapter(peftFilesOf(record), adapterContext(active));
}

interface CacheEntry {
  key: string;
  adapter: Adapter;
  /** Generations using it now: a replaced entry is disposed when the last one ends. */
  users: number;
  replaced: boolean;
}

/** Keeps the last used adapter alive between generations (chat turns reuse it). */
export class AdapterCache {
  private entry: CacheEntry | null = null;

  /** The adapter for this record, held until `release` is called. */
  acquire(record: AdapterRecord, active: ActiveModel): { adapter: Adapter; release(): void } {
    const key = `${record.id}@${record.updatedAt}/${active.id}`;
    if (this.entry?.key !== key) {
      const adapter = loadStoredAdapter(record, active);
      this.dispose();
      this.entry = { key, adapter, users: 0, replaced: false };
    }
    const entry = this.entry;
    entry.users += 1;
    let released = false;
    return {
      adapter: entry.adapter,
      release: () => {
        if (released) return;
        released = true;
        entry.users -= 1;
        if (entry.replaced && entry.users === 0) entry.adapter.dispose();
      },
    };
  }

  /** Drops the cached adapter (disposed now, or when the generations using it end). */
  dispose(): void {
    const entry = this.entry;
    this.entry = null;
    if (!entry) return;
    entry.replaced = true;
    if (entry.users === 0) entry.adapter.dispose();
  }
}

export type { LoadedModel };
