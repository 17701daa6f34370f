// The engine as the offscreen document runs it: the model store for models, the saved backend
// setting, the shared IndexedDB connection; serves Ports and continues an interrupted run.
import { createBrowserModelStore } from '../../model-store/browser-model-store';
import { getAttuneDb } from '../../storage/db';
import { getSettings } from '../../storage/settings-repo';
import { initBackend } from '../../backend/init';
import { EngineHost } from './host';
import { modelStoreSource } from './model-store-source';
import { servePorts } from './port-server';
import { startWatchdog } from './watchdog';

/** The engine host over the browser's stores; the PWA's engine worker serves it on MessagePorts. */
export function createBrowserEngineHost(): EngineHost {
  return new EngineHost({
    db: getAttuneDb,
    models: modelStoreSource(getAttuneDb().then(createBrowserModelStore)),
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
