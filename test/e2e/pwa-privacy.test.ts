// Privacy, proven for the installable web app: the built PWA served from 127.0.0.1, opened in a
// plain Chromium (no extension) with every host name unresolvable and every network event logged
// (NetLog). The run goes offline-ready → capture (paste) → one-click training (WASM, few steps) →
// chat with the new adapter, then counts everything the browser did on the network, whoever
// started it: the page, the service worker, the engine worker and Chromium's own services.
// Nothing may leave the machine. A control run shows the count catches a leak from the app.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { launchBrowser } from '../../tools/harness/browser';
import { CaptureUi } from '../../tools/harness/capture-ui';
import { summariseNetLog } from '../../tools/harness/net-log';
import { buildPwa, servePwa, type PwaServer } from './support/pwa-server';

/** Pasted into the app: short facts, each saved with an instruction, as a person would. */
const CAPTURES = [
  { instruction: 'What do city foxes learn?', text: 'City foxes learn the timing of traffic lights.' },
  {
    instruction: 'How do city foxes cross roads?',
    text: 'City foxes cross at green lights, often at night.',
  },
  { instruction: 'Where do city foxes sleep?', text: 'City foxes sleep under sheds and in quiet gardens.' },
  {
    instruction: 'What do city foxes eat?',
    text: 'City foxes eat scraps, worms, berries and small rodents.',
  },
  { instruction: 'When are city foxes active?', text: 'City foxes are most active at dusk and before dawn.' },
  { instruction: 'How long do city foxes live?', text: 'Most city foxes live two or three years.' },
];

let pwa: PwaServer;

beforeAll(() => {
  buildPwa();
});

afterAll(async () => {
  await pwa?.server.close();
});

function paste(page: Page, text: string): Promise<void> {
  return page.evaluate((pasted) => {
    const data = new DataTransfer();
    data.setData('text/plain', pasted);
    document.body.dispatchEvent(
      new ClipboardEvent('paste', { clipboardData: data, bubbles: true, composed: true }),
    );
  }, text);
}

async function captureByPaste(page: Page, ui: CaptureUi, capture: (typeof CAPTURES)[number]): Promise<void> {
  await paste(page, capture.text);
  await ui.waitFor('capture-form');
  await ui.fill('capture-instruction', capture.instruction);
  await ui.click('capture-save');
  await ui.waitFor('capture-status');
  await expect.poll(() => ui.findTestId('capture-form'), { timeout: 10_000 }).toBeNull(); // closes itself
}

async function trainOneClick(page: Page): Promise<string> {
  await page.goto(`${pwa.origin}/#models`);
  await page.reload(); // a fresh document per view (a new hash alone keeps the old one)
  await page.getByTestId('models-backend-override').selectOption('wasm');
  await expect
    .poll(() => page.getByTestId('models-backend-active').getAttribute('data-backend'), { timeout: 120_000 })
    .toBe('wasm');
  await page.goto(`${pwa.origin}/#train`);
  await page.reload();
  await expect
    .poll(() => page.getByTestId('train-example-count').getAttribute('data-count'), { timeout: 30_000 })
    .toBe(String(CAPTURES.length));
  await page.getByTestId('train-advanced').locator('summary').click();
  await page.getByTestId('train-setting-maxSteps').fill('3');
  await page.getByTestId('train-start').click();
  const status = page.getByTestId('train-status');
  await expect
    .poll(() => status.getAttribute('data-phase'), { timeout: 10 * 60_000, interval: 1000 })
    .toMatch(/^(completed|failed|cancelled)$/);
  expect(await status.getAttribute('data-phase')).toBe('completed');
  expect(await page.getByTestId('train-progress').getAttribute('data-step')).toBe('3');
  return (await status.getAttribute('data-adapter-id')) ?? '';
}

