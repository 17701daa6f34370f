// The installable web app end to end in real Chromium: build pwa-dist, serve it on 127.0.0.1,
// wait for the service worker to precache the app and the default model, then go offline (the
// server is stopped as well as the context set offline) and reload: the app still starts and the
// model files come from the cache. Then a Web Share Target URL opens the capture form prefilled,
// and saving stores the example in the app's IndexedDB.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { PreviewServer } from 'vite';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { CHROMIUM, QUIET_BROWSER_FLAGS } from '../../tools/harness/browser';
import { CaptureUi } from '../../tools/harness/capture-ui';
import { buildPwa, PWA_DIST as DIST, servePwa } from './support/pwa-server';

const MODEL_FILES = [
  'config.json',
  'model.safetensors',
  'tokenizer.json',
  'tokenizer_config.json',
  'generation_config.json',
];

let server: PreviewServer | null = null;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let origin: string;

beforeAll(async () => {
  buildPwa();
  ({ server, origin } = await servePwa());
  expect(origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: QUIET_BROWSER_FLAGS,
  });
  context = await browser.newContext();
  page = await context.newPage();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** Resolves with the precache list sw.js was built with (what install must have stored). */
function builtPrecache(): { version: string; files: string[] } {
  const firstLine = readFileSync(join(DIST, 'sw.js'), 'utf8').split('\n', 1)[0]!;
  return JSON.parse(firstLine.replace(/^self\.__ATTUNE_PRECACHE__ = /, '').replace(/;$/, '')) as {
    version: string;
    files: string[];
  };
}

test('the service worker precaches the app and the model, deletes older Attune caches; offline reload still starts and serves the model', async () => {
  // Before the first install, leave caches an older version (and another app) would have left.
  await page.goto(`${origin}/icon/16.png`); // a page of this origin that registers no worker
  await page.evaluate(async () => {
    await (await caches.open('attune-pwa-0000000000000000')).put('/old.txt', new Response('old'));
    await (await caches.open('someone-else')).put('/keep.txt', new Response('keep'));
  });
  await page.goto(`${origin}/`);
  const status = page.getByTestId('pwa-offline-status');
  await status.waitFor({ timeout: 60_000 });
  expect(await status.getAttribute('data-state')).toBe('ready');

  const precache = builtPrecache();
  for (const file of MODEL_FILES) expect(precache.files).toContain(`/model/${file}`);
  expect(precache.files).toContain('/index.html');
  // The active worker's cache holds every precached file, and only that version's cache exists.
  const cached = await page.evaluate(async (name) => {
    const names = await caches.keys();
    const keys = await (await caches.open(name)).keys();
    return { names, paths: keys.map((request) => new URL(request.url).pathname) };
  }, `attune-pwa-${precache.version}`);
  expect([...cached.names].sort()).toEqual([`attune-pwa-${precache.version}`, 'someone-else']);
  expect([...cached.paths].sort()).toEqual([...precache.files].sort());

  // Offline for real: the browser is offline and the server is gone.
  await server!.close();
  server = null;
  await context.setOffline(true);
  await page.reload();
  await expect.poll(() => page.getByTestId('dashboard-tab-examples').count(), { timeout: 20_000 }).toBe(1);
  await expect.poll(() => page.getByTestId('pwa-bar').count()).toBe(1);

  const served = await page.evaluate(async (files) => {
    const out: Record<string, { status: number; size: number }> = {};
    for (const file of files) {
      const response = await fetch(`/model/${file}`);
      out[file] = { status: response.status, size: (await response.arrayBuffer()).byteLength };
    }
    return { out, controlled: navigator.serviceWorker.controller !== null };
  }, MODEL_FILES);
  expect(served.controlled).toBe(true);
  for (const file of MODEL_FILES) {
    expect(served.out[file]).toEqual({ status: 200, size: statSync(join('public/model', file)).size });
  }
  // A model file the build does not ship is a 404, not the app page (the reader probes for it).
  expect(await page.evaluate(async () => (await fetch('/model/model.safetensors.index.json')).status)).toBe(
    404,
  );
  const config = await page.evaluate(async () => (await fetch('/model/config.json')).json());
  expect(config).toEqual(JSON.parse(readFileSync('public/model/config.json', 'utf8')));
});

test('a share-target URL opens the capture form prefilled; saving stores the example in IndexedDB (offline)', async () => {
  const shared = {
    title: 'A shared\u0007 article',
    text: 'City foxes learn traffic light timing. https://example.org/foxes?x=1',
  };
  await page.goto(
    `${origin}/?title=${encodeURIComponent(shared.title)}&text=${encodeURIComponent(shared.text)}&url=`,
  );
  const ui = await CaptureUi.attach(page);
  await ui.waitFor('capture-form');
  expect(await ui.read('capture-output')).toBe('City foxes learn traffic light timing.');
  expect(await ui.read('capture-source-title')).toBe('A shared article'); // control character dropped
  expect(await ui.read('capture-source-url')).toBe('https://example.org/foxes?x=1');
  expect(new URL(page.url()).search).toBe(''); // a reload must not open the form again

  await ui.fill('capture-instruction', 'What do city foxes learn?');
  await ui.click('capture-save');
  await ui.waitFor('capture-status');

  const stored = await page.evaluate(
    () =>
      new Promise<unknown[]>((resolveAll, reject) => {
        const open = indexedDB.open('attune');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const request = open.result.transaction('examples').objectStore('examples').getAll();
          request.onsuccess = () => resolveAll(request.result as unknown[]);
          request.onerror = () => reject(request.error);
        };
      }),
  );
  expect(stored).toHaveLength(1);
  expect(stored[0]).toMatchObject({
    instruction: 'What do city foxes learn?',
    output: 'City foxes learn traffic light timing.',
    sourceUrl: 'https://example.org/foxes?x=1',
    sourceTitle: 'A shared article',
  });
});

