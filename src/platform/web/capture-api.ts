// The web app's CaptureApi: no background to message, so the capture form's saves go straight
// to IndexedDB through the same storage ports and the same validating handlers the extension's
// background uses (src/background/handlers.ts): one set of checks for both shells.
import { createHandlers } from '../../background/handlers';
import { HandlerRefusal, type SenderInfo } from '../../background/router';
import { createStoragePorts } from '../../background/storage-ports';
import type { AttuneDb } from '../../storage/db';
import type { CaptureApi, SaveOutcome } from '../../capture/api';

/** The PWA's own page is the sender: like an extension page, not a content script. */
const APP_PAGE: SenderInfo = { fromContentScript: false };

function reasonOf(error: unknown): string {
  if (error instanceof HandlerRefusal && error.problems?.length) {
    return error.problems.map((problem) => problem.message).join(' ');
  }
  return error instanceof Error ? error.message : String(error);
}

export function createWebCaptureApi(getDb: () => Promise<AttuneDb>): CaptureApi {
  const storage = createStoragePorts(getDb);
  const handlers = createHandlers({
    ...storage,
    // Tabs do not exist in the web app: the form opens in the app page itself (pwa/capture.tsx).
    openCaptureForm: async () => false,
    openDashboard: async () => undefined,
  });
  return {
    async save(payload): Promise<SaveOutcome> {
      try {
        const result = await handlers['example.save'](payload, APP_PAGE);
        if (result.status === 'duplicate') return { kind: 'duplicate' };
        const count = await storage.countExamples().catch(() => undefined);
        return count === undefined ? { kind: 'saved' } : { kind: 'saved', count };
      } catch (error) {
        return { kind: 'failed', reason: reasonOf(error) };
      }
    },
    listUserTemplates: () => storage.listTemplates(),
    saveTemplate: async (name, instruction, urlPattern) =>
      (await handlers['templates.save']({ name, instruction, urlPattern }, APP_PAGE)).template,
    settings: () => storage.readCaptureSettings(),
  };
}
