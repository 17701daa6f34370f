// The background creates the offscreen engine document at most once, however the requests for it
// interleave. The browser's two calls are stood in for with Chrome's rules: getContexts reports the
// documents that exist when it is called (its answer can arrive late), and a second offscreen
// document is refused.
import { afterEach, expect, test, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { ensureOffscreenEngine } from '../../../src/background/engine-service';

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function standInOffscreen(lookUpDelays: number[]): { created: string[] } {
  const documents: string[] = [];
  let lookUps = 0;
  Object.assign(fakeBrowser.runtime, {
    getContexts: async () => {
      const snapshot = documents.map((documentUrl) => ({ documentUrl }));
      await delay(lookUpDelays[lookUps++] ?? 0);
      return snapshot;
    },
  });
  Object.assign(fakeBrowser, {
    offscreen: {
      createDocument: async ({ url }: { url: string }) => {
        await delay(5);
        if (documents.length > 0) throw new Error('Only a single offscreen document may be created.');
        documents.push(url);
      },
    },
  });
  return { created: documents };
}

afterEach(() => {
  vi.restoreAllMocks();
  fakeBrowser.reset();
});

test('two requests whose look-ups overlap a creation create one document and both succeed', async () => {
  // The second look-up starts before the first document exists and answers after it was made.
  const browser = standInOffscreen([0, 30]);
  await expect(Promise.all([ensureOffscreenEngine(), ensureOffscreenEngine()])).resolves.toBeDefined();
  expect(browser.created).toEqual(['offscreen.html']);
});

test('a request after the document exists creates nothing', async () => {
  const browser = standInOffscreen([0, 0]);
  await ensureOffscreenEngine();
  await ensureOffscreenEngine();
  expect(browser.created).toEqual(['offscreen.html']);
});
