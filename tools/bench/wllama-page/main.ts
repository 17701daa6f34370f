// The browser half of `npm run bench -- wllama` (tools/bench/wllama.ts drives it): the same GGUF
// file through wllama (llama.cpp compiled to WebAssembly) and through Attune (its GGUF import,
// then its tfjs model on the WASM backend, or WebGPU when the browser has a hardware adapter),
// measured the same way in the same page: prompt tokens/s = prompt length / time to the first
// new token; decode tokens/s = (new tokens - 1) / time from the first new token to the last.
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { Wllama } from '@wllama/wllama';
import { initBackend } from '../../../src/backend/init';
import { ggufToModelFiles } from '../../../src/interop/gguf/import-model';
import { disposeCache, forward, generate, loadModel, type LoadedModel } from '../../../src/model';

export interface RaceOptions {
  url: string;
  /** Attune's side cuts it to promptTokens ids and hands wllama that text (wllama takes text only). */
  prompt: string;
  promptTokens: number;
  decodeTokens: number;
  /** 'wasm', or 'webgpu' (only when the page found a hardware adapter). */
  device: 'wasm' | 'webgpu';
  /** Threads asked of wllama; 0 lets it choose (Attune's side runs single-threaded, as it ships). */
  threads: number;
  /** llama.cpp's own log to the console (ATTUNE_BENCH_VERBOSE=1). */
  verbose: boolean;
}

export interface SideResult {
  promptPerSecond: number;
  decodePerSecond: number;
  threads: number;
  tokens: number[];
  /** The greedy continuation's text. */
  text: string;
  /** The prompt as the side took it, and its length in tokens. */
  prompt: string;
  promptTokens: number;
  loadSeconds: number;
  /** Each library's own view, for the record (wllama: llama.cpp's timings). */
  note: string;
}

export interface DecodeProfile {
  generateMsPerToken: number;
  forwardMsPerToken: number;
  kernelMsPerToken: number;
  kernelsPerToken: number;
  byKernel: { name: string; count: number; ms: number }[];
}

async function fetchBlob(url: string): Promise<Blob> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.blob();
}

/** navigator.gpu's adapter, when it is a real GPU (a software fallback does not count). */
async function hardwareAdapter(): Promise<string | null> {
  const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<{ info?: { vendor?: string; architecture?: string; isFallbackAdapter?: boolean } } | null> } }).gpu;
  if (!gpu) return null;
  const adapter = await gpu.requestAdapter().catch(() => null);
  if (!adapter || adapter.info?.isFallbackAdapter) return null;
  const name = `${adapter.info?.vendor ?? ''} ${adapter.info?.architecture ?? ''}`.trim();
  return /swiftshader|llvmpipe/i.test(name) ? null : name || 'unnamed adapter';
}

async function environment(): Promise<{ crossOriginIsolated: boolean; cores: number; webgpu: string | null; userAgent: string }> {
  return { crossOriginIsolated: self.crossOriginIsolated, cores: navigator.hardwareConcurrency, webgpu: await hardwareAdapter(), userAgent: navigator.userAgent };
}

async function runWllama(options: RaceOptions): Promise<SideResult> {
  const started = performance.now();
  const wllama = new Wllama({ default: '/wllama/wllama.wasm' }, { suppressNativeLog: !options.verbose });
  await wllama.loadModel([await fetchBlob(options.url)], {
    n_ctx: 256,
    n_gpu_layers: options.device === 'webgpu' ? 999 : 0,
    ...(options.threads > 0 ? { n_threads: options.threads } : {}),
  });
  const loadSeconds = (performance.now() - started) / 1000;
  try {
    const run = async (maxTokens: number) => {
      let first = 0;
      let last = 0;
      let count = 0;
      const tokens: number[] = [];
      let text = '';
      let timings = '';
      let promptTokens = 0;
      const t0 = performance.now();
      // No prompt cache, so every run prefills in full; ignore_eos, so every run decodes maxTokens.
      await wllama.createCompletion({
        prompt: options.prompt,
        max_tokens: maxTokens,
        temperature: 0,
        stream: true,
        cache_prompt: false,
        ignore_eos: true,
        return_tokens: true,
        onData: (chunk: unknown) => {
          const c = chunk as { tokens?: number[]; choices?: { text?: string }[]; timings?: { prompt_n: number; prompt_per_second: number; predicted_per_second: number; predicted_n: number } };
          const now = performance.now();
          // One streamed event per new token; its ids when the server returns them.
          const n = c.tokens?.length ?? (c.choices?.length ? 1 : 0);
          if (n > 0) {
            if (count === 0) first = now;
            last = now;
            count += n;
            tokens.push(...(c.tokens ?? []));
            text += c.choices?.[0]?.text ?? '';
          }
          if (c.timings) promptTokens = c.timings.prompt_n;
          if (c.timings) timings = `llama.cpp's own timings: prompt ${c.timings.prompt_per_second.toFixed(0)}/s, decode ${c.timings.predicted_per_second.toFixed(0)}/s over ${c.timings.predicted_n}`;
        },
      } as never);
      return { t0, first, last, count, tokens, text, timings, promptTokens };
    };
    await run(8); // warm-up
    const r = await run(options.decodeTokens + 1);
    if (r.count < 2 || r.promptTokens === 0) throw new Error(`wllama streamed ${r.count} tokens and reported a ${r.promptTokens}-token prompt`);
    return {
      promptPerSecond: r.promptTokens / ((r.first - r.t0) / 1000),
      decodePerSecond: (r.count - 1) / ((r.last - r.first) / 1000),
      threads: wllama.getNumThreads(),
      tokens: r.tokens,
      text: r.text,
      prompt: options.prompt,
      promptTokens: r.promptTokens,
      loadSeconds,
      note: `${wllama.isMultithread() ? 'multi-thread' : 'single-thread'} build; ${r.timings}`,
    };
  } finally {
    await wllama.exit();
  }
}

