// Every registered tuning method, one click each, on two small tasks: `npm run bench -- methods`.
//
// For each method in src/tuning/registry.ts (so a new method is measured without touching this
// file) and each task, this spawns the CLI exactly as a person runs it: `attune train --method M
// --data train.jsonl --seed 1` (the one-click defaults: planTraining / chooseDefaults and
// the method's own config and optimizer settings, nothing overridden; ATTUNE_METHODS_STEPS caps the
// steps of every method alike when a quicker run is wanted), then `attune eval` on the held-out
// file, which training never sees. One `attune train` process per method, wrapped in GNU time, so
// the peak resident memory is that method's alone.
//
// Tasks: "personal" (tools/bench/personal-task/, the to-do format of `npm run bench -- personal`)
// and "slug" (tools/bench/methods-task/: UI labels from src/i18n turned into slugs).
//
// Environment: ATTUNE_METHODS_ONLY (comma list of methods; default all registered),
// ATTUNE_METHODS_TASKS (personal,slug), ATTUNE_METHODS_STEPS (step cap for every method; default none),
// ATTUNE_METHODS_BACKEND (default wasm), ATTUNE_METHODS_MODEL (default public/model),
// ATTUNE_METHODS_JSON (also write the JSON summary to this file).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getMethod, METHOD_NAMES } from '../../src/tuning/registry';
import type { MethodName } from '../../src/tuning/types';
import { HELD_OUT_FILE as SLUG_HELD_OUT, TRAIN_FILE as SLUG_TRAIN } from './methods-task/generate';
import { HELD_OUT_FILE as PERSONAL_HELD_OUT, TRAIN_FILE as PERSONAL_TRAIN } from './personal-task/generate';
import { AttuneCommandError, describeModel, scoreHeldOut, type HeldOutScore } from './personal';

const HERE = dirname(fileURLToPath(import.meta.url));
const ATTUNE = join(HERE, '..', '..', 'bin', 'attune.mjs');
const GNU_TIME = '/usr/bin/time';
const SEED = 1;

interface Task {
  name: string;
  train: string;
  heldOut: string;
}

const TASKS: readonly Task[] = [
  { name: 'personal', train: PERSONAL_TRAIN, heldOut: PERSONAL_HELD_OUT },
  { name: 'slug', train: SLUG_TRAIN, heldOut: SLUG_HELD_OUT },
];

/** The parts of `attune train --json` reported here. */
interface TrainSummary {
  status: string;
  steps: number;
  tokensPerSecond: number;
  seconds: number;
  trainableParameters: number;
  settings: { epochs: number; maxSteps: number | null; batchSize: number; lr: number };
  memoryPlan: { estimatedPeakBytes: number } | null;
  out: string;
  saved: 'model' | 'adapter';
}

interface MethodRow {
  task: string;
  method: string;
  /** 1-minute load average when the method's training started (2 shared cores: speeds are rough). */
  loadAverage: number;
  training: TrainSummary | null;
  peakRssBytes: number | null;
  before: HeldOutScore;
  after: HeldOutScore | null;
  error?: string;
}

interface Config {
  model: string;
  backend: string;
  steps: number | null;
  methods: string[];
  tasks: Task[];
}

function configFromEnv(): Config {
  const methods = listFromEnv('ATTUNE_METHODS_ONLY', METHOD_NAMES);
  const taskNames = listFromEnv('ATTUNE_METHODS_TASKS', TASKS.map((t) => t.name));
  return {
    model: process.env.ATTUNE_METHODS_MODEL ?? 'default',
    backend: process.env.ATTUNE_METHODS_BACKEND ?? 'wasm',
    steps: process.env.ATTUNE_METHODS_STEPS ? Number(process.env.ATTUNE_METHODS_STEPS) : null,
    methods,
    tasks: TASKS.filter((t) => taskNames.includes(t.name)),
  };
}

function listFromEnv(name: string, known: readonly string[]): string[] {
  const value = process.env[name];
  if (!value) return [...known];
  const items = value.split(',').map((s) => s.trim());
  const unknown = items.filter((i) => !known.includes(i));
  if (unknown.length > 0) throw new Error(`${name}: unknown ${unknown.join(', ')}; use ${known.join(', ')}`);
  return items;
}

/** `attune train` in its own process under GNU time: its JSON summary and its peak RSS. */
function trainMethod(config: Config, task: Task, method: string, out: string): { summary: TrainSummary; peakRssBytes: number | null } {
  const args = [ATTUNE, 'train', '--model', config.model, '--data', task.train, '--method', method];
  args.push('--seed', String(SEED), '--out', out, '--json', '--backend', config.backend);
  if (config.steps !== null) args.push('--steps', String(config.steps));
  const rssFile = `${out}.rss`;
  const timed = existsSync(GNU_TIME);
  const child = timed
    ? spawnSync(GNU_TIME, ['-f', '%M', '-o', rssFile, process.execPath, ...args], { encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'inherit'] })
    : spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'inherit'] });
  if (child.status !== 0) throw new AttuneCommandError(`attune train --method ${method} exited with ${child.status}`);
  // GNU time writes the maximum resident set size in KiB.
  const peakRssBytes = timed ? Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop()) * 1024 : null;
  return { summary: JSON.parse(child.stdout) as TrainSummary, peakRssBytes };
}

