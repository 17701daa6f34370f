import { browser } from 'wxt/browser';
import { recordChipDecisions } from '../src/capture/chip-decision-log';
import { createContentApi } from '../src/capture/content-api';
import { listenForCaptureRequests } from '../src/capture/content-listener';
import { startCapture } from '../src/ui/capture/controller';

// Selection chip and capture form on web pages. Thin: logic lives in src/capture/ and
// src/ui/capture/. Top frame only; the page never talks to this script (no window messages).
export default defineContentScript({
  matches: ['http://*/*', 'https://*/*'],
  runAt: 'document_idle',
  main(ctx) {
    // The record is on this isolated world's global, out of the page's reach (see the module).
    const controller = startCapture(window, createContentApi(), { onChipDecision: recordChipDecisions(globalThis) });
    const stopListening = listenForCaptureRequests(browser.runtime, controller);
    const onVisible = (): void => {
      if (document.visibilityState === 'visible') void controller.refreshSettings();
    };
    document.addEventListener('visibilitychange', onVisible);
    ctx.onInvalidated(() => {
      stopListening();
      document.removeEventListener('visibilitychange', onVisible);
      controller.destroy();
    });
  },
});
