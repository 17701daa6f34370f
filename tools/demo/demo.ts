// The headless end-to-end run behind `npm run demo` (and the privacy e2e test): capture → train →
// chat on the shipped model, in real Chromium with the built extension, with every host name
// unresolvable and every network event logged. Each stage is a function; the first failure throws.
// Output: <outDir>/report.md, report.json, net-log.json and screenshots.
import { mkdir, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { summariseNetLog } from '../harness/net-log';
import type { Page } from 'playwright-core';
import { extensionUrl, launchExtension, type LaunchedExtension } from '../harness/browser';
import { captureFromPage } from '../harness/capture-flow';
import { startFixtureServer, type FixtureServer } from '../harness/fixture-server';
import { DEMO_CAPTURES, DEMO_PROMPT } from './captures';
import { captureSidePanelStates } from './sidepanel-states';

export interface DemoOptions {
  outDir: string;
  /** Prints each report line as it is written. */
  verbose?: boolean;
}

interface StoredExample {
  instruction: string;
  input: string;
  output: string;
  sourceUrl: string;
}

interface DemoContext {
  outDir: string;
  verbose: boolean;
  ext: LaunchedExtension;
  server: FixtureServer;
  report: Record<string, unknown>;
  lines: string[];
}

function log(ctx: DemoContext, line: string): void {
  if (ctx.verbose) console.log(line);
  ctx.lines.push(line);
}

async function shot(ctx: DemoContext, page: Page, name: string): Promise<void> {
  await page.screenshot({ path: resolve(ctx.outDir, name) });
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
  await shot(ctx, page, 'dashboard.png');
  await page.close();
  return examples;
}

async function stageCapture(ctx: DemoContext): Promise<void> {
  log(ctx, `## Capture\n`);
  for (const [index, capture] of DEMO_CAPTURES.entries()) {
    await captureFromPage(ctx.ext.context, ctx.server.origin, capture, {
      beforeSave: index === 0 ? (page) => shot(ctx, page, 'capture-form.png') : undefined,
    });
  }
  const popup = await ctx.ext.context.newPage();
  await popup.setViewportSize({ width: 360, height: 320 });
  await popup.goto(extensionUrl(ctx.ext, '/popup.html'));
  await popup.getByTestId('popup-count').waitFor();
  await shot(ctx, popup, 'popup.png');
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

async function openDashboard(ctx: DemoContext, view: string): Promise<Page> {
  const page = await ctx.ext.context.newPage();
  await page.setViewportSize({ width: 1200, height: 900 });
  await page.goto(extensionUrl(ctx.ext, `/dashboard.html#${view}`));
  await page.getByTestId(`${view}-view`).waitFor({ timeout: 30_000 });
  return page;
}

async function waitForAttribute(page: Page, testId: string, name: string, wanted: string[], timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = (await page.getByTestId(testId).getAttribute(name).catch(() => null)) ?? '';
    if (wanted.includes(value)) return value;
    if (Date.now() > deadline) throw new Error(`${testId} ${name} stayed "${value}", expected one of ${wanted.join(', ')}`);
    await page.waitForTimeout(250);
  }
}

/**
 * WASM, not WebGPU: on a machine without a GPU Chromium's WebGPU is the SwiftShader software
 * adapter, which spends minutes compiling shaders; on a real GPU the default (auto) picks WebGPU.
 */
async function stageBackend(ctx: DemoContext): Promise<void> {
  const models = await openDashboard(ctx, 'models');
  const wanted = process.env.ATTUNE_DEMO_BACKEND ?? 'wasm';
  await models.getByTestId('models-backend-override').selectOption(wanted === 'auto' ? 'auto' : wanted);
  const active = wanted === 'auto'
    ? await waitForAttribute(models, 'models-backend-active', 'data-backend', ['webgpu', 'webgl', 'wasm', 'cpu'], 60_000)
    : await waitForAttribute(models, 'models-backend-active', 'data-backend', [wanted], 60_000);
  ctx.report.backend = active;
  await models.close();
}

async function stageTrain(ctx: DemoContext): Promise<string> {
  log(ctx, `\n## Train (LoRA, one click)\n`);
  const page = await openDashboard(ctx, 'train');
  await page.getByTestId('train-advanced').locator('summary').click();
  await page.getByTestId('train-setting-maxSteps').fill(process.env.ATTUNE_DEMO_STEPS ?? '30');
  const started = Date.now();
  await page.getByTestId('train-start').click();
  const phase = await waitForAttribute(page, 'train-status', 'data-phase', ['completed', 'failed', 'cancelled'], 20 * 60_000);
  const seconds = (Date.now() - started) / 1000;
  await shot(ctx, page, 'training.png');
  if (phase !== 'completed') {
    throw new Error(`training ended ${phase}: ${await page.getByTestId('train-error').textContent().catch(() => '')}`);
  }
  const adapterId = (await page.getByTestId('train-status').getAttribute('data-adapter-id')) ?? '';
  const steps = await page.getByTestId('train-progress').getAttribute('data-step');
  const before = await page.getByTestId('train-loss-before').textContent();
  const after = await page.getByTestId('train-loss-after').textContent();
  Object.assign(ctx.report, { steps: Number(steps), lossBefore: before, lossAfter: after, trainSeconds: seconds });
  log(ctx, `Backend ${String(ctx.report.backend)}; ${steps} steps in ${seconds.toFixed(0)} s.`);
  log(ctx, `Held-out loss before → after: ${before} → ${after}`);
  await page.close();
  return adapterId;
}

async function askInSidePanel(page: Page, prompt: string): Promise<string> {
  await page.getByTestId('chat-new').click();
  const answers = page.getByTestId('chat-message-assistant');
  await answers.first().waitFor({ state: 'detached', timeout: 30_000 });
  await page.getByTestId('chat-input').fill(prompt);
  await page.getByTestId('chat-input').press('Enter');
  // The answer is done when it is saved into the new conversation, however short it is.
  await answers.first().waitFor({ timeout: 10 * 60_000 });
  await page.locator('[data-testid="chat"][data-generating="false"]').waitFor({ timeout: 30_000 });
  const answer = answers.last().locator('.chat-text');
  return ((await answer.textContent()) ?? '').trim();
}

async function stageChat(ctx: DemoContext, adapterId: string): Promise<void> {
  log(ctx, `\n## Chat offline (side panel)\n`);
  const page = await ctx.ext.context.newPage();
  await page.setViewportSize({ width: 420, height: 800 });
  await page.goto(extensionUrl(ctx.ext, '/sidepanel.html'));
  await page.getByTestId('chat').waitFor();
  const prompt = DEMO_PROMPT;
  await page.getByTestId('chat-adapter').selectOption('');
  const base = await askInSidePanel(page, prompt);
  await page.getByTestId('chat-adapter').selectOption(adapterId);
  const tuned = await askInSidePanel(page, prompt);
  await shot(ctx, page, 'sidepanel.png');
  Object.assign(ctx.report, { prompt, baseAnswer: base, tunedAnswer: tuned });
  log(ctx, `Prompt: ${prompt}\n`);
  log(ctx, `- base model: ${base}`);
  log(ctx, `- with the adapter: ${tuned}`);

  log(ctx, `\n### Every state of the side panel\n`);
  const states = await captureSidePanelStates(page, {
    shot: (statePage, file) => shot(ctx, statePage, file),
    prompt,
    adapterId,
  });
  for (const { file, caption } of states) log(ctx, `**${caption}**\n\n![${caption}](${file})\n`);
  Object.assign(ctx.report, { sidePanelScreenshots: states.map((s) => s.file) });
  await page.close();
}

/** Runs the whole demo; resolves with the report, rejects at the first failing stage. */
export async function runDemo(options: DemoOptions): Promise<Record<string, unknown>> {
  await mkdir(options.outDir, { recursive: true });
  const netLogPath = resolve(options.outDir, 'net-log.json');
  const server = await startFixtureServer();
  const ext = await launchExtension({ webgpu: true, netLogPath });
  const ctx: DemoContext = {
    outDir: options.outDir,
    verbose: options.verbose ?? false,
    ext,
    server,
    report: {},
    lines: ['# Attune demo report', ''],
  };
  try {
    await stageCapture(ctx);
    await stageBackend(ctx);
    const adapterId = await stageTrain(ctx);
    await stageChat(ctx, adapterId);
  } finally {
    await ext.close();
    await server.close();
  }
  const network = await summariseNetLog(netLogPath);
  const leaving = [...network.leaving.map((r) => r.url), ...network.socketsLeaving.map((s) => `${s.protocol} ${s.address}`)];
  Object.assign(ctx.report, {
    networkRequests: network.requests.length,
    networkSockets: network.sockets.length,
    requestsLeaving: leaving,
  });
  log(ctx, `\n## Network\n`);
  log(ctx, `${network.requests.length} requests and ${network.sockets.length} sockets in the whole run, from every page, worker, the extension and the browser itself (every host name made unresolvable, every request logged).`);
  log(ctx, `Tried to leave the machine: ${leaving.length}${leaving.length ? ` (${leaving.join(', ')})` : ''}.`);
  await writeFile(resolve(options.outDir, 'report.md'), ctx.lines.join('\n') + '\n');
  await writeFile(resolve(options.outDir, 'report.json'), JSON.stringify(ctx.report, null, 2) + '\n');
  return ctx.report;
}
