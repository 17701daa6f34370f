// The offscreen engine's side of the watchdog: a Port to the background, so that the background
// can bring the engine back if the browser closes the offscreen document mid-run. While a run is
// active the engine also sends a heartbeat over it; each message keeps the background's service
// worker alive (an idle one is stopped after 30 s and would then miss the disconnect).
import { browser, type Browser } from 'wxt/browser';
import type { EngineHost } from './host';
import { ENGINE_WATCHDOG_PORT_NAME, isActivePhase } from '../protocol/types';

const HEARTBEAT_MS = 20_000;

export function startWatchdog(host: EngineHost): void {
  let port: Browser.runtime.Port | null = null;
  const connect = (): Browser.runtime.Port => {
    const opened = browser.runtime.connect({ name: ENGINE_WATCHDOG_PORT_NAME });
    // The service worker was stopped or restarted: connect again at the next beat (which wakes it).
    opened.onDisconnect.addListener(() => {
      if (port === opened) port = null;
    });
    return opened;
  };
  port = connect();
  setInterval(() => {
    if (!isActivePhase(host.training.status().phase)) return;
    port ??= connect();
    port.postMessage({ type: 'alive' });
  }, HEARTBEAT_MS);
}
