// Tuning quality on a personal-style task: does one click of LoRA (or prompt tuning) teach the
// default model a format it does not produce by itself? `npm run bench -- personal`.
//
// Task: tools/bench/personal-task/ (a to-do assistant answering "[ ] call mum (Fri) — added").
// Rows: the base model; LoRA with the one-click defaults; prompt tuning with the one-click
// defaults; and, for a method whose exact match stays under POOR_EXACT_MATCH, the same method
// with more epochs. Each row is held-out loss per output token and greedy exact match measured by
// `attune eval`, after training with `attune train`: the CLI is spawned exactly as a user runs it,
// so this measures the product's own trainer, data pipeline and evaluation, one process per step.
// Training sees train.jsonl only (the trainer splits its own 10 % for early stopping, as it does
// for a user's 80 captured pairs); held-out.jsonl is never seen before it is scored.
//
// Environment: ATTUNE_PERSONAL_MODEL (default "default" = public/model), ATTUNE_PERSONAL_BACKEND
// (default wasm), ATTUNE_PERSONAL_MORE_EPOCHS (default 20; 0 skips the extra rows),
// ATTUNE_PERSONAL_ROWS (run only these rows: base, lora, prompt-tuning, lora-more,
// prompt-tuning-more), ATTUNE_PERSONAL_JSON (also write the JSON summary to this file).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HELD_OUT_FILE, TRAIN_FILE } from './personal-task/generate';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..');
const ATTUNE = join(ROOT, 'bin', 'attune.mjs');
const DEFAULT_MODEL_DIR = join(ROOT, 'public', 'model');
/** Exact match below this after one-click training earns a "more epochs" row. */
const POOR_EXACT_MATCH = 0.5;
const SEED = 1;
/** Held-out examples whose greedy answers are printed next to the table. */
const SAMPLE_COUNT = 3;

export type Method = 'lora' | 'prompt-tuning';

/** `attune eval --json` plus the wall time of the whole command (model load included). */
export interface HeldOutScore {
  n: number;
  tokens: number;
  loss: number;
  perplexity: number;
  exactMatch: number;
  seconds: number;
}

/** The parts of `attune train --json` this bench reports. */
export interface TrainSummary {
  method: Method;
  status: string;
  steps: number;
  trainExamples: number;
  heldOutExamples: number;
  tokensPerSecond: number;
  seconds: number;
  trainableParameters: number;
  settings: { epochs: number; maxSteps: number | null; batchSize: number; lr: number };
}

export interface BenchRow {
  name: string;
  training: TrainSummary | null;
  score: HeldOutScore;
  samples: { instruction: string; expected: string; answer: string }[];
}

/** A CLI run that failed; carries its stderr so the reason is visible. */
export class AttuneCommandError extends Error {
  override readonly name = 'AttuneCommandError';
}

/** Runs `attune <args>`; returns stdout. Progress (stderr) goes to this process's stderr when `showProgress`. */
export function runAttune(args: readonly string[], showProgress = false): string {
  const child = spawnSync(process.execPath, [ATTUNE, ...args], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    stdio: ['ignore', 'pipe', showProgress ? 'inherit' : 'pipe'],
  });
  if (child.status !== 0) {
    throw new AttuneCommandError(
      `attune ${args[0]} exited with ${child.status}: ${child.stderr ?? '(see above)'}`,
    );
  }
  return child.stdout;
}

export interface ScoreOptions {
  model: string;
  data: string;
  adapter?: string;
  backend?: string;
  /** Passed as --max-tokens (default: attune eval's own, reference length + 8). */
  maxTokens?: number;
  /** Examples an adapter that retrieves demonstrations draws them from (--pool). */
  pool?: string;
}

/** Held-out loss and exact match, exactly as `attune eval` computes them (it is what runs). */
export function scoreHeldOut(options: ScoreOptions): HeldOutScore {
  const args = [
    'eval',
    '--model',
    options.model,
    '--data',
    options.data,
    '--json',
    '--backend',
    options.backend ?? 'wasm',
  ];
  if (options.adapter) args.push('--adapter', options.adapter);
  if (options.maxTokens !== undefined) args.push('--max-tokens', String(options.maxTokens));
  if (options.pool) args.push('--pool', options.pool);
  const started = performance.now();
  const summary = JSON.parse(runAttune(args)) as Omit<HeldOutScore, 'seconds'>;
  return { ...summary, seconds: (performance.now() - started) / 1000 };
}

