// The decode race against llama.cpp in the browser: `npm run bench -- wllama`. In ONE headless
// Chromium run, on a local cross-origin-isolated page (COOP/COEP, so either side may use wasm
// threads), the same GGUF file goes through @wllama/wllama (llama.cpp compiled to WebAssembly) and
// through Attune (its GGUF import, then its tfjs model on WASM, and on WebGPU when the browser has
// a hardware adapter). Prompt-processing and decode tokens/s, and Attune/wllama, per file:
//   - the shipped model (public/model) exported by Attune at f16 and at q8_0;
//   - a random model in SmolLM2-135M's shape (tools/bench/_make_shaped_model.py, the shipped
//     tokenizer padded to its 49,152 rows) exported at q8_0.
// Then where Attune's decode time goes on the shipped model (tf.profile of one step by kernel).
// Generated files are cached in .cache/wllama-race/ (git-ignored), so a rerun only measures.
// Environment: ATTUNE_BENCH_THREADS (threads asked of wllama; default 0 = its own choice, half the
// cores; Attune's tfjs runs single-threaded as it ships, see wllama-page/main.ts), ATTUNE_BENCH_FILES (comma list of parts of file names: shipped-f16, q8_0, smollm2, ...),
// ATTUNE_BENCH_VERBOSE=1 (the page's console, llama.cpp's log included), ATTUNE_BENCH_DECODE_TOKENS (default 64), ATTUNE_BENCH_PROMPT_TOKENS (default 96).
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, createReadStream, existsSync, mkdirSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { launchBrowser } from '../harness/browser.ts';
import type { DecodeProfile, RaceOptions, SideResult } from './wllama-page/main.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..');
const CACHE = join(ROOT, '.cache', 'wllama-race');
const PAGE_OUT = join(CACHE, 'page');
const THREADS = Number(process.env.ATTUNE_BENCH_THREADS ?? 0);
const DECODE_TOKENS = Number(process.env.ATTUNE_BENCH_DECODE_TOKENS ?? 64);
const VERBOSE = process.env.ATTUNE_BENCH_VERBOSE === '1';
const PROMPT_TOKENS = Number(process.env.ATTUNE_BENCH_PROMPT_TOKENS ?? 96);
/** English prose, cut to PROMPT_TOKENS tokens by Attune's side; wllama gets the same text. */
const PROMPT_TEXT = [
  'The harbor was quiet in the early morning, and the fishing boats rocked gently against the old wooden pier.',
  'A gull circled above the lighthouse while the keeper climbed the narrow stairs to check the lamp one more time.',
  'Down in the market, traders were setting out baskets of bread, apples, cheese and fresh fish from the night catch.',
  'Children ran between the stalls, and an old man by the fountain told anyone who would listen about the storm of his youth,',
  'when the waves rose higher than the church tower and the whole town spent three days and nights on the hill.',
].join(' ');
const SMOLLM2_135M = { model_type: 'llama', hidden_size: 576, num_hidden_layers: 30, num_attention_heads: 9, num_key_value_heads: 3, intermediate_size: 1536, vocab_size: 49152, rope_theta: 100000, tie_word_embeddings: true, max_position_embeddings: 2048, rms_norm_eps: 1e-5, bos_token_id: 0, eos_token_id: 0, hidden_act: 'silu' };

const require = createRequire(import.meta.url);
const packageDir = (name: string) => dirname(require.resolve(`${name}/package.json`));

function uptime(): string {
  return execFileSync('uptime', { encoding: 'utf8' }).trim();
}

function newer(file: string, than: string): boolean {
  return existsSync(file) && statSync(file).mtimeMs >= statSync(than).mtimeMs;
}

function exportGguf(modelDir: string, type: 'f16' | 'q8_0', out: string): void {
  if (newer(out, join(modelDir, 'model.safetensors'))) return;
  const child = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli', 'main.ts'), 'export', '--format', 'gguf', '--model', modelDir, '--type', type, '--out', out], { encoding: 'utf8', cwd: ROOT });
  if (child.status !== 0) throw new Error(`attune export ${out}: ${child.stderr.trim().split('\n').at(-1)}`);
}

