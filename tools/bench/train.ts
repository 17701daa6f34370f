// Training speed and memory: Attune's trainer on tfjs (wasm, cpu, WebGPU) vs PyTorch (PEFT-style,
// Debian torch) in the same run, on the same checkpoint, batch size and sequence length.
// `npm run bench -- train`.
// Cases: LoRA (r 8 on q/k/v/o) on every backend and a soft prompt (prompt tuning, 20 virtual tokens)
// on wasm. tfjs-cpu and WebGPU on the software adapter (SwiftShader) are 10–1000× slower than wasm,
// so they run a smaller batch and fewer steps; PyTorch is measured again at that size, so every
// ratio compares like with like. Models: the shipped default model when it is built (public/model)
// and a random model of the default model's shape; the slow cases run on the first model only.
// Each measurement runs in its own process (fresh heap, peak RSS of that run only) and prints
// tokens/s, the ratio to PyTorch, peak RSS and the peak of tf.memory().numBytes.
// Environment: ATTUNE_BENCH_TRAIN_STEPS (timed wasm steps, default 6),
// ATTUNE_BENCH_CASES (comma list of case names below, e.g. `lora-wasm,prompt-wasm`),
// ATTUNE_BENCH_MODELS (comma list of substrings of the model labels, `public` or `random`),
// ATTUNE_BENCH_WORKERS (realms computing each wasm step, as `attune train --workers`; default the
// plan's: min(cores, batch); the wasm cases run the memory plan as the CLI does).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { webGpuRelaunchEnv, type NodeBackend } from '../../src/cli/node-backend';
import type { LoadedModel } from '../../src/model';
import type { ModelConfig } from '../../src/model/types';
import type { Adapter, MethodConfigMap } from '../../src/tuning/types';
import { prepareWasmTraining, type WasmTraining } from './_wasm_trainer';
import { writeRandomDefaultShape } from './_random_model';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..');
const VIRTUAL_TOKENS = 20;
const TIMED_STEPS = Number(process.env.ATTUNE_BENCH_TRAIN_STEPS ?? 6);
/** Realms computing each wasm step (`attune train --workers`); default as the CLI: min(cores, batch). */
const WORKERS = process.env.ATTUNE_BENCH_WORKERS ? Number(process.env.ATTUNE_BENCH_WORKERS) : undefined;

type Method = 'lora' | 'prompt-tuning';

interface Case {
  name: string;
  method: Method;
  backend: NodeBackend;
  batch: number;
  seqLen: number;
  warmup: number;
  steps: number;
  /** Run on every model, or on the first one only (slow backends). */
  everyModel: boolean;
  timeoutS: number;
}

const CASES: Case[] = [
  { name: 'lora-wasm', method: 'lora', backend: 'wasm', batch: 16, seqLen: 128, warmup: 2, steps: TIMED_STEPS, everyModel: true, timeoutS: 1200 },
  { name: 'prompt-wasm', method: 'prompt-tuning', backend: 'wasm', batch: 16, seqLen: 128, warmup: 2, steps: TIMED_STEPS, everyModel: false, timeoutS: 1200 },
  // A step of batch 16 × 128 takes minutes on tfjs-cpu: batch 2, one warm-up, 2 timed.
  { name: 'lora-cpu', method: 'lora', backend: 'cpu', batch: 2, seqLen: 128, warmup: 1, steps: 2, everyModel: false, timeoutS: 1200 },
  // SwiftShader runs every WebGPU dispatch on the CPU: batch 2 × 128 took ≈ 7 min a step here.
  { name: 'lora-webgpu', method: 'lora', backend: 'webgpu', batch: 1, seqLen: 64, warmup: 1, steps: 1, everyModel: false, timeoutS: 1200 },
];

interface SideResult {
  tokensPerSecond: number;
  firstLoss: number;
  lastLoss: number;
  peakRssMb: number;
  /** Peak of tf.memory().numBytes during the run (tfjs sides only). */
  peakTensorMb?: number;
  /** Timed steps' tokens per second of process CPU time (all threads): steadier than wall time on a shared machine. */
  tokensPerCpuSecond?: number;
  threads?: number;
  /** The BLAS PyTorch loaded (tools/bench/_torch_env.py). */
  blas?: string;
  /** Attune on wasm: what the memory plan chose (micro-batch, recomputation, workers). */
  plan?: string;
}

