// Dashboard at scale, in real Chromium with the built extension (run `npx wxt build` first):
// import N generated examples (default 20,000) through the dashboard's file input, then time
// search, the tag filter, delete with undo, export and a reload; then 100 adapters in the
// Adapters view (list, rename, delete). `BENCH_EXAMPLES=5000 npm run bench -- dashboard` for
// other sizes. Each figure is the time until the page shows the result.
import { existsSync, statSync } from 'node:fs';
import { loadavg } from 'node:os';
import type { Page } from 'playwright-core';
import { EXTENSION_DIR, extensionUrl, launchExtension } from '../harness/browser.ts';

const N = Number(process.env.BENCH_EXAMPLES ?? 20000);
const ADAPTERS = 100;

function generateJsonl(count: number): string {
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    lines.push(
      JSON.stringify({
        instruction: `Question number ${i} about topic ${i % 37}`,
        input: 'context '.repeat(20 + (i % 50)),
        output: `Answer ${i} `.repeat(30),
        tags: [`t${i % 10}`],
        sourceUrl: `https://site${i % 20}.example/p${i}`,
      }),
    );
  }
  return lines.join('\n');
}

/**
 * Writes ADAPTERS adapter records (256 KB of weights each, the size of a LoRA on the shipped
 * model) straight into the extension's database, then times the Adapters view on them.
 */
async function adapterFigures(page: Page): Promise<{ listMs: number; renameMs: number; deleteMs: number }> {
  await page.evaluate(async (count) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open('attune');
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    const tx = db.transaction('adapters', 'readwrite');
    for (let i = 0; i < count; i++) {
      const now = Date.now() + i;
      tx.objectStore('adapters').put({
        id: `bench-adapter-${i}`,
        name: `Bench adapter ${i}`,
        method: 'lora',
        modelId: 'attune-default',
        config: { peft_type: 'LORA', r: 8, lora_alpha: 16, target_modules: ['q_proj', 'v_proj'] },
        weights: new ArrayBuffer(256 * 1024),
        createdAt: now,
        updatedAt: now,
        metrics: { heldOutLossBefore: 3.2, heldOutLossAfter: 2.1, steps: 30 },
      });
    }
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
    });
    db.close();
  }, ADAPTERS);
  const rows = page.getByTestId('adapter-row');
  let start = performance.now();
  await page.goto(page.url().replace(/#.*$/, '') + '#adapters');
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="adapter-row"]').length === n, ADAPTERS, { timeout: 120_000 });
  const listMs = performance.now() - start;

  const last = rows.filter({ hasText: `Bench adapter ${ADAPTERS - 1}` });
  start = performance.now();
  await last.getByTestId('adapter-rename').click();
  await page.getByTestId('adapters-rename-input').fill('Renamed bench adapter');
  await page.getByTestId('adapters-rename-save').click();
  await rows.filter({ hasText: 'Renamed bench adapter' }).waitFor();
  const renameMs = performance.now() - start;

  start = performance.now();
  await rows.filter({ hasText: 'Renamed bench adapter' }).getByTestId('adapter-delete').click();
  await page.getByTestId('adapters-delete-confirm').click();
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="adapter-row"]').length === n, ADAPTERS - 1, { timeout: 120_000 });
  const deleteMs = performance.now() - start;
  return { listMs, renameMs, deleteMs };
}

async function main(): Promise<void> {
  if (!existsSync(EXTENSION_DIR)) throw new Error(`No build in ${EXTENSION_DIR}: run \`npx wxt build\` first.`);
  const file = generateJsonl(N);
  const ext = await launchExtension();
  try {
    const page = await ext.context.newPage();
    await page.goto(extensionUrl(ext, 'dashboard.html'));
    await page.getByTestId('examples-count').waitFor();
    const totalIs = (n: number) =>
      page.waitForFunction(
        (expected) => document.querySelector('[data-testid="examples-count"]')?.getAttribute('data-total') === String(expected),
        n,
        { timeout: 600_000 },
      );

    let start = performance.now();
    await page.getByTestId('examples-import-file').setInputFiles({ name: 'bench.jsonl', mimeType: 'application/x-ndjson', buffer: Buffer.from(file) });
    await page.getByTestId('import-preview').waitFor();
    const previewMs = performance.now() - start;

    start = performance.now();
    await page.getByTestId('import-confirm').click();
    await totalIs(N);
    const importMs = performance.now() - start;

    start = performance.now();
    await page.getByTestId('examples-search').fill(`Question number ${N - 1} `);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="example-row"]').length === 1);
    const searchMs = performance.now() - start;

    await page.getByTestId('examples-search').fill('');
    const matchingIs = (n: number) =>
      page.waitForFunction(
        (expected) => document.querySelector('[data-testid="examples-count"]')?.getAttribute('data-matching') === String(expected),
        n,
        { timeout: 600_000 },
      );
    await matchingIs(N);
    start = performance.now();
    await page.getByTestId('examples-tag').selectOption('t3');
    await matchingIs(N / 10);
    const filterMs = performance.now() - start;
    await page.getByTestId('examples-tag').selectOption('');
    await matchingIs(N);

    start = performance.now();
    await page.getByTestId('example-row').first().getByTestId('example-delete').click();
    await totalIs(N - 1);
    const deleteMs = performance.now() - start;
    start = performance.now();
    await page.getByTestId('toast-undo').click();
    await totalIs(N);
    const undoMs = performance.now() - start;

    start = performance.now();
    const download = page.waitForEvent('download');
    await page.getByTestId('examples-export').click();
    const exportedBytes = statSync(await (await download).path()).size;
    const exportMs = performance.now() - start;

    start = performance.now();
    await page.reload();
    await totalIs(N);
    await page.getByTestId('example-row').first().waitFor();
    const reloadMs = performance.now() - start;

    const adapters = await adapterFigures(page);

    const usage = (await page.evaluate(() => navigator.storage.estimate())).usage ?? 0;
    console.table({
      examples: N,
      'file MB': +(file.length / 1e6).toFixed(2),
      'file → preview (s)': +(previewMs / 1000).toFixed(2),
      'confirm → listed (s)': +(importMs / 1000).toFixed(2),
      'search (s)': +(searchMs / 1000).toFixed(2),
      'tag filter (s)': +(filterMs / 1000).toFixed(2),
      'delete one (s)': +(deleteMs / 1000).toFixed(2),
      'undo (s)': +(undoMs / 1000).toFixed(2),
      [`export ${(exportedBytes / 1e6).toFixed(1)} MB (s)`]: +(exportMs / 1000).toFixed(2),
      'reload → listed (s)': +(reloadMs / 1000).toFixed(2),
      'storage used MB': +(usage / 1e6).toFixed(1),
    });
    console.table({
      adapters: ADAPTERS,
      'open Adapters view → listed (s)': +(adapters.listMs / 1000).toFixed(2),
      'rename (s)': +(adapters.renameMs / 1000).toFixed(2),
      'delete (s)': +(adapters.deleteMs / 1000).toFixed(2),
    });
    console.log(`load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  } finally {
    await ext.close();
  }
}

await main();
