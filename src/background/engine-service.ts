// The background's part of the engine: create the offscreen document that hosts it, when a page
// asks (ENGINE_ENSURE_MESSAGE) or when the browser starts with a training run left unfinished.
// Engine traffic itself goes page <-> offscreen over a Port; the background relays nothing.
import { browser, type Browser } from 'wxt/browser';
import { AttuneError } from '../errors/attune-error';
import { ENGINE_ENSURE_MESSAGE, ENGINE_WATCHDOG_PORT_NAME, type EngineEnsureReply } from '../engine/protocol/types';
import { isRecord } from '../messaging/guards';
import { getAttuneDb } from '../storage/db';
import { listTrainingRuns } from '../storage/training-runs-repo';

export const OFFSCREEN_PATH = 'offscreen.html';

let creating: Promise<void> | null = null;

/**
 * Creates the offscreen engine document unless it exists (one per extension, Chrome's rule).
 * Calls share one check-and-create: with the check outside it, a call whose look-up began before
 * another call's document was created found none and created a second, which Chrome refuses (a
 * page opened while the browser resumed an interrupted run could hit that).
 */
export function ensureOffscreenEngine(): Promise<void> {
  creating ??= createUnlessPresent().finally(() => {
    creating = null;
  });
  return creating;
}

async function createUnlessPresent(): Promise<void> {
  const url = browser.runtime.getURL(`/${OFFSCREEN_PATH}`);
  const existing = await browser.runtime.getContexts({ contextTypes: ['OFFSCREEN_DOCUMENT' as Browser.runtime.ContextType], documentUrls: [url] });
  if (existing.length > 0) return;
  await browser.offscreen.createDocument({
    url: OFFSCREEN_PATH,
    // Chrome's list has no reason for GPU compute; WORKERS is the closest honest one: the
    // document exists to run long computations (WebGPU/WebAssembly) off any visible page.
    reasons: ['WORKERS' as Browser.offscreen.Reason],
    justification: 'Runs on-device model training and text generation so they continue when Attune pages close.',
  });
}

function isEnsureMessage(message: unknown): boolean {
  return isRecord(message) && message.kind === ENGINE_ENSURE_MESSAGE.kind;
}

/** True when a run was interrupted (browser closed or crashed) and should continue. */
async function hasUnfinishedRun(): Promise<boolean> {
  const runs = await listTrainingRuns(await getAttuneDb());
  return runs.some((run) => run.status === 'running');
}

/** Why the background did not start the engine (a foreign sender, or the document failed). */
class EngineStartRefusal extends AttuneError {}

export function registerEngineService(): void {
  browser.runtime.onMessage.addListener((message: unknown, sender, sendResponse: (reply: EngineEnsureReply) => void) => {
    if (!isEnsureMessage(message)) return false; // another service's message
    const origin = browser.runtime.getURL('/');
    if (sender.id !== browser.runtime.id || !sender.url?.startsWith(origin)) {
      sendResponse({ type: 'error', error: new EngineStartRefusal('error.not-allowed.engine').toInfo() });
      return false;
    }
    ensureOffscreenEngine().then(
      () => sendResponse({ type: 'result', result: { ready: true } }),
      (error: unknown) => sendResponse({ type: 'error', error: new EngineStartRefusal('error.internal', { detail: error instanceof Error ? error.message : String(error) }).toInfo() }),
    );
    return true;
  });
  // An interrupted run continues from its checkpoint without the user opening a page. The
  // onStartup listener is what makes Chrome start this worker when the browser starts; the direct
  // call covers every other start (install, reload, wake-up). ensureOffscreenEngine is idempotent.
  browser.runtime.onStartup.addListener(() => void resumeUnfinishedRun());
  void resumeUnfinishedRun();
  // The offscreen engine's watchdog Port: when it disconnects, the document is gone (closed by
  // the browser, or crashed). A run it left unfinished starts again from its checkpoint.
  browser.runtime.onConnect.addListener((port) => {
    if (port.name !== ENGINE_WATCHDOG_PORT_NAME) return;
    if (port.sender?.id !== browser.runtime.id || port.sender?.url !== browser.runtime.getURL(`/${OFFSCREEN_PATH}`)) {
      port.disconnect();
      return;
    }
    port.onMessage.addListener(() => undefined); // heartbeats: receiving them is their whole job
    port.onDisconnect.addListener(() => void resumeUnfinishedRun());
  });
}

async function resumeUnfinishedRun(): Promise<void> {
  try {
    if (await hasUnfinishedRun()) await ensureOffscreenEngine();
  } catch (error) {
    console.error('[attune] could not resume training', error);
  }
}
