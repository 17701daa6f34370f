// Mixing stored LoRA adapters of the active model into a new stored adapter (PEFT
// add_weighted_adapter; the arithmetic is the LoRA method's own, src/tuning/methods/lora/mix.ts).
// Every part is loaded against the active model first, so an adapter for another model or of
// another method is refused with its name before anything is made; nothing is stored on failure.
import type { AttuneDb } from '../../storage/db';
import { getAdapter, saveAdapter } from '../../storage/adapters-repo';
import { LoraAdapter } from '../../tuning/methods/lora/method';
import { mixLora, type MixPart } from '../../tuning/methods/lora/mix';
import type { Adapter } from '../../tuning/types';
import { adapterContext, adapterRecordFrom, loadStoredAdapter } from './adapters';
import { AdapterModelMismatchError, AdapterNotFoundError, NotMixableError } from './errors';
import type { ModelCache } from './models';
import type { AdapterMixPayload } from '../protocol/types';

export async function mixStoredAdapters(
  models: ModelCache,
  db: AttuneDb,
  payload: AdapterMixPayload,
  now: number,
  newId: () => string,
): Promise<{ adapterId: string; name: string }> {
  const records = await Promise.all(
    payload.parts.map(async ({ adapterId }) => {
      const record = await getAdapter(db, adapterId);
      if (!record) throw new AdapterNotFoundError(adapterId);
      return record;
    }),
  );
  return models.use(async (active) => {
    const loaded: Adapter[] = [];
    try {
      const parts: MixPart[] = records.map((record, index) => {
        if (record.modelId !== active.id) throw new AdapterModelMismatchError(record.name, record.modelId);
        const adapter = loadStoredAdapter(record, active);
        loaded.push(adapter);
        if (!(adapter instanceof LoraAdapter)) throw new NotMixableError(record.name, record.method);
        return { adapter, weight: payload.parts[index]!.weight };
      });
      const context = adapterContext(active);
      const mixed = mixLora(parts, { combination: payload.combination, ...(payload.rank === undefined ? {} : { rank: payload.rank }) }, context);
      loaded.push(mixed);
      const name = payload.name.trim();
      const record = await adapterRecordFrom(mixed, { id: newId(), name, modelId: active.id, now });
      await saveAdapter(db, record);
      return { adapterId: record.id, name };
    } finally {
      loaded.forEach((adapter) => adapter.dispose());
    }
  });
}
