// The extension platform: capture goes through the background (which validates again), the
// engine lives in the offscreen document, packaged files come from runtime.getURL.
import { browser } from 'wxt/browser';
import { createContentApi } from '../capture/content-api';
import { extensionConnector } from '../engine/client/engine-client';
import type { Platform } from './types';

export const extensionPlatform: Platform = {
  name: 'extension',
  assetUrl: (path) =>
    (browser.runtime.getURL as (p: string) => string)(path.startsWith('/') ? path : `/${path}`),
  connectEngine: () => extensionConnector(),
  captureApi: createContentApi,
};
