// attune train: one-click local training from a JSONL file, the same trainer the extension runs.
// Prints the held-out loss before and after and the training speed; writes a PEFT adapter folder.
import { availableParallelism, freemem, totalmem } from 'node:os';
import { resolve } from 'node:path';
import type { Command, CliIo } from '../command';
import { UsageError, type FlagValues } from '../args';
import { readExamples } from '../read-examples';
import { checkOutputFolder } from '../output-folder';
import { backendFlag, loadFromFlags, MODEL_FLAGS, resolveModelDir } from '../common-flags';
import { nodeWorkers } from '../parallel/node-workers';
import { readModelFolderFiles } from '../model-folder-files';
import { baseModelIdFor } from '../adapter-flag';
import { checkContinueFlags, continueFromFlags, CONTINUE_FLAGS } from '../continue-flags';
import { exportAdapter } from '../../tuning/peft/files';
import { writeAdapterDirectory } from '../../tuning/peft/node-dir';
import { methodFlagSpecs, methodFromFlags } from '../method-flags';
import { getMethod } from '../../tuning/registry';
import type { Adapter } from '../../tuning/types';
import type { TrainSettings } from '../../tuning/train/defaults';
import { describePlan } from '../../tuning/train/memory-plan';
import { prepareTraining, type ParallelInput, type PreparedRun } from '../../tuning/train/prepare';
import type { TrainProgress } from '../../tuning/train/trainer';

export const trainCommand: Command = {
  name: 'train',
  summary: 'Train an adapter (any registered method) on instruction/output pairs (JSONL) and save it in the PEFT layout (full fine-tuning: a model folder)',
  flags: {
    ...MODEL_FLAGS,
    data: { type: 'string', required: true, description: 'training examples: JSONL (or a JSON array) of {instruction, input?, output}' },
    eval: { type: 'string', description: 'held-out examples (same format); default: 10 % of --data when it has 20 or more' },
    ...methodFlagSpecs(),
    ...CONTINUE_FLAGS,
    steps: { type: 'integer', description: 'optimizer steps (default: chosen from the data)' },
    epochs: { type: 'integer', description: 'passes over the data (default: chosen from the data)' },
    seed: { type: 'integer', description: 'seed for init, shuffling and dropout (default 1)' },
    lr: { type: 'number', description: "peak learning rate (default: the method's own)" },
    'batch-size': { type: 'integer', description: 'examples per batch (default: from example lengths)' },
    workers: {
      type: 'integer',
      description: 'wasm: threads computing each step, each with its own core and copy of the model (default: the cores, at most the examples per step; 1: this thread only)',
    },
    out: { type: 'string', required: true, description: 'folder to write adapter_config.json + adapter_model.safetensors (full fine-tuning: a model folder, config.json + model.safetensors + tokenizer files)' },
    json: { type: 'boolean', description: 'print the summary as JSON' },
    quiet: { type: 'boolean', description: 'no progress lines' },
  },
  async run(flags, io) {
    // Every flag and the output folder are checked before the data, the model or training.
    const { method, config: methodConfig } = methodFromFlags(flags);
    if (flags.steps !== undefined && flags.epochs !== undefined) throw new UsageError('give --steps or --epochs, not both');
    const overrides = settingOverrides(flags);
    const workers = workersFlag(flags);
    checkContinueFlags(flags);
    const out = checkOutputFolder(flags.out as string);
    const examples = readExamples(flags.data as string);
    const heldOut = flags.eval ? readExamples(flags.eval as string) : undefined;
    const model = await loadFromFlags(flags, io);
    const started = performance.now();
    let run: PreparedRun | null = null;
    try {
      // --continue: the adapter's own method and config, its weights, and replayed older examples.
      const warm = await continueFromFlags(flags, model, examples.length, overrides.seed ?? 1);
      run = prepareTraining({
        model,
        baseModelId: baseModelIdFor(flags.model as string),
        method: warm?.method ?? method,
        methodConfig: warm?.config ?? methodConfig,
        examples: warm ? [...examples, ...warm.replay] : examples,
        ...(warm ? { initialVariables: warm.variables } : {}),
        heldOutExamples: heldOut,
        overrides,
        onProgress: flags.quiet ? undefined : progressPrinter(io),
        parallel: parallelInput(flags.model as string, workers),
      });
      for (const note of run.notes) io.err(`${note}\n`);
      if (run.memory && !flags.quiet) io.err(`memory plan (${run.memory.backend}): ${describePlan(run.memory)}\n`);
      const { trainer } = run;
      const cancel = () => trainer.cancel();
      process.once('SIGINT', cancel);
      const result = await trainer.run().finally(() => process.off('SIGINT', cancel));
      await run.close();
      writeAdapterDirectory(out, await exportFiles(run.adapter, flags.model as string));
      const summary = {
        method: run.adapter.method,
        replayedExamples: warm?.replay.length ?? 0,
        status: result.status,
        steps: result.steps,
        trainExamples: run.trainCount,
        heldOutExamples: run.heldOutCount,
        heldOutLossBefore: result.initialHeldOutLoss,
        heldOutLossAfter: result.finalHeldOutLoss,
        lastTrainLoss: result.lastTrainLoss,
        tokensPerSecond: Math.round(result.tokensPerSecond),
        seconds: Math.round((performance.now() - started) / 100) / 10,
        trainableParameters: run.adapter.parameterCount(),
        settings: run.settings,
        memoryPlan: run.memory
          ? {
              backend: run.memory.backend,
              microBatch: run.memory.microBatch,
              accumulation: run.memory.accumulation,
              workers: run.memory.workers,
              recompute: run.memory.recompute,
              keepFrozenProducts: run.memory.keepFrozenProducts,
              estimatedPeakBytes: Math.round(run.memory.estimatedPeakBytes),
              budgetBytes: run.memory.budgetBytes,
            }
          : null,
        out,
        /** What --out holds: an adapter folder, or a whole model folder (full fine-tuning). */
        saved: getMethod(method).modelFiles ? 'model' : 'adapter',
      };
      run.trainer.dispose();
      run.adapter.dispose();
      printSummary(io, summary, flags.json === true);
      if (result.error) throw result.error;
    } finally {
      // However the run ends (an error, a failed worker), no worker thread outlives it.
      await run?.close();
      model.dispose();
    }
  },
};

