// The worker end of worker-port.ts: every connect message carries a MessagePort, which becomes
// one engine connection (the same `EngineHost.connect` the offscreen document's Ports use).
import type { EngineConnection } from '../../engine/host/host';
import type { EngineEvent } from '../../engine/protocol/types';
import { isConnectMessage, isDisconnectMessage } from './worker-port';

export interface ConnectableHost {
  connect(send: (event: EngineEvent) => void): EngineConnection;
}

/** The slice of a worker's global scope used here. */
export interface WorkerScopeLike {
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
}

export function serveWorkerConnections(scope: WorkerScopeLike, host: ConnectableHost): void {
  scope.addEventListener('message', (event: MessageEvent) => {
    const port = event.ports[0];
    if (!isConnectMessage(event.data) || !port) return; // nothing else is sent to the worker
    const connection = host.connect((engineEvent) => port.postMessage(engineEvent));
    port.onmessage = (message: MessageEvent) => {
      if (isDisconnectMessage(message.data)) {
        connection.close();
        port.close();
        return;
      }
      connection.receive(message.data); // validated by the host
    };
    port.postMessage({ type: 'ready' } satisfies EngineEvent);
  });
}
