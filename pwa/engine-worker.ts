// The PWA's engine: the same EngineHost the extension's offscreen document runs, in a dedicated
// Web Worker so training and generation never block the page. Pages connect over MessagePorts.
import { createBrowserEngineHost } from '../src/engine/host/offscreen-engine';
import { serveWorkerConnections } from '../src/platform/web/worker-server';

const host = createBrowserEngineHost();
serveWorkerConnections(self, host);
void host
  .resumeUnfinished()
  .catch((error: unknown) => console.error('[attune] could not resume training', error));
