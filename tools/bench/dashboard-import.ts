// Dashboard at scale, in real Chromium with the built extension (run `npx wxt build` first):
// import N generated examples through the dashboard's file input, then time search and a
// reload. `BENCH_EXAMPLES=20000 npm run bench -- dashboard` for other sizes.
import { existsSync } from 'node:fs';
import { EXTENSION_DIR, extensionUrl, launchExtension } from '../../test/e2e/harness.ts';

const N = Number(process.env.BENCH_EXAMPLES ?? 5000);

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

    start = performance.now();
    await page.reload();
    await totalIs(N);
    await page.getByTestId('example-row').first().waitFor();
    const reloadMs = performance.now() - start;

    const usage = (await page.evaluate(() => navigator.storage.estimate())).usage ?? 0;
    console.table({
      examples: N,
      'file MB': +(file.length / 1e6).toFixed(2),
      'file → preview (s)': +(previewMs / 1000).toFixed(2),
      'confirm → listed (s)': +(importMs / 1000).toFixed(2),
      'search (s)': +(searchMs / 1000).toFixed(2),
      'reload → listed (s)': +(reloadMs / 1000).toFixed(2),
      'storage used MB': +(usage / 1e6).toFixed(1),
    });
  } finally {
    await ext.close();
  }
}

await main();