export interface TrainOptions {
  model: string;
  data: string;
  method: Method;
  out: string;
  backend?: string;
  /** Only when asked: otherwise the one-click defaults choose. */
  epochs?: number;
  steps?: number;
}

/** Trains with `attune train` (progress lines stream to stderr) and returns its JSON summary. */
export function trainAdapter(options: TrainOptions): TrainSummary {
  const args = ['train', '--model', options.model, '--data', options.data, '--method', options.method];
  args.push('--seed', String(SEED), '--out', options.out, '--json', '--backend', options.backend ?? 'wasm');
  if (options.epochs !== undefined) args.push('--epochs', String(options.epochs));
  if (options.steps !== undefined) args.push('--steps', String(options.steps));
  return JSON.parse(runAttune(args, true)) as TrainSummary;
}

/** The greedy chat answer to one instruction, as `attune generate --chat --greedy` prints it. */
export function greedyAnswer(
  model: string,
  instruction: string,
  maxTokens: number,
  adapter?: string,
  backend = 'wasm',
): string {
  const args = [
    'generate',
    '--model',
    model,
    '--prompt',
    instruction,
    '--chat',
    '--greedy',
    '--max-tokens',
    String(maxTokens),
    '--backend',
    backend,
  ];
  if (adapter) args.push('--adapter', adapter);
  return runAttune(args).replace(/\n$/, '');
}

interface Pair {
  instruction: string;
  output: string;
}

function readPairs(path: string): Pair[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Pair);
}

/** Which checkpoint was measured: training step (when the folder records it) and a weights hash. */
export function describeModel(model: string): {
  dir: string;
  step: number | null;
  tokensSeen: number | null;
  weightsSha256: string;
} {
  const dir = model === 'default' ? DEFAULT_MODEL_DIR : model;
  const statePath = join(dir, 'training_state.json');
  const state = existsSync(statePath)
    ? (JSON.parse(readFileSync(statePath, 'utf8')) as { step?: number; tokens_seen?: number })
    : {};
  const weights = join(dir, 'model.safetensors');
  const weightsSha256 = existsSync(weights)
    ? createHash('sha256').update(readFileSync(weights)).digest('hex')
    : 'n/a';
  return { dir, step: state.step ?? null, tokensSeen: state.tokens_seen ?? null, weightsSha256 };
}

interface BenchConfig {
  model: string;
  backend: string;
  moreEpochs: number;
  rows: RowId[] | null;
}

function configFromEnv(): BenchConfig {
  return {
    model: process.env.ATTUNE_PERSONAL_MODEL ?? 'default',
    backend: process.env.ATTUNE_PERSONAL_BACKEND ?? 'wasm',
    moreEpochs: Number(process.env.ATTUNE_PERSONAL_MORE_EPOCHS ?? 20),
    rows: parseRows(process.env.ATTUNE_PERSONAL_ROWS),
  };
}

function measureRow(
  name: string,
  config: BenchConfig,
  heldOut: Pair[],
  training: TrainSummary | null,
  adapter?: string,
): BenchRow {
  console.error(`[personal] scoring ${name} on ${heldOut.length} held-out pairs`);
  const score = scoreHeldOut({ model: config.model, data: HELD_OUT_FILE, adapter, backend: config.backend });
  const samples = heldOut.slice(0, SAMPLE_COUNT).map((pair) => ({
    instruction: pair.instruction,
    expected: pair.output,
    answer: greedyAnswer(config.model, pair.instruction, 24, adapter, config.backend),
  }));
  const row = { name, training, score, samples };
  // Each row as soon as it exists, so a long run that fails later still leaves its figures.
  console.error(`[personal] row ${JSON.stringify(row)}`);
  return row;
}

function trainedRow(
  name: string,
  config: BenchConfig,
  heldOut: Pair[],
  work: string,
  method: Method,
  epochs?: number,
): BenchRow {
  const out = join(work, name.replace(/[^a-z0-9]+/gi, '-'));
  console.error(`[personal] training ${name}`);
  const training = trainAdapter({
    model: config.model,
    data: TRAIN_FILE,
    method,
    out,
    backend: config.backend,
    epochs,
  });
  return measureRow(name, config, heldOut, training, out);
}

