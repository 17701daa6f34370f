// The platform adapters: the extension is the default; the web platform, once installed, carries
// engine requests over a MessageChannel to a worker-side EngineHost (real host, real protocol).
import 'fake-indexeddb/auto';
import { afterEach, expect, test } from 'vitest';
import { EngineClient, EngineUnavailableError } from '../../../../src/engine/client/engine-client';
import { EngineHost, type EngineConnection } from '../../../../src/engine/host/host';
import type { EngineEvent } from '../../../../src/engine/protocol/types';
import { currentPlatform, installPlatform } from '../../../../src/platform';
import { extensionPlatform } from '../../../../src/platform/extension';
import { createWebPlatform } from '../../../../src/platform/web';
import { serveWorkerConnections, type ConnectableHost } from '../../../../src/platform/web/worker-server';
import type { WorkerLike } from '../../../../src/platform/web/worker-port';
import { openAttuneDb } from '../../../../src/storage/db';

let dbCount = 0;
const freshDb = () => openAttuneDb({ name: `pwa-platform-${dbCount++}` });

/** A worker double that runs the worker side in this thread: same messages, same ports. */
function inThreadWorker(host: ConnectableHost): WorkerLike & { fail(): void } {
  const messageListeners: ((event: MessageEvent) => void)[] = [];
  const errorListeners: ((event: Event) => void)[] = [];
  serveWorkerConnections(
    { addEventListener: (_type, listener) => void messageListeners.push(listener) },
    host,
  );
  return {
    postMessage(message, transfer) {
      const event = { data: message, ports: transfer } as unknown as MessageEvent;
      queueMicrotask(() => messageListeners.forEach((listener) => listener(event)));
    },
    addEventListener: (_type, listener) => void errorListeners.push(listener),
    fail: () => errorListeners.forEach((listener) => listener(new Event('error'))),
  };
}

function realHost(db: Awaited<ReturnType<typeof freshDb>>): EngineHost {
  return new EngineHost({
    db: async () => db,
    models: {
      activeModelId: async () => null,
      read: async () => {
        throw new Error('no model in this test');
      },
      saveTrainedModel: async () => {
        throw new Error('no model in this test');
      },
    },
    backend: async () => 'cpu',
  });
}

afterEach(() => installPlatform(extensionPlatform));

test('extension pages get the extension platform without installing anything', () => {
  expect(currentPlatform().name).toBe('extension');
  expect(currentPlatform().connectEngine).toBe(extensionPlatform.connectEngine);
});

test('the web platform resolves shipped files against the app origin', () => {
  const web = createWebPlatform({
    db: freshDb,
    createEngineWorker: () => inThreadWorker(realHost({} as never)),
    baseUrl: 'http://127.0.0.1:4174/#examples',
  });
  expect(web.assetUrl('/model/config.json')).toBe('http://127.0.0.1:4174/model/config.json');
  expect(web.assetUrl('wasm/tfjs-backend-wasm.wasm')).toBe(
    'http://127.0.0.1:4174/wasm/tfjs-backend-wasm.wasm',
  );
});

test("once installed, a client on the platform's connector talks to the worker engine; the worker is started once", async () => {
  const db = await freshDb();
  let started = 0;
  const web = createWebPlatform({
    db: async () => db,
    createEngineWorker: () => {
      started++;
      return inThreadWorker(realHost(db));
    },
  });
  installPlatform(web);
  expect(currentPlatform()).toBe(web);
  const client = new EngineClient(currentPlatform().connectEngine);
  const info = await client.request('engine.info', {});
  expect(info).toEqual({ backend: null, modelId: null, mergedAdapterId: null });
  const status = await client.request('train.status', {});
  expect(status).toHaveProperty('phase');
  // A second client (another connection) shares the same worker.
  await new EngineClient(web.connectEngine).request('engine.info', {});
  expect(started).toBe(1);
  client.close();
});

test('closing a client closes its connection in the worker (and only it)', async () => {
  const db = await freshDb();
  const host = realHost(db);
  const closed: number[] = [];
  let next = 0;
  const recording: ConnectableHost = {
    connect(send: (event: EngineEvent) => void): EngineConnection {
      const id = next++;
      const connection = host.connect(send);
      return {
        receive: (message) => connection.receive(message),
        close: () => (closed.push(id), connection.close()),
      };
    },
  };
  const worker = inThreadWorker(recording);
  const web = createWebPlatform({ db: async () => db, createEngineWorker: () => worker });
  const first = new EngineClient(web.connectEngine);
  const second = new EngineClient(web.connectEngine);
  await first.request('engine.info', {});
  await second.request('engine.info', {});
  first.close();
  await expect.poll(() => closed).toEqual([0]);
  expect(await second.request('engine.info', {})).toHaveProperty('backend');
});

test('a worker that fails to start rejects at once with EngineUnavailableError', async () => {
  // The worker fails once the platform listens for its error event (it does when it connects).
  let listening!: (fail: () => void) => void;
  const failWorker = new Promise<() => void>((resolve) => (listening = resolve));
  const silent: WorkerLike = {
    postMessage() {}, // never answers, like a worker whose script did not load
    addEventListener(_type, listener) {
      listening(() => listener(new Event('error')));
    },
  };
  const web = createWebPlatform({ db: freshDb, createEngineWorker: () => silent });
  const client = new EngineClient(web.connectEngine);
  const started = Date.now();
  const request = client.request('engine.info', {});
  (await failWorker)();
  await expect(request).rejects.toBeInstanceOf(EngineUnavailableError);
  // Without the error listener it would only fail after the client's 15 s ready timeout.
  expect(Date.now() - started).toBeLessThan(2_000);
});

test('malformed messages on a connection get an error event, not a crash', async () => {
  const db = await freshDb();
  const worker = inThreadWorker(realHost(db));
  const channel = new MessageChannel();
  const events: unknown[] = [];
  channel.port1.onmessage = (event) => events.push(event.data);
  worker.postMessage({ transport: 'attune-engine-connect' }, [channel.port2]);
  await expect.poll(() => events).toEqual([{ type: 'ready' }]);
  channel.port1.postMessage({ kind: 'no.such.kind', id: 'x1', payload: {} });
  await expect.poll(() => events.length).toBe(2);
  expect(events[1]).toMatchObject({ type: 'error', id: 'x1', error: { code: 'malformed' } });
  channel.port1.close();
});
