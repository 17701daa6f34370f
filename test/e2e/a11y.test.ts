// Every control is labelled, in English and in Simplified Chinese. axe-core (Deque's rule engine)
// audits each page of the built extension in real Chromium, in the states users meet: the popup,
// every dashboard view (with rows, dialogs and the Advanced settings open), the side panel idle,
// while an answer streams and with an adapter to choose, and the PWA. A second test switches the
// language setting to zh_CN, audits the same pages again and checks the visible text and the
// accessible names come from the Chinese catalogue (no English catalogue string left on screen).
import { execFileSync } from 'node:child_process';
import { chromium, type Browser, type Page, type Worker } from 'playwright-core';
import { preview, type PreviewServer } from 'vite';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { setLocale, t, type AreaCatalogue } from '../../src/i18n';
import { captureCatalogue } from '../../src/i18n/capture';
import { chatCatalogue } from '../../src/i18n/chat';
import { dashboardCatalogue } from '../../src/i18n/dashboard';
import { modelsCatalogue } from '../../src/i18n/models';
import { pwaCatalogue } from '../../src/i18n/pwa';
import { trainCatalogue } from '../../src/i18n/train';
import { startModelServer, type ModelServer } from '../unit/model-store/model-server';
import {
  CHROMIUM,
  QUIET_BROWSER_FLAGS,
  extensionUrl,
  launchExtension,
  type LaunchedExtension,
} from '../../tools/harness/browser';
import { audit, axControls, type Finding } from './support/axe';
import { CaptureUi } from '../../tools/harness/capture-ui';
import { chatBusy, chatIdle } from './support/chat-state';
import { startFixtureServer, type FixtureServer } from '../../tools/harness/fixture-server';
import { LONG_ANSWER_PROMPT } from '../fixtures/default-model/prompts';

/** The part of the extension API the service-worker snippet below uses (it runs in the browser). */
declare const chrome: {
  tabs: {
    query(query: { active: boolean; lastFocusedWindow: boolean }): Promise<{ id?: number }[]>;
    sendMessage(tabId: number, message: unknown): Promise<unknown>;
  };
};
const CATALOGUES: AreaCatalogue[] = [
  captureCatalogue,
  chatCatalogue,
  dashboardCatalogue,
  modelsCatalogue,
  pwaCatalogue,
  trainCatalogue,
];
const VIEWS = ['examples', 'models', 'train', 'adapters', 'settings'];
/** One element each view always renders (Examples and Settings have no view-level test id). */
const VIEW_MARK: Record<string, string> = {
  examples: 'examples-count',
  models: 'models-view',
  train: 'train-view',
  adapters: 'adapters-view',
  settings: 'settings-language',
};
const EXAMPLES_JSONL = [
  { instruction: 'Give an antonym of: hot', output: 'cold', tags: ['antonyms'] },
  { instruction: 'Summarise the news', input: 'Nothing much today.', output: 'Quiet day.' },
]
  .map((e) => JSON.stringify(e))
  .join('\n');

let ext: LaunchedExtension;
let server: ModelServer;
let fixtures: FixtureServer;
beforeAll(async () => {
  server = await startModelServer();
  fixtures = await startFixtureServer();
  ext = await launchExtension();
});
afterAll(async () => {
  await ext?.close(); // first: the servers wait for the browser's open connections to end
  await server?.close();
  await fixtures?.close();
});

async function openDashboard(view: string): Promise<Page> {
  const page = await ext.context.newPage();
  await page.goto(extensionUrl(ext, `/dashboard.html#${view}`));
  await page.getByTestId(VIEW_MARK[view]!).waitFor();
  return page;
}

/** Examples to list (import goes through the dashboard, as a user's would). */
async function seedExamples(): Promise<void> {
  const page = await openDashboard('examples');
  await page
    .getByTestId('examples-import-file')
    .setInputFiles({
      name: 'e.jsonl',
      mimeType: 'application/x-ndjson',
      buffer: Buffer.from(EXAMPLES_JSONL),
    });
  await page.getByTestId('import-confirm').click();
  await expect
    .poll(() => page.getByTestId('examples-count').getAttribute('data-total'), { timeout: 30_000 })
    .toBe('2');
  await page.close();
}

/**
 * An adapter record for the shipped model, written straight into IndexedDB: the views under test
 * only list it (name, badges, buttons), so its weights never reach the engine.
 */
