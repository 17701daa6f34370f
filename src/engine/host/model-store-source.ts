// The engine's models from the model store (src/model-store): the active one, a model's files,
// and a trained whole model stored as a new model. The offscreen document and the PWA's worker
// run the engine on it; Node tests run it on a store over memory files and fake-indexeddb.
import { BUNDLED_MODEL_ID } from '../../model-store/bundled';
import type { ModelStore } from '../../model-store/model-store';
import type { ModelSource } from './models';

export function modelStoreSource(store: Promise<ModelStore>): ModelSource {
  return {
    activeModelId: async () => (await store).activeModelId(),
    async read(id) {
      const models = await store;
      const summary = (await models.list()).find((m) => m.id === id);
      // PEFT's base_model_name_or_path: the model's name, like the CLI's folder name.
      const peftBaseId = id === BUNDLED_MODEL_ID ? BUNDLED_MODEL_ID : (summary?.name ?? id);
      return { files: await models.readFiles(id), peftBaseId };
    },
    async saveTrainedModel({ files, name, methodLabel, trainedFrom }) {
      const saved = await (await store).saveTrained(files, { ...(name ? { name } : {}), methodLabel, trainedFrom });
      return { id: saved.id, name: saved.name };
    },
  };
}
