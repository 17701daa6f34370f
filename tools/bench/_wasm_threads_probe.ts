// Does tfjs-wasm's threaded SIMD build start in headless Chromium, how many threads does it use,
// and what does it do to the matMul shapes that dominate a 135M LoRA step (one block's products
// at 4 × 256 rows)? Serves a page from 127.0.0.1 with or without cross-origin isolation
// (COOP/COEP headers) and with or without the extension pages' CSP, and asks for 1 or 2 threads.
//   node --import tsx tools/bench/_wasm_threads_probe.ts
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';
import { CHROMIUM } from '../harness/browser';

const require = createRequire(import.meta.url);
const TF = join(dirname(require.resolve('@tensorflow/tfjs/package.json')), 'dist');
const WASM = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
const EXTENSION_CSP = "script-src 'self' 'wasm-unsafe-eval'; object-src 'self'";

const PAGE = `<!doctype html><meta charset="utf-8"><script src="/tf.min.js"></script><script src="/tf-backend-wasm.min.js"></script><script src="/probe.js"></script>`;
const PROBE = `
window.runProbe = async (threads, widenPool) => {
  tf.wasm.setWasmPaths('/');
  if (threads > 0) tf.wasm.setThreadsCount(threads);
  // tfjs sizes XNNPACK's pool from hardwareConcurrency / 2 while the module starts: show it twice
  // the cores for that moment only (an own property on this navigator, removed right after).
  if (widenPool) Object.defineProperty(navigator, 'hardwareConcurrency', { value: 2 * threads, configurable: true });
  let ok;
  try { ok = await tf.setBackend('wasm'); await tf.ready(); } finally { if (widenPool) delete navigator.hardwareConcurrency; }
  const out = { ok, backend: tf.getBackend(), simd: await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'), isolated: self.crossOriginIsolated === true, hardwareConcurrency: navigator.hardwareConcurrency,
    multithread: await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'), threads: tf.wasm.getThreadsCount(), shapes: [] };
  // One 135M block's forward products at 1024 rows, and the head chunk's forward.
  for (const [m, k, n, reps] of [[1024, 576, 1536, 6], [1024, 1536, 576, 6], [1024, 576, 576, 6], [170, 576, 49152, 3]]) {
    const a = tf.randomNormal([m, k]); const b = tf.randomNormal([k, n]);
    const warm = tf.matMul(a, b); warm.dataSync(); warm.dispose(); // packs b once (XNNPACK keeps the packed weight)
    const t0 = performance.now();
    // The product is read outside tidy: a typed array returned from tidy is walked element by
    // element as a container of tensors (seconds for a million floats), which an earlier version
    // of this probe measured instead of the product.
    for (let i = 0; i < reps; i++) { const y = tf.matMul(a, b); y.dataSync(); y.dispose(); }
    const ms = (performance.now() - t0) / reps;
    out.shapes.push({ shape: m + 'x' + k + 'x' + n, ms: +ms.toFixed(1), gflops: +((2 * m * k * n) / ms / 1e6).toFixed(1) });
    tf.dispose([a, b]);
  }
  return out;
};`;

function serve(isolated: boolean, csp: boolean) {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const headers: Record<string, string> = {};
    if (isolated) Object.assign(headers, { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' });
    if (csp) headers['Content-Security-Policy'] = EXTENSION_CSP;
    const files: Record<string, [string | Buffer, string]> = {
      '/': [PAGE, 'text/html'],
      '/probe.js': [PROBE, 'text/javascript'],
    };
    const found =
      files[path] ??
      (path === '/tf.min.js' ? [readFileSync(join(TF, 'tf.min.js')), 'text/javascript'] : undefined) ??
      (path === '/tf-backend-wasm.min.js' ? [readFileSync(join(WASM, 'tf-backend-wasm.min.js')), 'text/javascript'] : undefined) ??
      (path.endsWith('.wasm') ? [readFileSync(join(WASM, path.slice(1))), 'application/wasm'] : undefined);
    if (!found) return void res.writeHead(404).end();
    const [body, type] = found;
    headers['Content-Type'] = type;
    res.writeHead(200, headers).end(body);
  });
  return new Promise<{ url: string; close: () => void }>((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const address = server.address() as { port: number };
      resolve({ url: `http://127.0.0.1:${address.port}/`, close: () => server.close() });
    }),
  );
}

async function main(): Promise<void> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', ...(process.env.PROBE_JS_FLAGS ? [`--js-flags=${process.env.PROBE_JS_FLAGS}`] : [])] });
  const cases: [string, boolean, boolean, number, boolean][] = [
    ['not isolated', false, false, 0, false],
    ['isolated, setThreadsCount(2)', true, false, 2, false],
    ['isolated, setThreadsCount(2), pool widened', true, false, 2, true],
  ];
  for (const [label, isolated, csp, threads, widen] of cases) {
    const { url, close } = await serve(isolated, csp);
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('console', (m) => (m.type() === 'error' ? errors.push(m.text().slice(0, 160)) : undefined));
    page.on('pageerror', (e) => errors.push(e.message.slice(0, 160)));
    page.on('response', (r) => (r.status() >= 400 ? errors.push(`${r.status()} ${r.url()}`) : undefined));
    await page.goto(url);
    const result = await Promise.race([
      page.evaluate(([n, w]) => (window as unknown as { runProbe: (n: number, w: boolean) => Promise<unknown> }).runProbe(n, w), [threads, widen] as const).catch((e: unknown) => ({ error: String(e).slice(0, 200) })),
      new Promise((r) => setTimeout(() => r({ error: 'timed out after 120 s' }), 120_000)),
    ]);
    console.log(`${label}: ${JSON.stringify(result)}${errors.length ? ` errors: ${errors.slice(0, 4).join(' | ')}` : ''}`);
    await page.close();
    close();
  }
  await browser.close();
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
