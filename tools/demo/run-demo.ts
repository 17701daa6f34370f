// `npm run demo`: a headless end-to-end run of Attune on the shipped model, in real Chromium with
// the built extension. Each stage is a function; the run stops at the first failure and exits 1.
// Output: demo-output/report.md, demo-output/report.json and screenshots.
import { mkdir, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { extensionUrl, launchExtension, type LaunchedExtension } from '../../test/e2e/harness';
import { CaptureUi, selectAll } from '../../test/e2e/support/capture-ui';
import { startFixtureServer, type FixtureServer } from '../../test/e2e/support/fixture-server';
import { DEMO_CAPTURES, type DemoCapture } from './captures';

const OUT_DIR = resolve('demo-output');

interface StoredExample {
  instruction: string;
  input: string;
  output: string;
  sourceUrl: string;
}

interface DemoContext {
  ext: LaunchedExtension;
  server: FixtureServer;
  report: Record<string, unknown>;
  lines: string[];
}

function log(ctx: DemoContext, line: string): void {
  console.log(line);
  ctx.lines.push(line);
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: resolve(OUT_DIR, name) });
}

async function captureOne(ctx: DemoContext, capture: DemoCapture, screenshot: boolean): Promise<void> {
  const page = await ctx.ext.context.newPage();
  await page.setViewportSize({ width: 1100, height: 800 });
  await page.goto(`${ctx.server.origin}/${capture.page}`);
  await page.bringToFront();
  await page.waitForTimeout(300); // the content script attaches at document_idle
  const ui = await CaptureUi.attach(page);
  await selectAll(page, capture.elementId);
  await ui.click('capture-chip');
  await ui.waitFor('capture-form');
  await ui.fill('capture-instruction', capture.instruction);
  if (capture.output !== undefined) await ui.fill('capture-output', capture.output);
  if (screenshot) await shot(page, 'capture-form.png');
  await ui.click('capture-save');
  const deadline = Date.now() + 10_000;
  while (!(await ui.read('capture-status').catch(() => '')).startsWith('Saved')) {
    if (Date.now() > deadline) throw new Error(`saving from ${capture.page}#${capture.elementId} did not succeed`);
    await page.waitForTimeout(100);
  }
  await page.close();
}

async function readStoredExamples(ctx: DemoContext): Promise<StoredExample[]> {
  const page = await ctx.ext.context.newPage();
  await page.goto(extensionUrl(ctx.ext, '/dashboard.html'));
  const examples = await page.evaluate(
    () =>
      new Promise<StoredExample[]>((done, fail) => {
        const open = indexedDB.open('attune');
        open.onerror = () => fail(open.error);
        open.onsuccess = () => {
          const request = open.result.transaction('examples').objectStore('examples').getAll();
          request.onsuccess = () => done(request.result as StoredExample[]);
          request.onerror = () => fail(request.error);
        };
      }),
  );
  await page.setViewportSize({ width: 1200, height: 800 });
  await page.getByTestId('example-row').first().waitFor({ timeout: 10_000 });
  await shot(page, 'dashboard.png');
  await page.close();
  return examples;
}

async function stageCapture(ctx: DemoContext): Promise<void> {
  log(ctx, `## Capture\n`);
  for (const [index, capture] of DEMO_CAPTURES.entries()) await captureOne(ctx, capture, index === 0);
  const popup = await ctx.ext.context.newPage();
  await popup.setViewportSize({ width: 360, height: 320 });
  await popup.goto(extensionUrl(ctx.ext, '/popup.html'));
  await popup.getByTestId('popup-count').waitFor();
  await shot(popup, 'popup.png');
  await popup.close();
  const stored = await readStoredExamples(ctx);
  if (stored.length !== DEMO_CAPTURES.length) {
    throw new Error(`expected ${DEMO_CAPTURES.length} stored examples, found ${stored.length}`);
  }
  log(ctx, `Captured ${stored.length} examples from ${new Set(stored.map((e) => e.sourceUrl)).size} pages:\n`);
  for (const example of stored) {
    log(ctx, `- **${example.instruction}** → ${example.output.slice(0, 100)}${example.output.length > 100 ? '…' : ''}`);
  }
  ctx.report.examples = stored.length;
}

async function main(): Promise<void> {
  await mkdir(OUT_DIR, { recursive: true });
  const server = await startFixtureServer();
  const ext = await launchExtension({ webgpu: true });
  const ctx: DemoContext = { ext, server, report: {}, lines: ['# Attune demo report', ''] };
  try {
    await stageCapture(ctx);
    await writeFile(resolve(OUT_DIR, 'report.md'), ctx.lines.join('\n') + '\n');
    await writeFile(resolve(OUT_DIR, 'report.json'), JSON.stringify(ctx.report, null, 2) + '\n');
    console.log(`\nDemo finished: report and screenshots in ${OUT_DIR}`);
  } finally {
    await ext.close();
    await server.close();
  }
}

main().catch((error: unknown) => {
  console.error(`Demo failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