async function seedAdapterRecord(page: Page): Promise<void> {
  await page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open('attune');
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    const now = Date.now();
    await new Promise<void>((resolve, reject) => {
      const tx = db.transaction('adapters', 'readwrite');
      tx.objectStore('adapters').put({
        id: 'a11y-adapter',
        name: 'Antonyms',
        method: 'lora',
        modelId: 'bundled',
        config: { peft_type: 'LORA', r: 4 },
        weights: new ArrayBuffer(8),
        createdAt: now,
        updatedAt: now,
        metrics: { heldOutLossBefore: 5.1, heldOutLossAfter: 3.2 },
      });
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
    });
    db.close();
  });
}

/** Audits every page and state once; returns all findings (the caller expects none). */
async function auditEverything(): Promise<Finding[]> {
  const findings: Finding[] = [];
  const popup = await ext.context.newPage();
  await popup.goto(extensionUrl(ext, '/popup.html'));
  await expect.poll(() => popup.getByTestId('popup-count').getAttribute('data-count')).not.toBe('');
  findings.push(...(await audit(popup, 'popup')));
  await popup.close();

  const page = await openDashboard('examples');
  await page.getByTestId('example-row').first().waitFor();
  findings.push(...(await audit(page, 'examples')));
  await page.getByTestId('examples-add').click();
  await page.getByTestId('editor-dialog').waitFor();
  findings.push(...(await audit(page, 'examples: editor dialog')));
  await page.getByTestId('editor-cancel').click();
  await page
    .getByTestId('examples-import-file')
    .setInputFiles({
      name: 'bad.jsonl',
      mimeType: 'application/x-ndjson',
      buffer: Buffer.from('{"instruction":"a","output":"b"}\nnot json'),
    });
  await page.getByTestId('import-preview').waitFor();
  findings.push(...(await audit(page, 'examples: import preview')));
  await page.getByTestId('import-cancel').click();
  for (const view of VIEWS.slice(1)) {
    await page.getByTestId(`dashboard-tab-${view}`).click();
    await page.getByTestId(VIEW_MARK[view]!).waitFor();
    if (view === 'models') await page.getByTestId('model-row').nth(1).waitFor(); // shipped + tiny-llama
    if (view === 'train') await page.getByTestId('train-advanced').locator('summary').click();
    if (view === 'adapters') await page.getByTestId('adapter-row').first().waitFor();
    findings.push(...(await audit(page, view)));
  }
  await page.getByTestId('dashboard-tab-models').click();
  await page.getByTestId('model-row').filter({ hasText: 'tiny-llama' }).getByTestId('model-remove').click();
  await page.getByTestId('models-remove-dialog').waitFor();
  findings.push(...(await audit(page, 'models: remove dialog')));
  await page.getByTestId('models-remove-cancel').click();
  await page.getByTestId('dashboard-tab-adapters').click();
  await page.getByTestId('adapter-rename').click();
  await page.getByTestId('adapters-rename-dialog').waitFor();
  findings.push(...(await audit(page, 'adapters: rename dialog')));
  await page.keyboard.press('Escape');
  await page.close();

  const chat = await ext.context.newPage();
  await chat.goto(extensionUrl(ext, '/sidepanel.html'));
  await chat.getByTestId('chat').waitFor();
  findings.push(...(await audit(chat, 'side panel')));
  await chat.getByTestId('chat-adapter').selectOption('a11y-adapter');
  await expect.poll(() => chat.getByTestId('chat-compare').isEnabled()).toBe(true);
  findings.push(...(await audit(chat, 'side panel: adapter chosen')));
  await chat.getByTestId('chat-adapter').selectOption('');
  await chat.getByTestId('chat-input').fill(LONG_ANSWER_PROMPT); // still streaming while audited
  await chat.getByTestId('chat-input').press('Enter');
  await chatBusy(chat).waitFor();
  findings.push(...(await audit(chat, 'side panel: streaming')));
  await chat.keyboard.press('Escape'); // stops the answer if it is still being written
  await chatIdle(chat).waitFor({ timeout: 120_000 });
  await chat.getByTestId('chat-message-assistant').first().waitFor();
  findings.push(...(await audit(chat, 'side panel: conversation saved')));
  // The conversation list searched, a rename in progress, an answer's status line, dark colours.
  await chat.getByTestId('chat-search').fill('ocean');
  findings.push(...(await audit(chat, 'side panel: conversations searched')));
  await chat.getByTestId('chat-search').fill('');
  await chat.getByTestId('chat-conversation-rename').first().click();
  await chat.getByTestId('chat-rename-input').waitFor();
  findings.push(...(await audit(chat, 'side panel: renaming a conversation')));
  await chat.getByTestId('chat-rename-input').press('Escape');
  await chat.getByTestId('chat-copy').first().click();
  await chat.getByTestId('chat-feedback').filter({ hasText: /\S/ }).first().waitFor();
  findings.push(...(await audit(chat, 'side panel: answer copied')));
  await chat.emulateMedia({ colorScheme: 'dark' });
  findings.push(...(await audit(chat, 'side panel: dark colour scheme')));
  await chat.emulateMedia({ colorScheme: 'light' });
  await chat.close();
  return findings;
}

