// Greedy decode speed, tfjs (cpu, wasm, webgpu) vs the PyTorch reference, measured in the same
// run on the same checkpoint and prompt. `npm run bench -- decode`.
// The parent process spawns one worker per (model, backend) so each backend gets a fresh heap,
// and WebGPU gets Dawn's loader variables at process start.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { webGpuRelaunchEnv, startNodeBackend, type NodeBackend } from '../../src/cli/node-backend';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..');
const BACKENDS: NodeBackend[] = ['cpu', 'wasm', 'webgpu'];

/** A random checkpoint with the default model's shape (6 M parameters), written by PyTorch. */
function makeDefaultShapedModel(): string {
  const dir = mkdtempSync(join(tmpdir(), 'attune-bench-model-'));
  const child = spawnSync('/usr/bin/python3', [join(HERE, '_make_bench_model.py'), dir], { encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`could not write the bench model: ${child.stderr}`);
  return dir;
}

const MODELS = [
  join(ROOT, 'test', 'fixtures', 'models', 'tiny-gpt2'),
  join(ROOT, 'test', 'fixtures', 'models', 'tiny-llama'),
  'default-shaped',
  join(ROOT, 'public', 'model'),
].filter((dir) => dir === 'default-shaped' || existsSync(join(dir, 'config.json')));
/** WebGPU here is a software rasteriser (SwiftShader): a few tokens tell the story. */
const WEBGPU_MAX_STEPS = 8;
const MODEL_FILTER = process.env.ATTUNE_BENCH_MODELS?.split(',');
/** Best of N alternating rounds per implementation: on a shared machine the best run is the least disturbed. */
const ROUNDS = Math.max(1, Number(process.env.ATTUNE_BENCH_ROUNDS ?? 1));
const BACKEND_FILTER = process.env.ATTUNE_BENCH_BACKENDS?.split(',') as NodeBackend[] | undefined;

interface Speeds {
  cached: number;
  uncached: number;
  tokens: number[];
}

/** Worker: decode on one backend and print {cached, uncached, tokens} as JSON. */
async function worker(backend: NodeBackend, modelDir: string, prompt: number[], steps: number): Promise<void> {
  const started = await startNodeBackend(backend);
  if (started.note) throw new Error(started.note);
  const { loadModelFromDirectory } = await import('../../src/model/node-files');
  const { generate } = await import('../../src/model');
  const model = await loadModelFromDirectory(modelDir);
  const opts = { greedy: true, stopTokenIds: [] as number[] };
  await generate(model, prompt, { ...opts, maxNewTokens: 4 }); // warm-up: kernels, shaders
  const speed = async (useCache: boolean, n: number) => {
    let first = 0;
    let count = 0;
    const result = await generate(model, prompt, { ...opts, maxNewTokens: n, useCache, onToken: () => (count++ === 0 ? (first = performance.now()) : 0) });
    // Rate over the decode steps (the prefill that produced the first token is excluded).
    return { rate: (result.tokens.length - 1) / ((performance.now() - first) / 1000), tokens: result.tokens };
  };
  const cached = await speed(true, steps + 1);
  const uncached = await speed(false, Math.min(steps, backend === 'cpu' ? 16 : steps) + 1);
  model.dispose();
  process.stdout.write(JSON.stringify({ cached: cached.rate, uncached: uncached.rate, tokens: cached.tokens.slice(0, steps) }) + '\n');
}

function runWorker(backend: NodeBackend, modelDir: string, prompt: number[], steps: number): Speeds | string {
  const env = backend === 'webgpu' ? (webGpuRelaunchEnv(process.env) ?? process.env) : process.env;
  const args = ['--import', 'tsx', fileURLToPath(import.meta.url), '--worker', backend, modelDir, prompt.join(','), String(steps)];
  const child = spawnSync(process.execPath, args, { env, encoding: 'utf8', timeout: 600_000 });
  if (child.status !== 0) return (child.stderr || 'failed').trim().split('\n').filter((l) => !l.includes('tfjs-node')).slice(-1)[0] ?? 'failed';
  return JSON.parse(child.stdout.trim().split('\n').at(-1)!) as Speeds;
}

interface TorchRun {
  threads: Record<string, { cached: number; uncached: number }>;
  tokens: number[];
}

function runTorch(modelDir: string, prompt: number[], steps: number): TorchRun {
  const run: TorchRun = { threads: {}, tokens: [] };
  for (const threads of [...new Set([1, cpus().length])]) {
    const env = { ...process.env, OPENBLAS_NUM_THREADS: String(threads), OMP_NUM_THREADS: String(threads) };
    const args = [join(HERE, '_decode_torch.py'), modelDir, prompt.join(','), String(steps), String(threads)];
    const child = spawnSync('/usr/bin/python3', args, { env, encoding: 'utf8', timeout: 600_000 });
    if (child.status !== 0) throw new Error(`PyTorch reference failed: ${child.stderr}`);
    const result = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as { cached: number; uncached: number; tokens: number[] };
    run.threads[threads] = { cached: result.cached, uncached: result.uncached };
    run.tokens = result.tokens;
  }
  return run;
}

/** Per thread count, the faster of two runs. */
function bestTorch(a: TorchRun | null, b: TorchRun): TorchRun {
  if (!a) return b;
  const threads: TorchRun['threads'] = {};
  for (const [n, t] of Object.entries(b.threads)) {
    const old = a.threads[n];
    threads[n] = old ? { cached: Math.max(old.cached, t.cached), uncached: Math.max(old.uncached, t.uncached) } : t;
  }
  return { threads, tokens: b.tokens };
}

async function main(): Promise<void> {
  await startNodeBackend('cpu'); // the parent only reads configs and sizes
  const fmt = (x: number) => (x >= 100 ? x.toFixed(0) : x.toPrecision(2)).padStart(7);
  for (const entry of MODELS) {
    if (MODEL_FILTER && !MODEL_FILTER.some((m) => entry.includes(m))) continue;
    const modelDir = entry === 'default-shaped' ? makeDefaultShapedModel() : entry;
    const label = entry === 'default-shaped' ? 'random weights, default-model shape (tools/pretrain/model_config.json)' : entry.replace(ROOT + '/', '');
    const { loadModelFromDirectory } = await import('../../src/model/node-files');
    const model = await loadModelFromDirectory(modelDir);
    const context = model.config.maxPositions;
    const prompt = Array.from({ length: 8 }, (_, i) => (i * 37 + 11) % model.config.vocabSize);
    const steps = Math.min(64, context - prompt.length - 2);
    const params = [...model.weights.values()].reduce((s, t) => s + t.size, 0);
    model.dispose();
    const backends = BACKEND_FILTER ?? BACKENDS;
    let torch: TorchRun | null = null;
    const tfjs = new Map<NodeBackend, Speeds | string>();
    for (let round = 0; round < ROUNDS; round++) {
      torch = bestTorch(torch, runTorch(modelDir, prompt, steps));
      for (const backend of backends) {
        if (round > 0 && backend === 'webgpu') continue; // minutes per run on a software GPU
        const r = runWorker(backend, modelDir, prompt, backend === 'webgpu' ? Math.min(steps, WEBGPU_MAX_STEPS) : steps);
        const previous = tfjs.get(backend);
        tfjs.set(backend, typeof r === 'string' || (typeof previous === 'object' && previous.cached > r.cached) ? (previous ?? r) : r);
      }
    }
    console.log(`\n(load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${cpus().length} cores: shared machines make every figure noisy; best of ${ROUNDS} round(s))`);
    const bestTorchRate = Math.max(...Object.values(torch!.threads).map((t) => t.cached));
    console.log(`\n${label}: ${params.toLocaleString('en-US')} parameters, prompt ${prompt.length}, ${steps} greedy tokens, tokens/s`);
    console.log('  implementation         KV cache  no cache   ratio vs best PyTorch (cached)');
    for (const [threads, t] of Object.entries(torch!.threads)) {
      console.log(`  PyTorch ${threads} thread(s)     ${fmt(t.cached)}   ${fmt(t.uncached)}   ${(t.cached / bestTorchRate).toFixed(2)}×`);
    }
    for (const backend of backends) {
      const r = tfjs.get(backend)!;
      if (typeof r === 'string') {
        console.log(`  tfjs-${backend.padEnd(16)} unavailable: ${r}`);
        continue;
      }
      const same = r.tokens.every((t, i) => t === torch!.tokens[i]) ? 'same tokens' : 'TOKENS DIFFER';
      console.log(`  tfjs-${backend.padEnd(16)} ${fmt(r.cached)}   ${fmt(r.uncached)}   ${(r.cached / bestTorchRate).toFixed(2)}×  (${same})`);
    }
    if (entry === 'default-shaped') rmSync(modelDir, { recursive: true, force: true });
  }
}

const argv = process.argv.slice(2);
if (argv[0] === '--worker') {
  await worker(argv[1] as NodeBackend, argv[2]!, argv[3]!.split(',').map(Number), Number(argv[4]));
} else {
  console.warn = () => {}; // tfjs's tfjs-node banner
  await main();
}