let attuneModel: LoadedModel | null = null;

async function startAttune(options: RaceOptions): Promise<number> {
  // Single-threaded, as Attune ships (extension pages are not cross-origin isolated). tfjs's
  // threaded build would be allowed on this page, but its pthread worker breaks once bundled
  // ("e is not defined" in every worker, then tfjs hangs), so it is not offered here.
  const active = await initBackend({ override: options.device, wasmPrefix: '/tfjs/', wasmThreads: false });
  if (active.name !== options.device) throw new Error(`tfjs started ${active.name}, not ${options.device}`);
  return options.device === 'wasm' ? getThreadsCount() : 0;
}

async function runAttune(options: RaceOptions): Promise<SideResult> {
  const log = (what: string) => options.verbose && console.log(`attune: ${what} at ${performance.now().toFixed(0)} ms`);
  log('starting tfjs');
  const threads = await startAttune(options);
  log(`tfjs ${tf.getBackend()} with ${threads} threads`);
  const started = performance.now();
  const name = options.url.split('/').at(-1)!;
  const files = await ggufToModelFiles(await fetchBlob(options.url), name);
  log('imported');
  const model = await loadModel(files);
  log('loaded');
  attuneModel?.dispose();
  attuneModel = model;
  const loadSeconds = (performance.now() - started) / 1000;
  if (!model.tokenizer) throw new Error(`${name} imported without a tokenizer`);
  const prompt = model.tokenizer.encode(options.prompt, { addSpecialTokens: false }).slice(0, options.promptTokens);
  const run = async (maxNewTokens: number) => {
    let first = 0;
    let last = 0;
    const t0 = performance.now();
    const result = await generate(model, prompt, {
      greedy: true,
      stopTokenIds: [],
      maxNewTokens,
      onToken: () => {
        last = performance.now();
        if (first === 0) first = last;
      },
    });
    return { t0, first, last, tokens: result.tokens, text: result.text };
  };
  await run(8); // warm-up: kernels compiled, heap grown
  log('warm');
  const r = await run(options.decodeTokens + 1);
  return {
    promptPerSecond: prompt.length / ((r.first - r.t0) / 1000),
    decodePerSecond: (r.tokens.length - 1) / ((r.last - r.first) / 1000),
    threads,
    tokens: r.tokens,
    text: r.text,
    prompt: model.tokenizer.decode(prompt),
    promptTokens: prompt.length,
    loadSeconds,
    note: `tfjs ${tf.getBackend()}; GGUF import + load ${loadSeconds.toFixed(2)} s`,
  };
}

/**
 * Where a decode step of the model runAttune loaded goes: generate's wall time per token, a bare
 * cached forward + logits read per token, and tf.profile's kernels of one such step by name.
 */
async function profileAttune(text: string, promptTokens: number, steps: number): Promise<DecodeProfile> {
  const model = attuneModel;
  if (!model?.tokenizer) throw new Error('runAttune first');
  const prompt = model.tokenizer.encode(text, { addSpecialTokens: false }).slice(0, promptTokens);
  let first = 0;
  let last = 0;
  const result = await generate(model, prompt, { greedy: true, stopTokenIds: [], maxNewTokens: steps + 1, onToken: () => ((last = performance.now()), first === 0 && (first = last)) });
  const generateMsPerToken = (last - first) / (result.tokens.length - 1);
  const out = forward(model, { ids: [prompt], useCache: true, logits: 'last' });
  out.logits.dispose();
  let cache = out.cache;
  const step = () => {
    const next = forward(model, { ids: [[prompt[0]!]], cache, useCache: true, logits: 'last' });
    if (cache !== next.cache) disposeCache(cache);
    cache = next.cache;
    return next.logits;
  };
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) {
    const logits = step();
    await logits.data();
    logits.dispose();
  }
  const forwardMsPerToken = (performance.now() - t0) / steps;
  const totals = new Map<string, { count: number; ms: number }>();
  const profile = await tf.profile(async () => {
    const logits = step();
    await logits.data();
    logits.dispose();
  });
  for (const k of profile.kernels) {
    const key = k.name === 'BatchMatMul' || k.name.startsWith('Attune') ? `${k.name} ${k.inputShapes.map((s) => `[${s.join(',')}]`).join('·')}` : k.name;
    const entry = totals.get(key) ?? { count: 0, ms: 0 };
    totals.set(key, { count: entry.count + 1, ms: entry.ms + (typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0) });
  }
  disposeCache(cache);
  const byKernel = [...totals.entries()].map(([name, e]) => ({ name, ...e })).sort((a, b) => b.ms - a.ms);
  return {
    generateMsPerToken,
    forwardMsPerToken,
    kernelMsPerToken: byKernel.reduce((s, e) => s + e.ms, 0),
    kernelsPerToken: profile.kernels.length,
    byKernel,
  };
}

function releaseAttune(): void {
  attuneModel?.dispose();
  attuneModel = null;
}

Object.assign(globalThis, { race: { environment, runWllama, runAttune, profileAttune, releaseAttune } });
