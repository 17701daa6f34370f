// The engine as the offscreen document runs it: the model store for models, the saved backend
// setting, the shared IndexedDB connection; serves Ports and continues an interrupted run.
import { createBrowserModelStore } from '../../model-store/browser-model-store';
import { BUNDLED_MODEL_ID } from '../../model-store/bundled';
import { getAttuneDb } from '../../storage/db';
import { getSettings } from '../../storage/settings-repo';
import { initBackend } from '../../backend/init';
import { EngineHost } from './host';
import type { ModelSource } from './models';
import { servePorts } from './port-server';
import { startWatchdog } from './watchdog';

function browserModelSource(): ModelSource {
  const store = getAttuneDb().then(createBrowserModelStore);
  return {
    activeModelId: async () => (await store).activeModelId(),
    async read(id) {
      const models = await store;
      const summary = (await models.list()).find((m) => m.id === id);
      // PEFT's base_model_name_or_path: the model's name, like the CLI's folder name.
      const peftBaseId = id === BUNDLED_MODEL_ID ? BUNDLED_MODEL_ID : (summary?.name ?? id);
      return { files: await models.readFiles(id), peftBaseId };
    },
  };
}

/** The engine host over the browser's stores; the PWA's engine worker serves it on MessagePorts. */
export function createBrowserEngineHost(): EngineHost {
  return new EngineHost({
    db: getAttuneDb,
    models: browserModelSource(),
    backend: async () => {
      const { backend } = await getSettings(await getAttuneDb());
      return (await initBackend({ override: backend })).name;
    },
  });
}

export function startOffscreenEngine(): EngineHost {
  const host = createBrowserEngineHost();
  servePorts(host);
  startWatchdog(host);
  void host.resumeUnfinished().catch((error: unknown) => console.error('[attune] could not resume training', error));
  return host;
}
