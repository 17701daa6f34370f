// The web platform (the installable PWA): IndexedDB directly, the engine in a dedicated Web
// Worker, shipped files next to the page.
import type { AttuneDb } from '../../storage/db';
import type { CaptureApi } from '../../capture/api';
import type { Platform } from '../types';
import { createWebCaptureApi } from './capture-api';
import { workerConnector, type WorkerLike } from './worker-port';

export interface WebPlatformOptions {
  db: () => Promise<AttuneDb>;
  /** Starts the engine worker; called once, on the first engine request. */
  createEngineWorker: () => WorkerLike;
  /** The app's origin root (default: this page's). Shipped files live at its /model/, /wasm/, /icon/. */
  baseUrl?: string;
}

export function createWebPlatform(options: WebPlatformOptions): Platform {
  let capture: CaptureApi | null = null;
  return {
    name: 'web',
    assetUrl: (path) =>
      new URL(path.startsWith('/') ? path : `/${path}`, options.baseUrl ?? globalThis.location.href).href,
    connectEngine: workerConnector(options.createEngineWorker),
    captureApi: () => (capture ??= createWebCaptureApi(options.db)),
  };
}
