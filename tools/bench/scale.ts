// Real checkpoint sizes: random weights in published shapes (SmolLM2-135M, SmolLM2-360M,
// Qwen2.5-0.5B), LoRA training and KV-cache decode on tfjs-wasm against PyTorch CPU fp32 eager
// (OpenBLAS) on the same checkpoint, batch and length, measured in the same run.
// `npm run bench -- scale`.
//
// Fairness on the PyTorch side: the BLAS it really loaded is checked (a ratio against the netlib
// reference BLAS is withheld: it is ~30× slower); threads are swept (1 and 2) with
// OMP_NUM_THREADS/OPENBLAS_NUM_THREADS set to match and OMP_WAIT_POLICY=PASSIVE above one thread,
// and the best is the reference. Attune trains with what its memory plan chose for the wasm32
// heap (micro-batch, accumulation, recomputation), and the plan is printed.
// Each measurement is its own process (peak RSS is per process).
// The checkpoint is written in bfloat16, as SmolLM2 and Qwen2.5 publish theirs (both sides widen
// it to the same float32 values). Where the plan holds the block weights compact (16-bit, widened
// per block), Attune loads them compact straight from the file.
// Environment: ATTUNE_BENCH_SHAPES (comma list of shape names), ATTUNE_BENCH_TRAIN_STEPS (timed
// steps after one warm-up, default 2), ATTUNE_BENCH_DECODE_TOKENS (default 32), ATTUNE_BENCH_BATCH
// and ATTUNE_BENCH_LENGTH (default 4 × 256; smaller keeps the larger shapes' runs short),
// ATTUNE_BENCH_TORCH_THREADS (comma list, default 1,2; "none" skips PyTorch), ATTUNE_BENCH_PARTS
// (train,decode), ATTUNE_BENCH_DTYPE (bfloat16 | float32) and ATTUNE_BENCH_WORKERS (realms computing
// each step on wasm, as `attune train --workers`; default the plan's: min(cores, batch)).
// ATTUNE_BENCH_FULL_RECOMPUTE=1 recomputes whole blocks where the plan chose selective recomputation.
// Peak RSS is the process's, which covers its worker threads.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { prepareWasmTraining } from './_wasm_trainer';

const HERE = dirname(fileURLToPath(import.meta.url));
const BATCH = Number(process.env.ATTUNE_BENCH_BATCH ?? 4);
const LENGTH = Number(process.env.ATTUNE_BENCH_LENGTH ?? 256);
const PARTS = (process.env.ATTUNE_BENCH_PARTS ?? 'train,decode').split(',');
const DTYPE = process.env.ATTUNE_BENCH_DTYPE ?? 'bfloat16';
const TIMED_STEPS = Number(process.env.ATTUNE_BENCH_TRAIN_STEPS ?? 2);
const DECODE_TOKENS = Number(process.env.ATTUNE_BENCH_DECODE_TOKENS ?? 32);
const PROMPT = Array.from({ length: 16 }, (_, i) => 100 + i * 7);
const TIMEOUT_S = 3600;
const FULL_RECOMPUTE = process.env.ATTUNE_BENCH_FULL_RECOMPUTE === '1';
const WORKERS = process.env.ATTUNE_BENCH_WORKERS ? Number(process.env.ATTUNE_BENCH_WORKERS) : undefined;

const LLAMA = { model_type: 'llama', max_position_embeddings: 2048, rms_norm_eps: 1e-5, bos_token_id: 0, eos_token_id: 0, hidden_act: 'silu' };
const SHAPES: Record<string, Record<string, unknown>> = {
  'smollm2-135m': { ...LLAMA, hidden_size: 576, num_hidden_layers: 30, num_attention_heads: 9, num_key_value_heads: 3, intermediate_size: 1536, vocab_size: 49152, rope_theta: 100000, tie_word_embeddings: true },
  'smollm2-360m': { ...LLAMA, hidden_size: 960, num_hidden_layers: 32, num_attention_heads: 15, num_key_value_heads: 5, intermediate_size: 2560, vocab_size: 49152, rope_theta: 100000, tie_word_embeddings: true },
  'qwen2.5-0.5b': {
    ...LLAMA,
    model_type: 'qwen2',
    hidden_size: 896,
    num_hidden_layers: 24,
    num_attention_heads: 14,
    num_key_value_heads: 2,
    intermediate_size: 4864,
    vocab_size: 151936,
    rope_theta: 1000000,
    rms_norm_eps: 1e-6,
    tie_word_embeddings: true,
    max_position_embeddings: 32768,
  },
};

interface TrainResult {
  tokensPerSecond: number;
  peakRssMb: number;
  wasmHeapMb?: number;
  plan?: string;
  blas?: string;
  threads?: number;
  firstLoss: number;
  lastLoss: number;
}