async function chatWithAdapter(page: Page, adapterId: string): Promise<string> {
  await page.goto(`${pwa.origin}/#chat`);
  await page.reload();
  await page.getByTestId('chat').waitFor({ timeout: 30_000 });
  await page.getByTestId('chat-adapter').selectOption(adapterId);
  await page.getByTestId('chat-input').fill('What do city foxes learn?');
  await page.getByTestId('chat-input').press('Enter');
  await expect
    .poll(() => page.getByTestId('chat-message-assistant').count(), { timeout: 5 * 60_000 })
    .toBe(1);
  // The answer's text only (the card also holds its heading, the model line and its buttons).
  return ((await page.getByTestId('chat-message-assistant').locator('.chat-text').textContent()) ?? '').trim();
}

/** Opens the web app and waits until its service worker has cached it for offline use. */
async function openReadyApp(context: BrowserContext, origin: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${origin}/`);
  await expect
    .poll(() => page.getByTestId('pwa-offline-status').getAttribute('data-state'), { timeout: 120_000 })
    .toBe('ready');
  return page;
}

test('web app: offline-ready → paste capture → one-click training → chat; nothing the browser does leaves the machine', async () => {
  pwa = await servePwa();
  const netLogPath = join(mkdtempSync(join(tmpdir(), 'attune-pwa-privacy-')), 'net-log.json');
  const started = Date.now();
  const browser = await launchBrowser({ netLogPath });
  let answer = '';
  try {
    const page = await openReadyApp(browser.context, pwa.origin);
    await page.getByTestId('examples-search').waitFor();
    const ui = await CaptureUi.attach(page);
    for (const capture of CAPTURES) await captureByPaste(page, ui, capture);
    const adapterId = await trainOneClick(page);
    expect(adapterId).not.toBe('');
    answer = await chatWithAdapter(page, adapterId);
  } finally {
    await browser.close();
  }
  const network = await summariseNetLog(netLogPath);
  console.log(
    `privacy (PWA): ${network.requests.length} requests, ${network.sockets.length} sockets, ` +
      `${network.leaving.length + network.socketsLeaving.length} left the machine, ` +
      `${network.routeLookups.length} route lookups (no packet), ${((Date.now() - started) / 1000).toFixed(0)} s; ` +
      `answer: ${JSON.stringify(answer.slice(0, 80))}`,
  );
  expect(answer.length).toBeGreaterThan(0);
  // The log saw the run: the app, its service worker and the model came from the local server.
  const fromApp = network.requests
    .filter((r) => r.url.startsWith(pwa.origin))
    .map((r) => new URL(r.url).pathname);
  expect(fromApp).toEqual(expect.arrayContaining(['/', '/sw.js', '/model/model.safetensors']));
  // Every request of every initiator, the browser's own services included, stayed on 127.0.0.1.
  expect(network.leaving).toEqual([]);
  expect(network.socketsLeaving).toEqual([]);
  expect(network.routeLookups.every((s) => s.bytesSent === 0)).toBe(true);
});

test('the count catches a request the web app page or its service worker tries to send out', async () => {
  pwa ??= await servePwa();
  const netLogPath = join(mkdtempSync(join(tmpdir(), 'attune-pwa-netlog-')), 'net-log.json');
  const browser = await launchBrowser({ netLogPath });
  try {
    const page = await openReadyApp(browser.context, pwa.origin);
    await page.evaluate(() => fetch('https://leak-check.invalid/from-app-page').catch(() => undefined));
    const [serviceWorker] = browser.context.serviceWorkers();
    expect(serviceWorker).toBeDefined();
    await serviceWorker!.evaluate(() =>
      fetch('https://leak-check.invalid/from-service-worker').catch(() => undefined),
    );
  } finally {
    await browser.close();
  }
  const network = await summariseNetLog(netLogPath);
  expect(network.leaving.map((r) => r.url).sort()).toEqual([
    'https://leak-check.invalid/from-app-page',
    'https://leak-check.invalid/from-service-worker',
  ]);
  expect(network.leaving.every((r) => r.initiator === pwa.origin)).toBe(true);
});
