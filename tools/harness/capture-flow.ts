// One capture the way a person makes it: open a page, select an element's text, click the
// selection chip, type the instruction and output into the capture form (inside its closed shadow
// root, driven through CaptureUi), save, and wait for the form to say it saved. Shared by
// `npm run demo` (tools/demo/demo.ts) and the e2e tests, so both exercise the same steps; no
// vitest here, because the demo runs outside vitest.
import type { BrowserContext, Page } from 'playwright-core';
import { CaptureUi, selectAll } from './capture-ui';
import { pollUntil } from './poll';

/** What to capture: an element of a page served by the fixture server, and what the user types. */
export interface PageCapture {
  /** Path of the page under the server's origin, e.g. `foxes.html`. */
  page: string;
  /** The id of the element whose text is selected (it becomes the example's input). */
  elementId: string;
  instruction: string;
  /** Typed by the user instead of keeping the selection as output. */
  output: string;
  /** When given, the user replaces the input (the selected text) with this ('' clears it). */
  input?: string;
}

export interface CaptureOptions {
  /** Called with the filled form still open (the demo takes its screenshot here). */
  beforeSave?: (page: Page) => Promise<void>;
  /** How long saving may take before it counts as failed (ms). */
  saveTimeoutMs?: number;
}

/** The URL the capture is made on: what the stored example's `sourceUrl` should be. */
export function captureUrl(origin: string, capture: PageCapture): string {
  return `${origin}/${capture.page}`;
}

/** Makes one capture in a new tab of `context`; throws if the form never reports it saved. */
export async function captureFromPage(
  context: BrowserContext,
  origin: string,
  capture: PageCapture,
  options: CaptureOptions = {},
): Promise<void> {
  const page = await context.newPage();
  try {
    await page.setViewportSize({ width: 1100, height: 800 });
    await page.goto(captureUrl(origin, capture));
    await page.bringToFront();
    const ui = await CaptureUi.attach(page);
    await ui.contentScriptReady();
    await selectAll(page, capture.elementId);
    await ui.waitFor('capture-chip', 15_000);
    await ui.click('capture-chip');
    await ui.waitFor('capture-form');
    await ui.fill('capture-instruction', capture.instruction);
    await ui.fill('capture-output', capture.output);
    if (capture.input !== undefined) await ui.fill('capture-input', capture.input);
    await options.beforeSave?.(page);
    await ui.click('capture-save');
    await waitForSaved(page, ui, capture, options.saveTimeoutMs ?? 10_000);
  } finally {
    await page.close();
  }
}

async function waitForSaved(
  page: Page,
  ui: CaptureUi,
  capture: PageCapture,
  timeoutMs: number,
): Promise<void> {
  await pollUntil(page, () => ui.read('capture-status').catch(() => ''), (status) => status.startsWith('Saved'), {
    timeoutMs,
    failure: (status) => `saving from ${capture.page}#${capture.elementId} did not succeed (status: "${status}")`,
  });
}