/** --workers: only the wasm backend computes on one core per tfjs instance. */
function workersFlag(flags: FlagValues): number | undefined {
  if (flags.workers === undefined) return undefined;
  const workers = flags.workers as number;
  if (!(workers >= 1)) throw new UsageError('--workers must be at least 1');
  if (workers > 1 && backendFlag(flags) !== 'wasm') throw new UsageError('--workers above 1 needs the wasm backend');
  return workers;
}

/** Worker threads that load the model from where this process loaded it. */
function parallelInput(modelFlag: string, workers: number | undefined): ParallelInput {
  const modelSource = modelFlag.endsWith('.gguf') ? resolve(modelFlag) : resolveModelDir(modelFlag);
  return {
    ...(workers !== undefined ? { workers } : {}),
    cores: availableParallelism(),
    // This process already holds the model: its memory counts as available to the realms.
    hostMemoryBytes: Math.min(totalmem(), freemem() + process.memoryUsage().rss),
    start: nodeWorkers().start,
    modelSource,
  };
}

/**
 * The adapter's files, or for methods whose result is a whole model (full fine-tuning) a model
 * folder: the base folder's config and tokenizer files with the trained weights.
 */
async function exportFiles(adapter: Adapter, modelFlag: string): Promise<Map<string, Uint8Array>> {
  const method = getMethod(adapter.method);
  if (!method.modelFiles) return exportAdapter(adapter);
  return method.modelFiles(adapter, readModelFolderFiles(resolveModelDir(modelFlag)));
}

function settingOverrides(flags: FlagValues): Partial<TrainSettings> {
  const overrides: Partial<TrainSettings> = {};
  if (flags.steps !== undefined) overrides.maxSteps = positive(flags.steps as number, 'steps');
  if (flags.epochs !== undefined) overrides.epochs = positive(flags.epochs as number, 'epochs');
  if (flags.seed !== undefined) overrides.seed = flags.seed as number;
  if (flags.lr !== undefined) overrides.lr = positive(flags.lr as number, 'lr');
  if (flags['batch-size'] !== undefined) overrides.batchSize = positive(flags['batch-size'] as number, 'batch-size');
  if (overrides.lr !== undefined) overrides.minLr = overrides.lr / 10;
  return overrides;
}

function positive(value: number, name: string): number {
  if (!(value > 0)) throw new UsageError(`--${name} must be greater than 0`);
  return value;
}

function progressPrinter(io: CliIo): (p: TrainProgress) => void {
  return (p) => {
    const every = Math.max(1, Math.floor(p.totalSteps / 20));
    if (p.step % every !== 0 && p.step !== p.totalSteps) return;
    const heldOut = p.heldOutLoss === null ? '' : `  held-out ${p.heldOutLoss.toFixed(4)}`;
    io.err(
      `step ${p.step}/${p.totalSteps}  epoch ${p.epoch}  loss ${p.loss.toFixed(4)}${heldOut}  lr ${p.lr.toExponential(2)}  ` +
        `${Math.round(p.tokensPerSecond)} tokens/s  ETA ${Math.round(p.etaSeconds)} s\n`,
    );
  };
}

function printSummary(io: CliIo, summary: Record<string, unknown> & { heldOutLossBefore: number | null; heldOutLossAfter: number | null }, json: boolean): void {
  if (json) return io.out(`${JSON.stringify(summary, null, 2)}\n`);
  const loss = (v: number | null) => (v === null ? 'n/a (no held-out set)' : v.toFixed(4));
  io.out(
    [
      `status:            ${String(summary.status)} after ${String(summary.steps)} steps (${String(summary.seconds)} s)`,
      `held-out loss:     ${loss(summary.heldOutLossBefore)} -> ${loss(summary.heldOutLossAfter)}`,
      `training speed:    ${String(summary.tokensPerSecond)} tokens/s`,
      `${summary.saved === 'model' ? 'model:  ' : 'adapter:'}           ${String(summary.out)} (${String(summary.trainableParameters)} trainable parameters)`,
    ].join('\n') + '\n',
  );
}