function formatTable(rows: readonly BenchRow[]): string {
  const header =
    '| run | trained on | steps (epochs) | status | train time | train tokens/s | held-out loss | exact match | eval time |';
  const lines = rows.map((row) => {
    const t = row.training;
    const cells = [
      row.name,
      t ? `${t.trainExamples} pairs` : '–',
      t ? `${t.steps} (${t.settings.epochs})` : '–',
      t ? t.status : '–',
      t ? `${t.seconds.toFixed(0)} s` : '–',
      t ? String(t.tokensPerSecond) : '–',
      row.score.loss.toFixed(3),
      `${Math.round(row.score.exactMatch * row.score.n)}/${row.score.n} (${(row.score.exactMatch * 100).toFixed(0)} %)`,
      `${row.score.seconds.toFixed(0)} s`,
    ];
    return `| ${cells.join(' | ')} |`;
  });
  return [header, `|${' --- |'.repeat(9)}`, ...lines].join('\n');
}

type RowId = 'base' | Method | `${Method}-more`;
const ROW_IDS: readonly RowId[] = ['base', 'lora', 'prompt-tuning', 'lora-more', 'prompt-tuning-more'];

/**
 * The rows to run. Default: base and both one-click rows, plus a "more epochs" row for a method
 * whose one-click exact match is poor. ATTUNE_PERSONAL_ROWS=lora-more,... runs exactly the rows it
 * names, so a long measurement can be split over several processes (same model, same seeds).
 */
function runRows(config: BenchConfig, heldOut: Pair[], work: string): BenchRow[] {
  const explicit = config.rows !== null;
  const wanted = new Set<RowId>(config.rows ?? ['base', 'lora', 'prompt-tuning']);
  const rows: BenchRow[] = [];
  if (wanted.has('base')) rows.push(measureRow('base model', config, heldOut, null));
  for (const method of ['lora', 'prompt-tuning'] as const) {
    let poor = false;
    if (wanted.has(method)) {
      const oneClick = trainedRow(`${method}, one-click defaults`, config, heldOut, work, method);
      rows.push(oneClick);
      poor = oneClick.score.exactMatch < POOR_EXACT_MATCH;
    }
    const more = explicit ? wanted.has(`${method}-more`) : poor && config.moreEpochs > 0;
    if (more) {
      const name = `${method}, ${config.moreEpochs} epochs`;
      rows.push(trainedRow(name, config, heldOut, work, method, config.moreEpochs));
    }
  }
  return rows;
}

function parseRows(value: string | undefined): RowId[] | null {
  if (!value) return null;
  const rows = value.split(',').map((r) => r.trim());
  const unknown = rows.filter((r) => !ROW_IDS.includes(r as RowId));
  if (unknown.length > 0)
    throw new Error(`ATTUNE_PERSONAL_ROWS: unknown row(s) ${unknown.join(', ')}; use ${ROW_IDS.join(', ')}`);
  return rows as RowId[];
}

async function main(): Promise<void> {
  const config = configFromEnv();
  const started = performance.now();
  const model = describeModel(config.model);
  const heldOut = readPairs(HELD_OUT_FILE);
  console.error(
    `[personal] model ${model.dir} (step ${model.step ?? '?'}), backend ${config.backend}, load average ${loadavg()[0]!.toFixed(1)}`,
  );
  const work = mkdtempSync(join(tmpdir(), 'attune-personal-'));
  try {
    const rows = runRows(config, heldOut, work);
    const after = describeModel(config.model);
    if (after.weightsSha256 !== model.weightsSha256) {
      throw new Error(
        `the model's weights changed during the run (step ${model.step} -> ${after.step}); rerun the bench`,
      );
    }
    const summary = {
      model,
      backend: config.backend,
      task: { train: TRAIN_FILE, heldOut: HELD_OUT_FILE, seed: SEED },
      loadAverageAtEnd: loadavg()[0],
      totalSeconds: (performance.now() - started) / 1000,
      rows,
    };
    console.log(
      `\nPersonal-style task (to-do format), model step ${model.step ?? '?'}, ${config.backend}, total ${summary.totalSeconds.toFixed(0)} s\n`,
    );
    console.log(formatTable(rows));
    console.log('\nSample greedy answers (first held-out pairs, --max-tokens 24):');
    for (const row of rows)
      for (const s of row.samples)
        console.log(
          `  ${row.name}: ${JSON.stringify(s.instruction)} -> ${JSON.stringify(s.answer)} (expected ${JSON.stringify(s.expected)})`,
        );
    const json = JSON.stringify(summary, null, 2);
    console.log(`\n${json}`);
    if (process.env.ATTUNE_PERSONAL_JSON) writeFileSync(process.env.ATTUNE_PERSONAL_JSON, `${json}\n`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main();
}
