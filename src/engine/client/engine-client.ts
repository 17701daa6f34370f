// The page side of the engine protocol. Each page's entry creates one EngineClient with its
// shell's connector (the extension's offscreen document, or the PWA's Web Worker) and passes it to
// the views; the client opens one Port on first use, matches events to requests by id, and turns
// `error` events into EngineRequestError.
//
//   const client = new EngineClient(extensionConnector);
//   const reply = await client.request('model.generate', { messages, adapterId: null },
//     { onProgress: ({ delta }) => append(delta), signal });
//
// Aborting `signal` sends `request.cancel`; the request then rejects with code 'cancelled'.
import { browser } from 'wxt/browser';
import { AttuneError, RemoteError } from '../../errors/attune-error';
import { isEngineEvent } from '../protocol/events';
import {
  ENGINE_ENSURE_MESSAGE,
  ENGINE_PORT_NAME,
  type EngineErrorInfo,
  type EngineEvent,
  type EngineKind,
  type PayloadOf,
  type ProgressOf,
  type ResultOf,
} from '../protocol/types';

/**
 * The engine refused or failed a request. It carries the engine's ErrorInfo as it came (code,
 * catalogue key, params), so the page renders it like any other error (describeError).
 */
export class EngineRequestError extends RemoteError {
  constructor(info: EngineErrorInfo) {
    super(info);
  }
}

/** The engine could not be reached (offscreen document failed to start, or it went away). */
export class EngineUnavailableError extends AttuneError {
  constructor(detail: string) {
    super('error.engine-unavailable', { detail });
  }
}

/** The slice of a runtime Port the client uses (real `browser.runtime.Port` or a test double). */
export interface PortLike {
  postMessage(message: unknown): void;
  disconnect(): void;
  onMessage: { addListener(listener: (message: unknown) => void): void };
  onDisconnect: { addListener(listener: () => void): void };
}

/** Opens a Port to a running engine. */
export type EngineConnector = () => Promise<PortLike>;

export interface RequestOptions<K extends EngineKind> {
  onProgress?: (progress: ProgressOf<K>) => void;
  signal?: AbortSignal;
}

interface Pending {
  resolve(result: unknown): void;
  reject(error: Error): void;
  onProgress?: (progress: unknown) => void;
}

const READY_TIMEOUT_MS = 15_000;

export class EngineClient {
  private port: Promise<PortLike> | null = null;
  private readonly pending = new Map<string, Pending>();
  private nextId = 1;
  private readonly prefix = Math.random().toString(36).slice(2, 8);

  constructor(private readonly connector: EngineConnector) {}

  async request<K extends EngineKind>(kind: K, payload: PayloadOf<K>, options: RequestOptions<K> = {}): Promise<ResultOf<K>> {
    const port = await this.connect();
    const id = `${this.prefix}-${this.nextId++}`;
    const result = new Promise<ResultOf<K>>((resolve, reject) => {
      this.pending.set(id, {
        resolve: resolve as (r: unknown) => void,
        reject,
        onProgress: options.onProgress as ((p: unknown) => void) | undefined,
      });
    });
    const onAbort = () => port.postMessage({ kind: 'request.cancel', id: `${id}-cancel`, payload: { requestId: id } });
    options.signal?.addEventListener('abort', onAbort, { once: true });
    port.postMessage({ kind, id, payload });
    if (options.signal?.aborted) onAbort();
    try {
      return await result;
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Closes the Port; pending requests reject. Training in the engine goes on. */
  close(): void {
    const port = this.port;
    this.port = null;
    void port?.then((p) => p.disconnect()).catch(() => undefined);
    this.failAll(new EngineUnavailableError('the connection was closed'));
  }

  private connect(): Promise<PortLike> {
    this.port ??= this.open().catch((error: unknown) => {
      this.port = null; // let the next request try again
      throw error;
    });
    return this.port;
  }

  private async open(): Promise<PortLike> {
    const port = await this.connector();
    return new Promise<PortLike>((resolve, reject) => {
      let ready = false;
      const timer = setTimeout(() => reject(new EngineUnavailableError('it did not answer in time')), READY_TIMEOUT_MS);
      port.onMessage.addListener((message) => {
        if (!isEngineEvent(message)) return; // other traffic on the Port is not ours to read
        if (message.type === 'ready') {
          ready = true;
          clearTimeout(timer);
          resolve(port);
          return;
        }
        this.dispatch(message);
      });
      port.onDisconnect.addListener(() => {
        clearTimeout(timer);
        this.port = null;
        if (!ready) reject(new EngineUnavailableError('the connection closed before it was ready'));
        this.failAll(new EngineUnavailableError('the engine closed the connection'));
      });
    });
  }

  private dispatch(event: Exclude<EngineEvent, { type: 'ready' }>): void {
    const pending = this.pending.get(event.id);
    if (!pending) return;
    if (event.type === 'progress') {
      pending.onProgress?.(event.progress);
      return;
    }
    this.pending.delete(event.id);
    if (event.type === 'result') pending.resolve(event.result);
    else pending.reject(new EngineRequestError(event.error));
  }

  private failAll(error: Error): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const pending of all) pending.reject(error);
  }
}

/**
 * The extension connector: asks the background to create the offscreen document (idempotent),
 * then opens the Port. Only the offscreen engine listens for ENGINE_PORT_NAME.
 */
export const extensionConnector: EngineConnector = async () => {
  let reply: unknown;
  try {
    reply = await browser.runtime.sendMessage(ENGINE_ENSURE_MESSAGE);
  } catch (error) {
    throw new EngineUnavailableError(`the background did not answer (${(error as Error).message})`);
  }
  const typed = reply as { type?: unknown; error?: { message?: unknown } } | undefined;
  if (!typed || typed.type !== 'result') {
    const message = typed?.type === 'error' ? typed.error?.message : undefined;
    throw new EngineUnavailableError(typeof message === 'string' ? message : 'the background could not start it');
  }
  return browser.runtime.connect({ name: ENGINE_PORT_NAME }) as unknown as PortLike;
};

