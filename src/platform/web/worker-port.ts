// The engine transport of the web app: the engine host runs in a dedicated Web Worker, and each
// EngineClient connection is one MessageChannel to it. The page end is wrapped as the PortLike the
// EngineClient already speaks (the extension uses a runtime Port), so the client is unchanged.
import type { EngineConnector, PortLike } from '../../engine/client/engine-client';

/** Page → worker, with a MessagePort transferred: "serve a new connection on this port". */
export const WORKER_CONNECT = 'attune-engine-connect';
/** Page → worker on the connection's port: the page closed the connection. */
export const WORKER_DISCONNECT = 'attune-engine-disconnect';

export interface ConnectMessage {
  transport: typeof WORKER_CONNECT;
}
export interface DisconnectMessage {
  transport: typeof WORKER_DISCONNECT;
}

/** The slice of a Worker the connector uses (a real Worker, or a test double). */
export interface WorkerLike {
  postMessage(message: ConnectMessage, transfer: Transferable[]): void;
  addEventListener(type: 'error', listener: (event: Event) => void): void;
}

function isTransport<T extends string>(message: unknown, name: T): message is { transport: T } {
  return (
    typeof message === 'object' && message !== null && (message as { transport?: unknown }).transport === name
  );
}

export const isConnectMessage = (message: unknown): message is ConnectMessage =>
  isTransport(message, WORKER_CONNECT);
export const isDisconnectMessage = (message: unknown): message is DisconnectMessage =>
  isTransport(message, WORKER_DISCONNECT);

/** Wraps the page end of a channel as a PortLike. Like a runtime Port, our own disconnect() does
 *  not fire our onDisconnect listeners; the worker failing to start does. */
function channelPort(port: MessagePort, worker: WorkerLike): PortLike {
  const messageListeners: ((message: unknown) => void)[] = [];
  const disconnectListeners: (() => void)[] = [];
  let heardFromWorker = false;
  let closed = false;
  port.onmessage = (event: MessageEvent) => {
    heardFromWorker = true;
    for (const listener of messageListeners) listener(event.data);
  };
  // An error before the first answer means the worker script failed to load or start; later
  // errors are single failed tasks that the host already reported as `error` events.
  worker.addEventListener('error', () => {
    if (heardFromWorker || closed) return;
    closed = true;
    port.close();
    for (const listener of disconnectListeners) listener();
  });
  return {
    postMessage: (message) => {
      if (!closed) port.postMessage(message);
    },
    disconnect: () => {
      if (closed) return;
      closed = true;
      port.postMessage({ transport: WORKER_DISCONNECT } satisfies DisconnectMessage);
      port.close();
    },
    onMessage: { addListener: (listener) => void messageListeners.push(listener) },
    onDisconnect: { addListener: (listener) => void disconnectListeners.push(listener) },
  };
}

/** A connector over one shared worker, created on first use (`createWorker` runs once). */
export function workerConnector(createWorker: () => WorkerLike): EngineConnector {
  let worker: WorkerLike | null = null;
  return async () => {
    worker ??= createWorker();
    const channel = new MessageChannel();
    const port = channelPort(channel.port1, worker);
    worker.postMessage({ transport: WORKER_CONNECT }, [channel.port2]);
    return port;
  };
}