interface DecodeResult {
  cached: number;
  threads?: number;
  peakRssMb: number;
  firstTokenSeconds?: number;
  loadSeconds?: number;
  compactWeights?: boolean;
  blas?: string;
}

/** Worker: LoRA training on tfjs-wasm with the plan's choice; prints one JSON line. */
async function trainWorker(modelDir: string): Promise<void> {
  const { startNodeBackend } = await import('../../src/cli/node-backend');
  const started = await startNodeBackend('wasm');
  if (started.note) throw new Error(started.note);
  const tf = await import('@tensorflow/tfjs');
  const { loraMethod } = await import('../../src/tuning/methods/lora/method');
  const { Trainer } = await import('../../src/tuning/train/trainer');
  const { chooseDefaults } = await import('../../src/tuning/train/defaults');
  const { Rng } = await import('../../src/tuning/rng');
  // The same LoRA as the PyTorch side: r 8, alpha 16, dropout 0.05 on q/k/v/o; planned, loaded and
  // shared out over the cores as `attune train` does on wasm (_wasm_trainer.ts).
  const run = await prepareWasmTraining({
    modelDir,
    method: 'lora',
    methodConfig: (config) => loraMethod.defaultConfig(config),
    batch: BATCH,
    length: LENGTH,
    ...(WORKERS ? { workers: WORKERS } : {}),
    fullRecompute: FULL_RECOMPUTE,
  });
  const { model } = run;
  const rng = new Rng(0);
  const steps = 1 + TIMED_STEPS;
  const train = Array.from({ length: BATCH * steps }, () => {
    const ids = Array.from({ length: LENGTH }, () => rng.int(model.config.vocabSize));
    return { ids, lossMask: ids.map(() => 1) };
  });
  const defaults = chooseDefaults({ stats: { count: train.length, meanTokens: LENGTH, maxTokens: LENGTH, p95Tokens: LENGTH }, optimizer: loraMethod.optimizer, contextTokens: LENGTH });
  const settings = { ...defaults, ...run.batchSettings, maxSteps: steps, maxLength: LENGTH, earlyStoppingPatience: 0 };
  const times: number[] = [];
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
      losses.push(p.loss);
    },
  });
  await trainer.run().finally(() => run.close());
  const heap = (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.length;
  const result: TrainResult = {
    tokensPerSecond: (BATCH * LENGTH * TIMED_STEPS) / ((times.at(-1)! - times[0]!) / 1000),
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    // The leader's heap; each worker thread has one of its own.
    wasmHeapMb: heap / 2 ** 20,
    plan: run.describe(),
    threads: started.threads ?? 1,
    firstLoss: losses[0]!,
    lastLoss: losses.at(-1)!,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** Reads the files while the backend starts, then loads the model as the inference plan says. */
async function loadForDecode(modelDir: string): Promise<{ model: import('../../src/model').LoadedModel; compactWeights: boolean; threads: number }> {
  const { readModelDirectoryAsync } = await import('../../src/model/node-files');
  const files = readModelDirectoryAsync(modelDir);
  const start = async () => {
    const { startNodeBackend } = await import('../../src/cli/node-backend');
    const started = await startNodeBackend('wasm');
    if (started.note) throw new Error(started.note);
    return started;
  };
  const [started] = await Promise.all([start(), files]);
  const { loadModel } = await import('../../src/model/model');
  const { parseConfig } = await import('../../src/model/config');
  const { planInference, WASM32_LIMITS } = await import('../../src/tuning/train/memory-plan');
  const plan = planInference(parseConfig(readFileSync(join(modelDir, 'config.json'), 'utf8')), WASM32_LIMITS);
  if (!plan.fits)
    throw new Error(
      `the inference plan refuses: an estimated ${(plan.estimatedPeakBytes / 2 ** 30).toFixed(2)} GiB even with 16-bit block weights`,
    );
  // The files go out of scope on return: the 16-bit file is not kept through decoding.
  return { model: await loadModel(await files, { compact: plan.compactWeights }), compactWeights: plan.compactWeights, threads: started.threads ?? 1 };
}

/**
 * Worker: time from the files on disk to the first token, then greedy KV-cache decode speed. The
 * clock starts before tfjs is imported; the files are read off the main thread meanwhile, as the
 * CLI reads them while its backend starts (src/cli/common-flags.ts).
 */
async function decodeWorker(modelDir: string): Promise<void> {
  const t0 = performance.now();
  const { model, compactWeights, threads } = await loadForDecode(modelDir);
  const { generate } = await import('../../src/model');
  const loaded = performance.now();
  let firstToken = 0;
  await generate(model, PROMPT, { greedy: true, stopTokenIds: [], maxNewTokens: 1, onToken: () => (firstToken = performance.now()) });
  let first = 0;
  let count = 0;
  const result = await generate(model, PROMPT, {
    greedy: true,
    stopTokenIds: [],
    maxNewTokens: DECODE_TOKENS + 1,
    onToken: () => (count++ === 0 ? (first = performance.now()) : 0),
  });
  const out: DecodeResult = {
    // Decode steps only: the prefill that produced the first token is excluded, as on the PyTorch side.
    cached: (result.tokens.length - 1) / ((performance.now() - first) / 1000),
    threads,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    firstTokenSeconds: (firstToken - t0) / 1000,
    loadSeconds: (loaded - t0) / 1000,
    compactWeights,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): { ok: true; json: unknown } | { ok: false; error: string } {
  const child = spawnSync(command, args, { env, encoding: 'utf8', timeout: TIMEOUT_S * 1000, maxBuffer: 16 * 1024 * 1024 });
  if (child.status !== 0) {
    if (child.error) return { ok: false, error: child.error.message };
    const lines = String(child.stderr || `exit ${child.status}`).trim().split('\n').filter((l) => l.trim() !== '');
    return { ok: false, error: lines.at(-1) ?? 'failed' };
  }
  return { ok: true, json: JSON.parse(child.stdout.trim().split('\n').at(-1)!) };
}

function torchEnv(threads: number): NodeJS.ProcessEnv {
  return {
    ...process.env,
    OMP_NUM_THREADS: String(threads),
    OPENBLAS_NUM_THREADS: String(threads),
    ...(threads > 1 ? { OMP_WAIT_POLICY: 'PASSIVE' } : {}),
  };
}

const THREADS = (process.env.ATTUNE_BENCH_TORCH_THREADS ?? '1,2')
  .split(',')
  .map(Number)
  .filter((n) => n >= 1 && n <= cpus().length);

function bestTorchTrain(dir: string): { best: TrainResult | null; lines: string[] } {
  const lines: string[] = [];
  let best: TrainResult | null = null;
  for (const threads of THREADS) {
    const r = run('/usr/bin/python3', [join(HERE, '_train_torch.py'), dir, String(BATCH), String(LENGTH), '1', String(TIMED_STEPS), 'lora', '0', String(threads)], torchEnv(threads));
    if (!r.ok) {
      lines.push(`  PyTorch ${threads} thread${threads > 1 ? 's' : ''}: failed: ${r.error}`);
      continue;
    }
    const t = r.json as TrainResult;
    lines.push(`  PyTorch ${threads} thread${threads > 1 ? 's' : ''} (${t.blas}): ${t.tokensPerSecond.toFixed(1)} tokens/s, peak RSS ${t.peakRssMb.toFixed(0)} MB, loss ${t.firstLoss.toFixed(3)} -> ${t.lastLoss.toFixed(3)}`);
    if (!best || t.tokensPerSecond > best.tokensPerSecond) best = t;
  }
  return { best, lines };
}

function bestTorchDecode(dir: string): { best: DecodeResult | null; lines: string[] } {
  const lines: string[] = [];
  let best: DecodeResult | null = null;
  for (const threads of THREADS) {
    const r = run('/usr/bin/python3', [join(HERE, '_decode_torch.py'), dir, PROMPT.join(','), String(DECODE_TOKENS), String(threads)], { ...torchEnv(threads), ATTUNE_BENCH_CACHED_ONLY: '1' });
    if (!r.ok) {
      lines.push(`  PyTorch ${threads} thread${threads > 1 ? 's' : ''}: failed: ${r.error}`);
      continue;
    }
    const d = r.json as DecodeResult;
    lines.push(`  PyTorch ${threads} thread${threads > 1 ? 's' : ''} (${d.blas}): ${d.cached.toFixed(1)} tokens/s, peak RSS ${d.peakRssMb.toFixed(0)} MB`);
    if (!best || d.cached > best.cached) best = d;
  }
  return { best, lines };
}

/** A ratio only against a fast BLAS: against the netlib reference it would flatter Attune ~30×. */
function ratio(ours: number, theirs: { blas?: string } & ({ tokensPerSecond: number } | { cached: number }) | null): string {
  if (!theirs) return 'no reference';
  if (theirs.blas !== 'openblas' && theirs.blas !== 'mkl' && theirs.blas !== 'blis') {
    return `withheld: PyTorch uses the ${theirs.blas ?? 'unknown'} BLAS (apt-get install -y libopenblas0-pthread)`;
  }
  const reference = 'tokensPerSecond' in theirs ? theirs.tokensPerSecond : theirs.cached;
  return `${(ours / reference).toFixed(2)}×`;
}

function main(): void {
  const chosen = (process.env.ATTUNE_BENCH_SHAPES?.split(',') ?? Object.keys(SHAPES)).filter((name) => {
    if (SHAPES[name]) return true;
    console.error(`unknown shape ${name}; one of ${Object.keys(SHAPES).join(', ')}`);
    process.exit(2);
  });
  console.log(
    `Real sizes on tfjs-wasm vs PyTorch CPU fp32 eager (best of ${THREADS.join(' and ')} threads), random weights in published shapes.`,
  );
  console.log(
    `LoRA r 8 on q/k/v/o, batch ${BATCH} × ${LENGTH}, ${TIMED_STEPS} timed steps after 1 warm-up; decode: greedy with the KV cache, ${DECODE_TOKENS} tokens after a ${PROMPT.length}-token prompt; ${DTYPE} checkpoint.`,
  );
  if (BATCH !== 4 || LENGTH !== 256 || THREADS.length < 2 || TIMED_STEPS < 2)
    console.log(
      `Reduced run: batch ${BATCH} × ${LENGTH}, PyTorch threads ${THREADS.join(',')}, ${TIMED_STEPS} timed steps (the issue's figures are 4 × 256, threads 1 and 2).`,
    );
  console.log(
    'Targets (issue 18): training ≥ 0.5× PyTorch with peak memory ≤ PyTorch; decode ≥ 1.5×; files to first token ≤ 3 s.',
  );
  for (const name of chosen) {
    const dir = mkdtempSync(join(tmpdir(), `attune-scale-${name}-`));
    try {
      const made = spawnSync(
        '/usr/bin/python3',
        [join(HERE, '_make_shaped_model.py'), dir, JSON.stringify(SHAPES[name]), DTYPE],
        { encoding: 'utf8' },
      );
      if (made.status !== 0) throw new Error(`could not write the ${name} checkpoint: ${made.stderr}`);
      console.log(
        `\n${name}  (load average ${loadavg()
          .map((l) => l.toFixed(2))
          .join(', ')} on ${cpus().length} cores, ${new Date().toISOString()})`,
      );
      if (PARTS.includes('train')) {
        console.log(' training');
        const torch = bestTorchTrain(dir);
        torch.lines.forEach((l) => console.log(l));
        const ours = run(process.execPath, [
          '--import',
          'tsx',
          fileURLToPath(import.meta.url),
          '--train',
          dir,
        ]);
        if (ours.ok) {
          const t = ours.json as TrainResult;
          console.log(
            `  Attune wasm (${t.threads} thread${t.threads === 1 ? '' : 's'}): ${t.tokensPerSecond.toFixed(1)} tokens/s (${ratio(t.tokensPerSecond, torch.best)}), peak RSS ${t.peakRssMb.toFixed(0)} MB${torch.best ? ` (${(t.peakRssMb / torch.best.peakRssMb).toFixed(2)}× PyTorch's)` : ''}, wasm heap ${t.wasmHeapMb!.toFixed(0)} MB, loss ${t.firstLoss.toFixed(3)} -> ${t.lastLoss.toFixed(3)}`,
          );
          console.log(`  plan: ${t.plan}`);
        } else console.log(`  Attune wasm: failed: ${ours.error}`);
      }
      if (PARTS.includes('decode')) {
        console.log(' decode');
        const torchDecode = bestTorchDecode(dir);
        torchDecode.lines.forEach((l) => console.log(l));
        const decoded = run(process.execPath, [
          '--import',
          'tsx',
          fileURLToPath(import.meta.url),
          '--decode',
          dir,
        ]);
        if (decoded.ok) {
          const d = decoded.json as DecodeResult;
          console.log(
            `  Attune wasm (${d.threads} thread${d.threads === 1 ? '' : 's'}): ${d.cached.toFixed(1)} tokens/s (${ratio(d.cached, torchDecode.best)}), peak RSS ${d.peakRssMb.toFixed(0)} MB; files to first token ${d.firstTokenSeconds!.toFixed(2)} s (loading ${d.loadSeconds!.toFixed(2)} s); block weights ${d.compactWeights ? '16-bit (the inference plan: float32 does not fit)' : 'float32'}`,
          );
        } else console.log(`  Attune wasm: failed: ${decoded.error}`);
      }
      console.log(
        `  (load average after: ${loadavg()
          .map((l) => l.toFixed(2))
          .join(', ')})`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

if (process.argv[2] === '--train' || process.argv[2] === '--decode') {
  console.warn = () => {};
  (process.argv[2] === '--train' ? trainWorker : decodeWorker)(process.argv[3]!).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  });
} else {
  main();
}