/** The three files of the race, made once and kept in CACHE. */
function prepareFiles(): { label: string; file: string }[] {
  mkdirSync(CACHE, { recursive: true });
  const shipped = join(ROOT, 'public', 'model');
  exportGguf(shipped, 'f16', join(CACHE, 'shipped-f16.gguf'));
  exportGguf(shipped, 'q8_0', join(CACHE, 'shipped-q8_0.gguf'));
  const shaped = join(CACHE, 'smollm2-135m-shaped');
  if (!existsSync(join(shaped, 'model.safetensors'))) {
    const made = spawnSync('/usr/bin/python3', [join(HERE, '_make_shaped_model.py'), shaped, JSON.stringify(SMOLLM2_135M)], { encoding: 'utf8' });
    if (made.status !== 0) throw new Error(`could not write the 135M-shaped checkpoint: ${made.stderr}`);
    // GGUF needs a tokenizer: the shipped one; the rows past its 6,144 ids export as unused tokens.
    for (const name of ['tokenizer.json', 'tokenizer_config.json']) copyFileSync(join(shipped, name), join(shaped, name));
  }
  exportGguf(shaped, 'q8_0', join(CACHE, 'smollm2-135m-shaped-q8_0.gguf'));
  return [
    { label: 'shipped model, f16', file: 'shipped-f16.gguf' },
    { label: 'shipped model, q8_0', file: 'shipped-q8_0.gguf' },
    { label: 'SmolLM2-135M shape (random), q8_0', file: 'smollm2-135m-shaped-q8_0.gguf' },
  ];
}

async function buildPage(): Promise<void> {
  await build({ configFile: false, logLevel: 'warn', root: join(HERE, 'wllama-page'), base: '/', build: { outDir: PAGE_OUT, emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 8000 } });
}

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.wasm': 'application/wasm', '.gguf': 'application/octet-stream' };

/** Serves the page, both libraries' wasm files and the GGUF files, cross-origin isolated. */
async function startServer(): Promise<{ origin: string; close(): Promise<void> }> {
  const mounts: [string, string][] = [
    ['/wllama/', join(packageDir('@wllama/wllama'), 'esm', 'wasm')],
    ['/tfjs/', join(packageDir('@tensorflow/tfjs-backend-wasm'), 'dist')],
    ['/models/', CACHE],
    ['/', PAGE_OUT],
  ];
  const server: Server = createServer((request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    const [prefix, dir] = mounts.find(([p]) => path.startsWith(p))!;
    const file = join(dir, path === '/' ? 'index.html' : path.slice(prefix.length));
    if (!file.startsWith(dir) || !existsSync(file) || !statSync(file).isFile()) {
      response.writeHead(404).end('not found');
      return;
    }
    response.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'content-length': statSync(file).size,
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-embedder-policy': 'require-corp',
      'cross-origin-resource-policy': 'same-origin',
    });
    createReadStream(file).pipe(response);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise<void>((done) => server.close(() => done())) };
}

const rate = (n: number) => n.toFixed(n >= 100 ? 0 : 1).padStart(7);

/** How far the two greedy continuations agree (wllama streams text, not ids). */
function agreement(a: string, b: string): string {
  let same = 0;
  while (same < Math.min(a.length, b.length) && a[same] === b[same]) same++;
  return `greedy text equal for the first ${same} of ${Math.max(a.length, b.length)} characters`;
}

