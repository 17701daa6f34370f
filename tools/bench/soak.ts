// Soak: SOAK_STEPS (default 2,000) LoRA training steps on the shipped model on tfjs-wasm, as the
// engine runs them: a held-out evaluation at each epoch's end and a checkpoint (`snapshot()`)
// every CHECKPOINT_EVERY steps. Every REPORT_EVERY steps it prints the live tensor count,
// tf.memory() bytes and the process RSS; it exits non-zero when, after warm-up, the tensor count
// moved at all or RSS trended up by more than RSS_TOLERANCE (the median of the last quarter of
// samples against the first quarter's: a single sample taken before a garbage collection is a
// spike, not a leak; the peak is printed beside it). Small batches keep 2,000 steps to minutes
// on 2 cores: the soak is about leaks, not speed.
//   npm run bench -- soak            SOAK_STEPS=200 npm run bench -- soak
import { loadavg } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const STEPS = Number(process.env.SOAK_STEPS ?? 2000);
const BATCH = 4;
const SEQ_LEN = 64;
const REPORT_EVERY = Math.max(1, Math.floor(STEPS / 20));
const CHECKPOINT_EVERY = 25;
/** After warm-up the wasm heap has reached its working size; more than this is growth. */
const RSS_TOLERANCE = 0.05;
const WARM_UP_STEPS = Math.min(200, Math.floor(STEPS / 10));

interface Sample {
  step: number;
  tensors: number;
  tensorMb: number;
  rssMb: number;
  heapMb: number;
  seconds: number;
}

/**
 * A full garbage collection before each sample, so RSS and the JS heap show what is retained, not
 * how much garbage the collector had not reached yet (on a busy machine it lags, and RSS swung by
 * 25 % between samples without a collection).
 */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

async function main(): Promise<void> {
  const { startNodeBackend } = await import('../../src/cli/node-backend');
  const started = await startNodeBackend('wasm');
  if (started.note) throw new Error(started.note);
  const tf = await import('@tensorflow/tfjs');
  const { loadModelFromDirectory } = await import('../../src/model/node-files');
  const { loraMethod } = await import('../../src/tuning/methods/lora/method');
  const { Trainer } = await import('../../src/tuning/train/trainer');
  const { chooseDefaults } = await import('../../src/tuning/train/defaults');
  const { Rng } = await import('../../src/tuning/rng');

  const model = await loadModelFromDirectory(join(ROOT, 'public', 'model'));
  const context = { model: model.config, weights: model.weights, baseModelId: 'soak', seed: 0 };
  const adapter = loraMethod.create(loraMethod.defaultConfig(model.config), context);
  const rng = new Rng(0);
  const sequence = () => {
    const ids = Array.from({ length: SEQ_LEN }, () => rng.int(model.config.vocabSize));
    return { ids, lossMask: ids.map(() => 1) };
  };
  // 64 training sequences (16 steps an epoch, so an evaluation every 16 steps) and 8 held out.
  const train = Array.from({ length: 64 }, sequence);
  const heldOut = Array.from({ length: 8 }, sequence);
  const stats = { count: train.length, meanTokens: SEQ_LEN, maxTokens: SEQ_LEN, p95Tokens: SEQ_LEN };
  const defaults = chooseDefaults({ stats, optimizer: loraMethod.optimizer, contextTokens: model.config.maxPositions });
  const settings = { ...defaults, batchSize: BATCH, gradAccumSteps: 1, maxSteps: STEPS, earlyStoppingPatience: 0 };

  const samples: Sample[] = [];
  const startedAt = performance.now();
  let step = 0;
  let checkpoints = 0;
  const trainer: InstanceType<typeof Trainer> = new Trainer({
    model,
    adapter,
    train,
    heldOut,
    settings,
    onProgress: (p) => {
      step = p.step;
    },
    betweenSteps: async () => {
      if (step > 0 && step % CHECKPOINT_EVERY === 0) {
        await trainer.snapshot();
        checkpoints++;
      }
      if (step > 0 && step % REPORT_EVERY === 0 && samples.at(-1)?.step !== step) {
        collectGarbage();
        const memory = tf.memory();
        const sample = {
          step,
          tensors: memory.numTensors,
          tensorMb: memory.numBytes / 2 ** 20,
          rssMb: process.memoryUsage.rss() / 2 ** 20,
          heapMb: process.memoryUsage().heapUsed / 2 ** 20,
          seconds: (performance.now() - startedAt) / 1000,
        };
        samples.push(sample);
        console.log(
          `step ${String(sample.step).padStart(5)}  tensors ${sample.tensors}  tensor MB ${sample.tensorMb.toFixed(1)}  ` +
            `RSS MB ${sample.rssMb.toFixed(0)}  JS heap MB ${sample.heapMb.toFixed(1)}  ${sample.seconds.toFixed(0)} s`,
        );
      }
    },
  });
  const result = await trainer.run();
  const afterWarmUp = samples.filter((s) => s.step >= WARM_UP_STEPS);
  const first = afterWarmUp[0]!;
  const last = afterWarmUp.at(-1)!;
  const tensorsMoved = afterWarmUp.some((s) => s.tensors !== first.tensors);
  const quarter = Math.max(1, Math.floor(afterWarmUp.length / 4));
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const early = median(afterWarmUp.slice(0, quarter).map((s) => s.rssMb));
  const late = median(afterWarmUp.slice(-quarter).map((s) => s.rssMb));
  const rssGrowth = (late - early) / early;
  const peak = Math.max(...afterWarmUp.map((s) => s.rssMb));
  console.log(
    `\nsoak: ${result.steps} steps (${result.status}), batch ${BATCH} x ${SEQ_LEN}, ${result.evals.length} evaluations, ` +
      `${checkpoints} checkpoints, ${last.seconds.toFixed(0)} s; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`,
  );
  console.log(
    `from step ${first.step} to ${last.step}: live tensors ${first.tensors} -> ${last.tensors}` +
      ` (${tensorsMoved ? 'MOVED' : 'flat'}), RSS ${first.rssMb.toFixed(0)} -> ${last.rssMb.toFixed(0)} MB;` +
      ` median of the first and last quarter ${early.toFixed(0)} -> ${late.toFixed(0)} MB` +
      ` (${(rssGrowth * 100).toFixed(1)} %, tolerance ${RSS_TOLERANCE * 100} %), peak ${peak.toFixed(0)} MB;` +
      ` JS heap ${first.heapMb.toFixed(1)} -> ${last.heapMb.toFixed(1)} MB`,
  );
  if (result.status !== 'completed') throw new Error(`training ended ${result.status}`);
  if (tensorsMoved) throw new Error('the live tensor count moved after warm-up: a leak');
  if (rssGrowth > RSS_TOLERANCE) throw new Error('RSS kept growing after warm-up');
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
