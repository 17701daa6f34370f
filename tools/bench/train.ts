// LoRA training speed: Attune's trainer on tfjs-wasm vs PyTorch (PEFT-style LoRA, Debian torch) in
// the same run, on the same checkpoint, batch size and sequence length. `npm run bench -- train`.
// Models: the shipped default model when it is built (public/model), and a random model of the
// default model's shape (so the bench runs before pretraining finishes). Each side runs in its own
// process; the table prints tokens/s, the ratio and peak resident memory.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeRandomDefaultShape } from './_random_model';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..');
const BATCH = 16;
const SEQ_LEN = 128;
const WARMUP_STEPS = 2;
const TIMED_STEPS = Number(process.env.ATTUNE_BENCH_TRAIN_STEPS ?? 6);

interface SideResult {
  tokensPerSecond: number;
  firstLoss: number;
  lastLoss: number;
  peakRssMb: number;
  threads?: number;
}

/** Worker: train LoRA (r 8, q/k/v/o) on wasm with the real Trainer; print one JSON line. */
async function worker(modelDir: string): Promise<void> {
  const { startNodeBackend } = await import('../../src/cli/node-backend');
  const started = await startNodeBackend('wasm');
  if (started.note) throw new Error(started.note);
  const { loadModelFromDirectory } = await import('../../src/model/node-files');
  const { loraMethod } = await import('../../src/tuning/methods/lora/method');
  const { Trainer } = await import('../../src/tuning/train/trainer');
  const { chooseDefaults } = await import('../../src/tuning/train/defaults');
  const { Rng } = await import('../../src/tuning/rng');
  const model = await loadModelFromDirectory(modelDir);
  const adapter = loraMethod.create(loraMethod.defaultConfig(model.config), { model: model.config, weights: model.weights, baseModelId: 'bench', seed: 0 });
  const rng = new Rng(0);
  // One batch of BATCH sequences, loss on every next token, as on the PyTorch side.
  const train = Array.from({ length: BATCH }, () => {
    const ids = Array.from({ length: SEQ_LEN }, () => rng.int(model.config.vocabSize));
    return { ids, lossMask: ids.map(() => 1) };
  });
  const stats = { count: BATCH, meanTokens: SEQ_LEN, maxTokens: SEQ_LEN, p95Tokens: SEQ_LEN };
  const settings = { ...chooseDefaults({ stats, method: 'lora', contextTokens: model.config.maxPositions }), batchSize: BATCH, maxSteps: WARMUP_STEPS + TIMED_STEPS };
  const times: number[] = [];
  const losses: number[] = [];
  const trainer = new Trainer({
    model,
    adapter,
    train,
    heldOut: [],
    settings,
    onProgress: (p) => {
      times.push(performance.now());
      losses.push(p.loss);
    },
  });
  await trainer.run();
  const seconds = (times.at(-1)! - times[WARMUP_STEPS - 1]!) / 1000;
  const result: SideResult = {
    tokensPerSecond: (BATCH * SEQ_LEN * TIMED_STEPS) / seconds,
    firstLoss: losses[0]!,
    lastLoss: losses.at(-1)!,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

function lastJsonLine(stdout: string): SideResult {
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as SideResult;
}

function runWasm(modelDir: string): SideResult | string {
  const child = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--worker', modelDir], { encoding: 'utf8', timeout: 1_200_000 });
  if (child.status !== 0) return (child.stderr || 'failed').trim().split('\n').slice(-1)[0] ?? 'failed';
  return lastJsonLine(child.stdout);
}

function runTorch(modelDir: string): SideResult | string {
  const args = [join(HERE, '_train_torch.py'), modelDir, String(BATCH), String(SEQ_LEN), String(WARMUP_STEPS), String(TIMED_STEPS)];
  const child = spawnSync('/usr/bin/python3', args, { encoding: 'utf8', timeout: 1_200_000 });
  if (child.status !== 0) return (child.stderr || 'failed').trim().split('\n').slice(-1)[0] ?? 'failed';
  return lastJsonLine(child.stdout);
}

async function main(): Promise<void> {
  const scratch = mkdtempSync(join(tmpdir(), 'attune-bench-train-'));
  const models: [string, string][] = [];
  const shipped = join(ROOT, 'public', 'model');
  if (existsSync(join(shipped, 'config.json')) && existsSync(join(shipped, 'model.safetensors'))) models.push(['default model (public/model)', shipped]);
  const random = join(scratch, 'random-default-shape');
  await writeRandomDefaultShape(random);
  models.push(['random, default-model shape (llama d256 L6, vocab 4096)', random]);
  console.log(`LoRA r=8 on q/k/v/o, dropout 0.05, AdamW; batch ${BATCH} × ${SEQ_LEN} tokens; ${TIMED_STEPS} timed steps after ${WARMUP_STEPS} warm-up`);
  try {
    for (const [label, dir] of models) {
      const torch = runTorch(dir);
      const wasm = runWasm(dir);
      console.log(`\n${label}`);
      console.log('  implementation               tokens/s   peak RSS MB   loss first -> last');
      const row = (name: string, r: SideResult | string) =>
        typeof r === 'string'
          ? `  ${name.padEnd(28)} failed: ${r}`
          : `  ${name.padEnd(28)} ${r.tokensPerSecond.toFixed(0).padStart(8)}   ${r.peakRssMb.toFixed(0).padStart(11)}   ${r.firstLoss.toFixed(3)} -> ${r.lastLoss.toFixed(3)}`;
      console.log(row(`PyTorch CPU (${typeof torch === 'string' ? '?' : torch.threads} threads)`, torch));
      console.log(row('Attune tfjs-wasm', wasm));
      if (typeof torch !== 'string' && typeof wasm !== 'string') {
        console.log(`  ratio wasm / PyTorch: ${(wasm.tokensPerSecond / torch.tokensPerSecond).toFixed(2)}× (target ≥ 0.5×)`);
      }
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--worker') {
  worker(process.argv[3]!).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  });
} else {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  });
}