test('pasting text outside any field opens the capture form with it; pasting into a field does not', async () => {
  await page.goto(`${origin}/`);
  await page.getByTestId('examples-search').waitFor();
  const paste = (text: string, into: 'body' | 'search') =>
    page.evaluate(
      ({ text: pasted, into: target }) => {
        const data = new DataTransfer();
        data.setData('text/plain', pasted);
        const element =
          target === 'search' ? document.querySelector('[data-testid="examples-search"]')! : document.body;
        // The app's paste handler decides synchronously and cancels only a paste it takes, so
        // dispatchEvent's result says whether it opened the form, with no waiting.
        return element.dispatchEvent(
          new ClipboardEvent('paste', { clipboardData: data, bubbles: true, composed: true, cancelable: true }),
        );
      },
      { text, into },
    );
  const ui = await CaptureUi.attach(page);
  expect(await paste('typed into the search box', 'search')).toBe(true); // not taken
  expect(await ui.findTestId('capture-form')).toBeNull();

  expect(await paste('  Foxes\u00a0cross at   green lights.  ', 'body')).toBe(false); // taken
  await ui.waitFor('capture-form');
  expect(await ui.read('capture-output')).toBe('Foxes cross at green lights.');
  expect(await ui.read('capture-source-title')).toBe('Pasted text');
  await ui.click('capture-cancel');
  await expect.poll(() => ui.findTestId('capture-form')).toBeNull();
});

test('the engine worker from the build generates on WASM with the precached model and binaries, offline', async () => {
  // Choose WASM in the Models view (the worker reads the saved setting when it starts).
  await page.goto(`${origin}/#models`);
  await page.getByTestId('models-backend-override').selectOption('wasm');
  await expect
    .poll(() =>
      page.evaluate(
        () =>
          new Promise<unknown>((resolveValue) => {
            const open = indexedDB.open('attune');
            open.onsuccess = () => {
              const request = open.result.transaction('settings').objectStore('settings').get('backend');
              request.onsuccess = () =>
                resolveValue((request.result as { value?: unknown } | undefined)?.value);
            };
          }),
      ),
    )
    .toBe('wasm');
  const workerFile = readdirSync(join(DIST, 'assets')).find((name) => /^engine-worker-.*\.js$/.test(name));
  expect(workerFile).toBeDefined();
  const reply = await page.evaluate(
    (url) =>
      new Promise<{
        events: string[];
        result?: { text: string; tokens: number };
        backend?: string | null;
        error?: unknown;
      }>((resolveReply) => {
        let result: { text: string; tokens: number } | undefined;
        const worker = new Worker(url, { type: 'module' });
        const channel = new MessageChannel();
        const events: string[] = [];
        channel.port1.onmessage = (event: MessageEvent) => {
          const data = event.data as { type: string; id?: string; result?: unknown; error?: unknown };
          events.push(data.type);
          if (data.type === 'ready') {
            channel.port1.postMessage({
              kind: 'model.generate',
              id: 'e2e-1',
              payload: { prompt: 'The fox', adapterId: null, sampling: { greedy: true, maxNewTokens: 4 } },
            });
          }
          if (data.type === 'result' && data.id === 'e2e-1') {
            result = data.result as { text: string; tokens: number };
            channel.port1.postMessage({ kind: 'engine.info', id: 'e2e-2', payload: {} });
          }
          if (data.type === 'result' && data.id === 'e2e-2') {
            resolveReply({ events, result, backend: (data.result as { backend: string | null }).backend });
          }
          if (data.type === 'error') resolveReply({ events, error: data.error });
        };
        worker.postMessage({ transport: 'attune-engine-connect' }, [channel.port2]);
      }),
    `/assets/${workerFile}`,
  );
  expect(reply.error).toBeUndefined();
  expect(reply.events[0]).toBe('ready');
  expect(reply.result!.tokens).toBeGreaterThan(0);
  expect(reply.result!.tokens).toBeLessThanOrEqual(4);
  expect(typeof reply.result!.text).toBe('string');
  expect(reply.backend).toBe('wasm'); // the .wasm binaries came from the cache: the server is gone
});

test('every dashboard view and the assistant are tabs; the assistant answers offline through the engine worker', async () => {
  await page.goto(`${origin}/#chat`);
  await page.reload(); // a fresh document (going to a new hash alone keeps the old one)
  for (const id of ['examples', 'models', 'train', 'adapters', 'chat', 'settings']) {
    await page.getByTestId(`dashboard-tab-${id}`).waitFor({ timeout: 20_000 });
  }
  await page.getByTestId('chat').waitFor();
  // No browser tabs to read in the web app: "use this page" says so instead of failing silently.
  await page.getByTestId('chat-context-page').click();
  await expect
    .poll(() => page.getByTestId('chat-error').textContent())
    .toContain('cannot read your browser tabs');
  await page.getByTestId('chat-input').fill('Tell me about foxes.');
  await page.getByTestId('chat-input').press('Enter');
  const live = page.getByTestId('chat-streaming-answer').locator('.chat-text');
  await expect
    .poll(async () => ((await live.textContent()) ?? '').length, { timeout: 120_000 })
    .toBeGreaterThan(10);
  // Let the answer finish (at most 128 tokens) and be saved as a message.
  await expect.poll(() => page.getByTestId('chat-message-assistant').count(), { timeout: 240_000 }).toBe(1);
  expect(((await page.getByTestId('chat-message-assistant').textContent()) ?? '').length).toBeGreaterThan(10);
  expect(await page.getByTestId('chat-error').count()).toBe(0);
});
