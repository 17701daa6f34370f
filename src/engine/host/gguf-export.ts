// model.export: a stored model, with a stored adapter merged in or not, or a LoRA adapter
// alone, as a GGUF file (src/interop/gguf). The tokenizer files are read from the model store
// again because the loaded model keeps only the built tokenizer, not its JSON.
import { exportWeights, loraAdapterToGguf, modelToGguf, peftOnHost, concatParts } from '../../interop/gguf';
import { getAdapter } from '../../storage/adapters-repo';
import type { AttuneDb } from '../../storage/db';
import type { Adapter } from '../../tuning/types';
import { bytesToBase64 } from '../protocol/base64';
import type { ExportGgufPayload, ExportGgufProgress, ResultOf } from '../protocol/types';
import { loadStoredAdapter } from './adapters';
import { AdapterModelMismatchError, AdapterNotFoundError } from './errors';
import type { ModelCache, ModelSource } from './models';

function jsonOf(files: Awaited<ReturnType<ModelSource['read']>>['files'], name: string): Record<string, unknown> {
  const raw = files instanceof Map ? files.get(name) : (files as Record<string, Uint8Array | ArrayBuffer>)[name];
  return raw ? (JSON.parse(new TextDecoder().decode(raw)) as Record<string, unknown>) : {};
}

/** A file name that is safe on every system: letters, digits, dot, dash, underscore. */
function safeName(name: string): string {
  return name.replace(/[^\p{L}\p{N}._-]+/gu, '-').replace(/^-+|-+$/g, '').slice(0, 80) || 'model';
}

export async function exportGgufFile(
  models: ModelCache,
  source: ModelSource,
  db: AttuneDb,
  payload: ExportGgufPayload,
  progress: (p: ExportGgufProgress) => void,
): Promise<ResultOf<'model.export'>> {
  progress({ phase: 'loading' });
  const record = payload.adapterId ? await getAdapter(db, payload.adapterId) : null;
  if (payload.adapterId && !record) throw new AdapterNotFoundError(payload.adapterId);
  if (record && record.modelId !== payload.modelId) throw new AdapterModelMismatchError(record.name, record.modelId);
  return models.use(async (active) => {
    let adapter: Adapter | null = null;
    try {
      adapter = record ? loadStoredAdapter(record, active) : null;
      progress({ phase: 'converting' });
      let parts: Uint8Array[];
      let fileName: string;
      if (payload.adapterOnly) {
        parts = loraAdapterToGguf(await peftOnHost(adapter!), active.model.config, record!.name, payload.type);
        fileName = `${safeName(record!.name)}-lora-${payload.type}.gguf`;
      } else {
        const { files, peftBaseId } = await source.read(active.id);
        const name = record ? `${peftBaseId}+${record.name}` : peftBaseId;
        parts = modelToGguf(
          {
            name,
            config: active.model.config,
            tensors: await exportWeights(active.model, adapter),
            tokenizerJson: jsonOf(files, 'tokenizer.json'),
            tokenizerConfig: jsonOf(files, 'tokenizer_config.json'),
          },
          payload.type,
        );
        fileName = `${safeName(name)}-${payload.type}.gguf`;
      }
      progress({ phase: 'sending' });
      return { fileName, bytesBase64: bytesToBase64(concatParts(parts)) };
    } finally {
      adapter?.dispose();
    }
  }, payload.modelId);
}