function measureMethod(config: Config, task: Task, method: string, before: HeldOutScore, work: string): MethodRow {
  const out = join(work, `${task.name}-${method}`);
  const loadAverage = loadavg()[0]!;
  console.error(`[methods] ${task.name}: training ${method} (load average ${loadAverage.toFixed(1)})`);
  try {
    const { summary, peakRssBytes } = trainMethod(config, task, method, out);
    const after =
      summary.saved === 'model'
        ? scoreHeldOut({ model: out, data: task.heldOut, backend: config.backend })
        : scoreHeldOut({
            model: config.model,
            data: task.heldOut,
            adapter: out,
            backend: config.backend,
            // A method trained with retrieved demonstrations is scored with them, drawn from the training file as in use.
            ...(getMethod(method as MethodName).demonstrations ? { pool: task.train } : {}),
          });
    return { task: task.name, method, loadAverage, training: summary, peakRssBytes, before, after };
  } catch (error) {
    // One failing method must not cost the others' figures; the row says why.
    return { task: task.name, method, loadAverage, training: null, peakRssBytes: null, before, after: null, error: String(error) };
  }
}

const mib = (bytes: number | null | undefined): string => (bytes == null ? '–' : `${Math.round(bytes / 2 ** 20)} MiB`);

function formatTable(rows: readonly MethodRow[]): string {
  const header = [
    'task',
    'method',
    'trainable parameters',
    'steps (epochs), lr',
    'held-out loss before → after',
    'loss drop (vs LoRA)',
    'exact match',
    'tokens/s',
    'peak RSS (plan)',
    'train s',
    'load avg',
  ];
  const lines = rows.map((row) => {
    const t = row.training;
    const lora = rows.find((r) => r.task === row.task && r.method === 'lora');
    const drop = row.after ? row.before.loss - row.after.loss : null;
    const loraDrop = lora?.after ? lora.before.loss - lora.after.loss : null;
    const cells = [
      row.task,
      row.method,
      t ? t.trainableParameters.toLocaleString('en') : '–',
      t ? `${t.steps}${t.status === 'completed' ? '' : ` ${t.status}`} (${t.settings.epochs}), ${t.settings.lr}` : '–',
      row.after ? `${row.before.loss.toFixed(3)} → ${row.after.loss.toFixed(3)}` : `failed: ${row.error ?? ''}`.slice(0, 80),
      drop === null ? '–' : `${drop.toFixed(3)}${loraDrop ? ` (${Math.round((100 * drop) / loraDrop)} %)` : ''}`,
      row.after ? `${Math.round(row.after.exactMatch * row.after.n)}/${row.after.n}` : '–',
      t ? String(t.tokensPerSecond) : '–',
      `${mib(row.peakRssBytes)} (${mib(t?.memoryPlan?.estimatedPeakBytes)})`,
      t ? t.seconds.toFixed(0) : '–',
      row.loadAverage.toFixed(1),
    ];
    return `| ${cells.join(' | ')} |`;
  });
  return [`| ${header.join(' | ')} |`, `|${' --- |'.repeat(header.length)}`, ...lines].join('\n');
}

async function main(): Promise<void> {
  const config = configFromEnv();
  const started = performance.now();
  const model = describeModel(config.model);
  console.error(`[methods] model ${model.dir} (step ${model.step ?? '?'}), ${config.backend}, steps ${config.steps ?? 'one-click'}, methods ${config.methods.join(', ')}`);
  const work = mkdtempSync(join(tmpdir(), 'attune-methods-'));
  const rows: MethodRow[] = [];
  try {
    for (const task of config.tasks) {
      console.error(`[methods] ${task.name}: scoring the base model`);
      const before = scoreHeldOut({ model: config.model, data: task.heldOut, backend: config.backend });
      for (const method of config.methods) {
        const row = measureMethod(config, task, method, before, work);
        rows.push(row);
        // Each row as soon as it exists, so a run cut short still leaves its figures.
        console.error(`[methods] row ${JSON.stringify(row)}`);
      }
    }
    const summary = {
      model,
      backend: config.backend,
      stepCap: config.steps,
      seed: SEED,
      totalSeconds: (performance.now() - started) / 1000,
      loadAverageAtEnd: loadavg(),
      rows,
    };
    console.log(`\nEvery method, one click, ${config.steps === null ? 'one-click steps' : `--steps ${config.steps}`}, ${config.backend}, model step ${model.step ?? '?'}, total ${summary.totalSeconds.toFixed(0)} s, load average at end ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
    console.log(formatTable(rows));
    const json = JSON.stringify(summary, null, 2);
    console.log(`\n${json}`);
    if (process.env.ATTUNE_METHODS_JSON) writeFileSync(process.env.ATTUNE_METHODS_JSON, `${json}\n`);
    if (rows.some((r) => r.error)) process.exitCode = 1;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main();
}