/** Catalogue strings that differ between the languages: seeing the English one means a miss. */
function englishOnlyStrings(): Set<string> {
  const english = new Set<string>();
  for (const catalogue of CATALOGUES)
    for (const [key, en] of Object.entries(catalogue.en)) {
      const zh = catalogue.zh_CN[key];
      if (zh !== undefined && zh !== en && !en.includes('{') && /[a-z]{3}/i.test(en)) english.add(en.trim());
    }
  return english;
}

/** Visible text nodes and accessible-name attributes of the page, trimmed. */
function pageStrings(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const strings: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) strings.push(walker.currentNode.textContent ?? '');
    for (const el of document.querySelectorAll('[aria-label], [title], [placeholder], [alt]'))
      for (const name of ['aria-label', 'title', 'placeholder', 'alt'])
        strings.push(el.getAttribute(name) ?? '');
    strings.push(document.title);
    return strings.map((s) => s.trim()).filter(Boolean);
  });
}

test('every control on every extension page has an accessible name and axe finds no violations (English)', async () => {
  await seedExamples();
  // An imported model, so the list has a removable row (the shipped one has no Remove).
  const models = await openDashboard('models');
  await models.getByTestId('models-url-input').fill(server.folderUrl('tiny-llama'));
  await models.getByTestId('models-url-download').click();
  await models.getByTestId('model-row').filter({ hasText: 'tiny-llama' }).waitFor({ timeout: 60_000 });
  await models.close();
  const seeder = await openDashboard('adapters');
  await seedAdapterRecord(seeder);
  await seeder.close();
  const findings = await auditEverything();
  expect(findings).toEqual([]);
  // Control for the Chinese test's check: in English the same scan finds catalogue strings.
  const train = await openDashboard('train');
  const english = englishOnlyStrings();
  expect((await pageStrings(train)).filter((s) => english.has(s)).length).toBeGreaterThan(5);
  await train.close();
});

test('in Simplified Chinese the pages show the zh_CN catalogue and still have no violations', async () => {
  const settings = await openDashboard('settings');
  await settings.getByTestId('settings-language').selectOption('zh_CN');
  setLocale('zh_CN');
  await expect
    .poll(() => settings.getByTestId('dashboard-tab-train').textContent())
    .toBe(t('dashboard.view.train'));
  for (const view of VIEWS)
    expect(await settings.getByTestId(`dashboard-tab-${view}`).textContent()).toBe(
      t(`dashboard.view.${view}`),
    );
  expect(await settings.evaluate(() => document.documentElement.lang)).toBe('zh-CN');
  await settings.close();

  const english = englishOnlyStrings();
  const leftInEnglish: string[] = [];
  const collect = async (page: Page, where: string) => {
    for (const s of await pageStrings(page)) if (english.has(s)) leftInEnglish.push(`${where}: ${s}`);
  };
  const dashboard = await openDashboard('examples');
  for (const view of VIEWS) {
    await dashboard.getByTestId(`dashboard-tab-${view}`).click();
    await dashboard.getByTestId(VIEW_MARK[view]!).waitFor();
    if (view === 'train') await dashboard.getByTestId('train-advanced').locator('summary').click();
    await collect(dashboard, view);
  }
  await dashboard.close();
  const chat = await ext.context.newPage();
  await chat.goto(extensionUrl(ext, '/sidepanel.html'));
  await chat.getByTestId('chat').waitFor();
  expect(await chat.getByTestId('chat-send').textContent()).toBe(t('chat.send'));
  await collect(chat, 'side panel');
  // A saved conversation shows the answer's line (model, adapter) and its actions.
  await chat.locator('.chat-conversation-open').first().click();
  await chat.getByTestId('chat-message-assistant').first().waitFor();
  expect(await chat.getByTestId('chat-good').first().textContent()).toBe(t('chat.good'));
  await collect(chat, 'side panel: a conversation');
  await chat.close();
  const popup = await ext.context.newPage();
  await popup.goto(extensionUrl(ext, '/popup.html'));
  await expect
    .poll(() => popup.getByTestId('popup-open-dashboard').textContent())
    .toBe(t('popup.openDashboard'));
  await collect(popup, 'popup');
  await popup.close();
  expect(leftInEnglish).toEqual([]);

  expect(await auditEverything()).toEqual([]);
  // The language stays zh_CN for the capture form test that follows.
});

