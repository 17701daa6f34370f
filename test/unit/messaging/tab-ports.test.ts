// Opening the capture form in a tab: ask the content script; if none answers (a tab opened before
// install), inject the bundled script once and ask again; never on pages extensions cannot use.
import { beforeEach, expect, test, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { openCaptureForm } from '../../../src/background/tab-ports';

let injected: unknown[];
let contentScriptPresent: boolean;

beforeEach(() => {
  fakeBrowser.reset();
  injected = [];
  contentScriptPresent = false;
  vi.spyOn(fakeBrowser.tabs, 'sendMessage').mockImplementation((async (_tabId: number, message: unknown) => {
    if (!contentScriptPresent) throw new Error('Could not establish connection. Receiving end does not exist.');
    return { type: 'result', result: { opened: true }, echo: message };
  }) as never);
  vi.spyOn(fakeBrowser.scripting, 'executeScript').mockImplementation((async (injection: unknown) => {
    injected.push(injection);
    contentScriptPresent = true;
    return [];
  }) as never);
});

test('a tab with the content script opens the form without injecting anything', async () => {
  contentScriptPresent = true;
  const tab = await fakeBrowser.tabs.create({ url: 'https://news.example/' });
  expect(await openCaptureForm(tab.id!, 'output', 'sel')).toBe(true);
  expect(fakeBrowser.tabs.sendMessage).toHaveBeenCalledWith(tab.id, {
    kind: 'capture.open',
    payload: { mode: 'output', selectionText: 'sel' },
  });
  expect(injected).toEqual([]);
});

test('a tab without it gets the bundled content script injected once, then the form', async () => {
  const tab = await fakeBrowser.tabs.create({ url: 'https://news.example/' });
  expect(await openCaptureForm(tab.id!, 'input')).toBe(true);
  expect(injected).toEqual([{ target: { tabId: tab.id }, files: ['/content-scripts/content.js'] }]);
});

test('browser pages are refused without trying to inject', async () => {
  const tab = await fakeBrowser.tabs.create({ url: 'chrome://settings/' });
  expect(await openCaptureForm(tab.id!, 'output')).toBe(false);
  expect(injected).toEqual([]);
});

test('a failed injection (e.g. the web store) answers false instead of throwing', async () => {
  vi.mocked(fakeBrowser.scripting.executeScript).mockRejectedValueOnce(new Error('Cannot access contents of the page'));
  const tab = await fakeBrowser.tabs.create({ url: 'https://example.org/' });
  expect(await openCaptureForm(tab.id!, 'output')).toBe(false);
});
