// Binds the engine host to runtime Ports in the offscreen document: each page that connects with
// ENGINE_PORT_NAME gets its own connection. Only this extension's own pages are accepted
// (the manifest has no externally_connectable, and the sender is checked again here).
import { browser, type Browser } from 'wxt/browser';
import type { EngineHost } from './host';
import { ENGINE_PORT_NAME } from '../protocol/types';

export function servePorts(host: EngineHost): void {
  browser.runtime.onConnect.addListener((port: Browser.runtime.Port) => {
    if (port.name !== ENGINE_PORT_NAME) return;
    const origin = browser.runtime.getURL('/');
    if (port.sender?.id !== browser.runtime.id || !port.sender?.url?.startsWith(origin)) {
      port.disconnect();
      return;
    }
    const connection = host.connect((event) => {
      try {
        port.postMessage(event);
      } catch {
        // The page closed between the check and the send: nothing to deliver.
      }
    });
    port.onMessage.addListener((message: unknown) => connection.receive(message));
    port.onDisconnect.addListener(() => connection.close());
    port.postMessage({ type: 'ready' });
  });
}