/** Peak of the engine's live tensor bytes, sampled whenever a tensor is created (no profiling overhead). */
async function trackPeakTensorBytes(): Promise<() => number> {
  const tf = await import('@tensorflow/tfjs');
  const engine = tf.engine() as unknown as { state: { numBytes: number }; trackTensor: (...args: unknown[]) => unknown };
  let peak = engine.state.numBytes;
  const track = engine.trackTensor.bind(engine);
  engine.trackTensor = (...args: unknown[]) => {
    const result = track(...args);
    peak = Math.max(peak, engine.state.numBytes);
    return result;
  };
  return () => peak;
}

/** Worker: train with the real Trainer on one backend; print one JSON line. */
async function worker(modelDir: string, c: Case): Promise<void> {
  const { startNodeBackend } = await import('../../src/cli/node-backend');
  const started = await startNodeBackend(c.backend);
  if (started.note) throw new Error(started.note);
  const peakTensorBytes = await trackPeakTensorBytes();
  const { loraMethod } = await import('../../src/tuning/methods/lora/method');
  const { promptTuningMethod } = await import('../../src/tuning/methods/prompt-tuning/method');
  const { Trainer } = await import('../../src/tuning/train/trainer');
  const { chooseDefaults } = await import('../../src/tuning/train/defaults');
  const { Rng } = await import('../../src/tuning/rng');
  const run = await prepareRun(modelDir, c);
  const { model } = run;
  const rng = new Rng(0);
  // One batch of random sequences, loss on every next token, as on the PyTorch side.
  const train = Array.from({ length: c.batch }, () => {
    const ids = Array.from({ length: c.seqLen }, () => rng.int(model.config.vocabSize));
    return { ids, lossMask: ids.map(() => 1) };
  });
  const stats = { count: c.batch, meanTokens: c.seqLen, maxTokens: c.seqLen, p95Tokens: c.seqLen };
  const defaults = chooseDefaults({ stats, optimizer: (c.method === 'lora' ? loraMethod : promptTuningMethod).optimizer, contextTokens: model.config.maxPositions });
  const settings = { ...defaults, batchSize: c.batch, ...run.batchSettings, maxSteps: c.warmup + c.steps };
  const times: number[] = [];
  const cpuTimes: number[] = [];
  const losses: number[] = [];
  const trainer = new Trainer({
    model,
    adapter: run.adapter,
    train,
    heldOut: [],
    settings,
    ...run.trainerOptions,
    onProgress: (p) => {
      times.push(performance.now());
      const cpu = process.cpuUsage();
      cpuTimes.push((cpu.user + cpu.system) / 1e6);
      losses.push(p.loss);
    },
  });
  await trainer.run().finally(() => run.close());
  const seconds = (times.at(-1)! - times[c.warmup - 1]!) / 1000;
  const result: SideResult = {
    tokensPerSecond: (c.batch * c.seqLen * c.steps) / seconds,
    firstLoss: losses[0]!,
    lastLoss: losses.at(-1)!,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    peakTensorMb: peakTensorBytes() / 2 ** 20,
    tokensPerCpuSecond: (c.batch * c.seqLen * c.steps) / (cpuTimes.at(-1)! - cpuTimes[c.warmup - 1]!),
    ...(run.plan ? { plan: run.plan } : {}),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** The method's config for this case (prompt tuning: random-initialised virtual tokens, as PyTorch's). */
async function methodConfigFor(method: Method): Promise<(config: ModelConfig) => MethodConfigMap[Method]> {
  const { loraMethod } = await import('../../src/tuning/methods/lora/method');
  const { promptTuningMethod } = await import('../../src/tuning/methods/prompt-tuning/method');
  return (config) =>
    method === 'lora'
      ? loraMethod.defaultConfig(config)
      : { ...promptTuningMethod.defaultConfig(config), numVirtualTokens: VIRTUAL_TOKENS, init: 'random' as const };
}

interface PreparedCase {
  model: LoadedModel;
  adapter: Adapter;
  trainerOptions: Partial<WasmTraining['trainerOptions']>;
  batchSettings?: WasmTraining['batchSettings'];
  /** The memory plan's choice (wasm). */
  plan?: string;
  close(): Promise<void>;
}

/**
 * wasm: as `attune train` runs (the memory plan, and gradient workers on every core when it plans
 * several realms); tfjs-cpu and WebGPU: one realm with the whole batch, which is how the CLI runs
 * them (no plan on CPU; one device already uses the whole GPU).
 */
async function prepareRun(modelDir: string, c: Case): Promise<PreparedCase> {
  const methodConfig = await methodConfigFor(c.method);
  if (c.backend === 'wasm') {
    const run = await prepareWasmTraining({ modelDir, method: c.method, methodConfig, batch: c.batch, length: c.seqLen, ...(WORKERS ? { workers: WORKERS } : {}) });
    return { ...run, plan: run.describe() };
  }
  const { loadModelFromDirectory } = await import('../../src/model/node-files');
  const { getMethod } = await import('../../src/tuning/registry');
  const model = await loadModelFromDirectory(modelDir);
  const adapter = getMethod(c.method).create(methodConfig(model.config), { model: model.config, weights: model.weights, baseModelId: 'bench', seed: 0 });
  return { model, adapter, trainerOptions: {}, close: async () => {} };
}

function lastJsonLine(stdout: string): SideResult {
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as SideResult;
}

function failure(child: ReturnType<typeof spawnSync>, timeoutS: number): string {
  if (child.error && (child.error as NodeJS.ErrnoException).code === 'ETIMEDOUT') return `timed out after ${timeoutS} s`;
  const lines = String(child.stderr || 'failed').trim().split('\n').filter((l) => !l.includes('tfjs-node') && l.trim() !== '');
  return lines.at(-1) ?? 'failed';
}

function runTfjs(modelDir: string, c: Case): SideResult | string {
  const env = c.backend === 'webgpu' ? (webGpuRelaunchEnv(process.env) ?? process.env) : process.env;
  const args = ['--import', 'tsx', fileURLToPath(import.meta.url), '--worker', modelDir, JSON.stringify(c)];
  const child = spawnSync(process.execPath, args, { env, encoding: 'utf8', timeout: c.timeoutS * 1000 });
  if (child.status !== 0) return failure(child, c.timeoutS);
  return lastJsonLine(child.stdout);
}

/**
 * PyTorch at its best here: 1 and 2 threads (OMP/OpenBLAS thread counts set to match, passive
 * OpenMP waiting above one thread, or the two pools spin against each other on 2 cores); the
 * faster run is the reference.
 */
function runTorch(modelDir: string, c: Case): SideResult | string {
  let best: SideResult | string = 'no thread count ran';
  for (const threads of [1, 2].filter((n) => n <= cpus().length)) {
    const args = [join(HERE, '_train_torch.py'), modelDir, String(c.batch), String(c.seqLen), String(c.warmup), String(c.steps), c.method, String(VIRTUAL_TOKENS), String(threads)];
    const env = { ...process.env, OMP_NUM_THREADS: String(threads), OPENBLAS_NUM_THREADS: String(threads), ...(threads > 1 ? { OMP_WAIT_POLICY: 'PASSIVE' } : {}) };
    const child = spawnSync('/usr/bin/python3', args, { env, encoding: 'utf8', timeout: c.timeoutS * 1000 });
    if (child.status !== 0) {
      if (typeof best === 'string') best = failure(child, c.timeoutS);
      continue;
    }
    const result = lastJsonLine(child.stdout);
    if (typeof best === 'string' || result.tokensPerSecond > best.tokensPerSecond) best = result;
  }
  return best;
}

function describe(c: Case): string {
  const what = c.method === 'lora' ? 'LoRA r 8 q/k/v/o' : `prompt tuning ${VIRTUAL_TOKENS} tokens`;
  return `${what}, batch ${c.batch} × ${c.seqLen}, ${c.steps} timed step${c.steps === 1 ? '' : 's'} after ${c.warmup} warm-up`;
}

function row(name: string, r: SideResult | string, torch: SideResult | string | null): string {
  if (typeof r === 'string') return `  ${name.padEnd(30)} failed: ${r}`;
  // Against the netlib reference BLAS PyTorch is ~30× slower: no ratio rather than a flattering one.
  const fastBlas = torch && typeof torch !== 'string' && ['openblas', 'mkl', 'blis'].includes(torch.blas ?? '');
  const ratio = torch && typeof torch !== 'string' ? (fastBlas ? `${(r.tokensPerSecond / torch.tokensPerSecond).toFixed(2)}×` : 'n/a') : '';
  const tensors = r.peakTensorMb === undefined ? '' : r.peakTensorMb.toFixed(0);
  const perCpu = r.tokensPerCpuSecond === undefined ? '' : r.tokensPerCpuSecond.toFixed(0);
  const rate = r.tokensPerSecond >= 100 ? r.tokensPerSecond.toFixed(0) : r.tokensPerSecond.toPrecision(2);
  return `  ${name.padEnd(30)} ${rate.padStart(8)} ${ratio.padStart(7)}   ${r.peakRssMb.toFixed(0).padStart(8)}   ${tensors.padStart(10)}   ${perCpu.padStart(9)}   ${r.firstLoss.toFixed(3)} -> ${r.lastLoss.toFixed(3)}`;
}

async function main(): Promise<void> {
  const { startNodeBackend } = await import('../../src/cli/node-backend');
  await startNodeBackend('cpu'); // the parent only writes the random checkpoint
  const scratch = mkdtempSync(join(tmpdir(), 'attune-bench-train-'));
  const models: [string, string][] = [];
  const shipped = join(ROOT, 'public', 'model');
  if (existsSync(join(shipped, 'config.json')) && existsSync(join(shipped, 'model.safetensors'))) models.push(['default model (public/model)', shipped]);
  const random = join(scratch, 'random-default-shape');
  await writeRandomDefaultShape(random);
  models.push(['random, default-model shape (llama d256 L6, vocab 4096)', random]);
  const modelFilter = process.env.ATTUNE_BENCH_MODELS?.split(',');
  const caseFilter = process.env.ATTUNE_BENCH_CASES?.split(',');
  const cases = CASES.filter((c) => !caseFilter || caseFilter.includes(c.name));
  const chosen = models.filter(([label]) => !modelFilter || modelFilter.some((m) => label.includes(m)));
  console.log('Training tokens/s, tfjs vs PyTorch (same checkpoint, batch and length, AdamW, loss on every next token).');
  console.log('tfjs-cpu (batch 2 × 128, 2 timed steps) and WebGPU on SwiftShader, a software GPU (batch 1 × 64, 1 timed step),');
  console.log('run small because they are slow;');
  console.log('PyTorch is rerun at that size for their ratio. Peak RSS: the whole process; tensors: peak tf.memory().numBytes;');
  console.log('tok/CPU-s: tokens per second of process CPU time, all threads (steadier than wall time when the machine is shared).');
  console.log('wasm trains as `attune train` does: its memory plan, and gradient workers on the cores (ATTUNE_BENCH_WORKERS=1: one realm).');
  try {
    chosen.forEach(([label, dir], index) => {
      console.log(`\n${label}`);
      for (const c of cases.filter((x) => x.everyModel || index === 0)) {
        const torch = runTorch(dir, c);
        const tfjs = runTfjs(dir, c);
        console.log(`  ${describe(c)}  (load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores)`);
        console.log('  implementation                 tokens/s   ratio   peak RSS MB   tensors MB   tok/CPU-s   loss first -> last');
        const threads = typeof torch === 'string' ? '?' : String(torch.threads);
        const blas = typeof torch === 'string' ? '?' : (torch.blas ?? '?');
        if (typeof torch !== 'string' && !['openblas', 'mkl', 'blis'].includes(blas)) {
          console.log(`  PyTorch runs on the ${blas} BLAS, ~30× slower than OpenBLAS: no ratio (apt-get install -y libopenblas0-pthread)`);
        }
        console.log(row(`PyTorch CPU (${threads}t, ${blas})`, torch, null));
        console.log(row(`Attune tfjs-${c.backend}`, tfjs, torch));
        if (typeof tfjs !== 'string' && tfjs.plan) console.log(`    Attune's plan: ${tfjs.plan}`);
      }
    });
    console.log('\nTargets (DESIGN.md): LoRA ≥ 0.5× PyTorch tokens/s on CPU, peak memory no more than PyTorch.');
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--worker') {
  worker(process.argv[3]!, JSON.parse(process.argv[4]!) as Case).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  });
} else {
  console.warn = () => {}; // tfjs's tfjs-node banner
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  });
}