async function main(): Promise<void> {
  const files = prepareFiles();
  await buildPage();
  const server = await startServer();
  // Offline proof flags: every host name fails to resolve, so nothing here can reach the network.
  const browser = await launchBrowser({ netLogPath: join(tmpdir(), `attune-wllama-netlog-${process.pid}.json`) });
  try {
    const page = await browser.context.newPage();
    page.setDefaultTimeout(300_000);
    if (VERBOSE) page.on('console', (message) => console.log(`  [page] ${message.text()}`));
    await page.goto(`${server.origin}/`);
    await page.waitForFunction(() => 'race' in globalThis);
    const env = await page.evaluate(() => (globalThis as unknown as { race: { environment(): Promise<{ crossOriginIsolated: boolean; cores: number; webgpu: string | null; userAgent: string }> } }).race.environment());
    console.log(`Attune vs wllama ${require('@wllama/wllama/package.json').version} (llama.cpp in WebAssembly) in one headless Chromium: ${env.userAgent.match(/Chrome\/[\d.]+/)?.[0] ?? env.userAgent}`);
    console.log(`page cross-origin isolated: ${env.crossOriginIsolated}; ${env.cores} cores; wllama threads asked: ${THREADS || 'its own choice'}; Attune single-threaded as shipped`);
    console.log(`WebGPU: ${env.webgpu ? `hardware adapter ${env.webgpu}` : 'no hardware adapter in this browser (software adapters do not count), so WASM only'}`);
    console.log(`prompt ${PROMPT_TOKENS} tokens of English prose; decode ${DECODE_TOKENS} tokens greedy after one warm-up run; tokens/s measured in the page the same way for both sides`);
    const devices: RaceOptions['device'][] = env.webgpu ? ['wasm', 'webgpu'] : ['wasm'];
    const only = process.env.ATTUNE_BENCH_FILES?.split(',');
    for (const { label, file } of files.filter((f) => !only || only.some((o) => f.file.includes(o)))) {
      for (const device of devices) {
        const ours: RaceOptions = { url: `/models/${file}`, prompt: PROMPT_TEXT, promptTokens: PROMPT_TOKENS, decodeTokens: DECODE_TOKENS, device, threads: THREADS, verbose: VERBOSE };
        console.log(`\n${label} (${(statSync(join(CACHE, file)).size / 1e6).toFixed(1)} MB), ${device}   [${uptime()}]`);
        type Race = { runWllama(o: RaceOptions): Promise<SideResult>; runAttune(o: RaceOptions): Promise<SideResult>; releaseAttune(): void };
        const attune = await page.evaluate((o) => (globalThis as unknown as { race: Race }).race.runAttune(o), ours);
        const wllama = await page.evaluate((o) => (globalThis as unknown as { race: Race }).race.runWllama(o), { ...ours, prompt: attune.prompt });
        console.log(`  ${''.padEnd(8)} ${'prompt/s'.padStart(9)} ${'decode/s'.padStart(9)}  threads  load`);
        console.log(`  wllama   ${rate(wllama.promptPerSecond)}   ${rate(wllama.decodePerSecond)}  ${String(wllama.threads).padStart(7)}  ${wllama.loadSeconds.toFixed(2)} s  (${wllama.note})`);
        console.log(`  Attune   ${rate(attune.promptPerSecond)}   ${rate(attune.decodePerSecond)}  ${String(attune.threads).padStart(7)}  ${attune.loadSeconds.toFixed(2)} s  (${attune.note})`);
        console.log(`  prompt tokens: Attune ${attune.promptTokens}, wllama ${wllama.promptTokens}`);
        console.log(`  Attune/wllama: prompt ${(attune.promptPerSecond / wllama.promptPerSecond).toFixed(2)}×, decode ${(attune.decodePerSecond / wllama.decodePerSecond).toFixed(2)}×; ${agreement(attune.text, wllama.text)}`);
        if (file === 'shipped-f16.gguf' && device === 'wasm') {
          const profile = await page.evaluate(([p, n]) => (globalThis as unknown as { race: { profileAttune(p: string, n: number, s: number): Promise<DecodeProfile> } }).race.profileAttune(p, n, 32), [PROMPT_TEXT, PROMPT_TOKENS] as const);
          console.log(`  where Attune's decode step goes: generate ${profile.generateMsPerToken.toFixed(2)} ms/token; bare cached forward + logits read ${profile.forwardMsPerToken.toFixed(2)} ms; ${profile.kernelsPerToken} kernels taking ${profile.kernelMsPerToken.toFixed(2)} ms inside them`);
          for (const k of profile.byKernel.slice(0, 12)) console.log(`    ${k.name.padEnd(52)} ${String(k.count).padStart(4)}× ${k.ms.toFixed(3).padStart(8)} ms`);
        }
        await page.evaluate(() => (globalThis as unknown as { race: { releaseAttune(): void } }).race.releaseAttune());
      }
    }
    console.log(`\n[${uptime()}]`);
  } finally {
    await browser.close();
    await server.close();
  }
}

await main();
