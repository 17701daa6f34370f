// Everything the background registers, called once from defineBackground's main.

import { browser } from 'wxt/browser';
import { getAttuneDb } from '../storage/db';
import { createHandlers } from './handlers';
import { registerMenusAndCommands } from './menus';
import type { CapturePorts } from './ports';
import { createRouter, listen } from './router';
import { createStoragePorts } from './storage-ports';
import { createTabPorts } from './tab-ports';

export function registerCaptureServices(): CapturePorts {
  const ports: CapturePorts = { ...createStoragePorts(getAttuneDb), ...createTabPorts() };
  const route = createRouter({
    handlers: createHandlers(ports),
    extensionId: () => browser.runtime.id,
    extensionOrigin: () => browser.runtime.getURL('/'),
  });
  listen(browser.runtime.onMessage, route);
  registerMenusAndCommands(ports);
  return ports;
}