test('in the dark theme the pages still have no violations (contrast included)', async () => {
  const findings: Finding[] = [];
  for (const path of ['/popup.html', '/sidepanel.html', ...VIEWS.map((v) => `/dashboard.html#${v}`)]) {
    const page = await ext.context.newPage();
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.goto(extensionUrl(ext, path));
    const view = path.split('#')[1];
    await page
      .getByTestId(view ? VIEW_MARK[view]! : path === '/popup.html' ? 'popup-count' : 'chat')
      .waitFor();
    if (path === '/popup.html')
      await expect.poll(() => page.getByTestId('popup-count').getAttribute('data-count')).not.toBe('');
    if (view === 'examples') await page.getByTestId('example-row').first().waitFor();
    if (view === 'adapters') await page.getByTestId('adapter-row').first().waitFor();
    expect(await page.evaluate(() => matchMedia('(prefers-color-scheme: dark)').matches)).toBe(true);
    findings.push(...(await audit(page, `dark ${path}`)));
    await page.close();
  }
  expect(findings).toEqual([]);
});

/**
 * The extension's service worker, woken if Chromium stopped it while idle (the handle from launch
 * is dead then): the popup asks it for the example count.
 */
async function liveServiceWorker(): Promise<Worker> {
  const popup = await ext.context.newPage();
  await popup.goto(extensionUrl(ext, '/popup.html'));
  await expect.poll(() => popup.getByTestId('popup-count').getAttribute('data-count')).not.toBe('');
  await popup.close();
  const workers = ext.context
    .serviceWorkers()
    .filter((w) => w.url().startsWith(`chrome-extension://${ext.extensionId}/`));
  return workers.at(-1) ?? ext.context.waitForEvent('serviceworker', { timeout: 30_000 });
}

test('the capture form, in its closed shadow root on a web page, names every control (and follows the zh_CN setting)', async () => {
  const worker = await liveServiceWorker();
  const page = await ext.context.newPage();
  await page.goto(`${fixtures.origin}/foxes.html`);
  await page.bringToFront();
  const ui = await CaptureUi.attach(page);
  await ui.contentScriptReady();
  // The message the context menu and the keyboard command send (see capture.test.ts).
  await worker.evaluate(async () => {
    const [tab] = await chrome.tabs.query({ active: true, lastFocusedWindow: true });
    await chrome.tabs.sendMessage(tab!.id!, { kind: 'capture.open', payload: { mode: 'output' } });
  });
  await ui.waitFor('capture-form');
  // axe (page JavaScript) cannot enter a closed shadow root; Chromium's accessibility tree does.
  const controls = await axControls(page);
  expect(controls.filter((c) => c.name === '')).toEqual([]);
  expect(controls).toContainEqual(expect.objectContaining({ role: 'dialog', name: t('capture.form.title') }));
  expect(controls).toContainEqual(
    expect.objectContaining({ role: 'textbox', name: t('capture.form.instruction') }),
  );
  expect(controls.filter((c) => c.role === 'button').length).toBeGreaterThanOrEqual(2); // Save, Cancel
  await page.close();
});

test('the PWA (dashboard views and the chat tab) has no violations', async () => {
  execFileSync('npx', ['vite', 'build', '--config', 'vite.pwa.config.ts', '--logLevel', 'error'], {
    stdio: 'inherit',
    env: { ...process.env, NODE_ENV: 'production' }, // vitest sets 'test', which would build in dev mode
  });
  let server: PreviewServer | null = null;
  let browser: Browser | null = null;
  try {
    server = await preview({ configFile: 'vite.pwa.config.ts', preview: { port: 0, strictPort: false } });
    const origin = new URL(server.resolvedUrls!.local[0]!).origin;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: QUIET_BROWSER_FLAGS });
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${origin}/`);
    await page.getByTestId('pwa-bar').waitFor();
    const findings: Finding[] = [];
    for (const view of [...VIEWS, 'chat']) {
      await page.getByTestId(`dashboard-tab-${view}`).click();
      if (view === 'chat') await page.getByTestId('chat').waitFor();
      else await page.getByTestId(VIEW_MARK[view]!).waitFor();
      findings.push(...(await audit(page, `pwa ${view}`)));
    }
    expect(findings).toEqual([]);
  } finally {
    await browser?.close();
    await server?.close();
  }
});
