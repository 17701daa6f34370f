// Training data: {instruction, input?, output} examples -> chat-templated token sequences with a
// loss mask on the output tokens only -> length-bucketed, right-padded batches. Pure (no tensors
// until a batch is materialised), so the engine can prepare data before the model is on the GPU.
import * as tf from '@tensorflow/tfjs';
import type { ChatMessage } from '../../model/chat-template';
import type { ModelTokenizer } from '../../model/tokenizer';
import { TrainingDataError } from '../errors';
import { Rng } from '../rng';

export interface TrainingExample {
  instruction: string;
  input?: string;
  output: string;
}

/** One example as token ids; lossMask[t] = 1 where ids[t] is an output token the model must predict. */
export interface EncodedExample {
  ids: number[];
  lossMask: number[];
}

export interface EncodeReport {
  examples: EncodedExample[];
  /** Human-readable notes: truncations, dropped examples. */
  warnings: string[];
  truncated: number;
  dropped: number;
  /** Demonstrations kept in front of the examples, summed over the kept examples. */
  demonstrations: number;
}

/** The chat messages an example becomes; generation uses the same for the user turn. */
export function exampleMessages(example: TrainingExample): ChatMessage[] {
  const input = example.input?.trim();
  const user = input ? `${example.instruction.trim()}\n\n${input}` : example.instruction.trim();
  return [{ role: 'user', content: user }];
}

/**
 * Renders the prompt (with the assistant-turn opening) and the completion (the output and whatever
 * the template closes the turn with, e.g. the end-of-sequence token) as separate id lists, so the
 * loss mask is exact whatever the tokenizer does at the boundary.
 */
export function encodeExample(tokenizer: ModelTokenizer, example: TrainingExample): { prompt: number[]; completion: number[] } {
  const messages = exampleMessages(example);
  const prompt = tokenizer.applyChatTemplate(messages, { addGenerationPrompt: true });
  const full = tokenizer.applyChatTemplate([...messages, { role: 'assistant', content: example.output.trim() }], {
    addGenerationPrompt: false,
  });
  const promptIds = tokenizer.encode(prompt, { addSpecialTokens: false });
  if (full.startsWith(prompt)) {
    // Trailing whitespace after the turn's end token teaches nothing and can't be generated.
    const completion = full.slice(prompt.length).trimEnd();
    return { prompt: promptIds, completion: tokenizer.encode(completion, { addSpecialTokens: false }) };
  }
  // A template whose generation prompt is not a prefix of the full chat: output then EOS.
  const eos = tokenizer.eosTokenIds[0];
  const output = tokenizer.encode(example.output.trim(), { addSpecialTokens: false });
  return { prompt: promptIds, completion: eos === undefined ? output : [...output, eos] };
}

/**
 * Fits prompt + completion into maxLength tokens. Over-long examples keep the end of the prompt
 * (the instruction's tail and the assistant opening sit there) and the start of the output.
 */
export function fitExample(prompt: number[], completion: number[], maxLength: number): { example: EncodedExample; truncated: boolean } {
  let p = prompt;
  let c = completion;
  const truncated = p.length + c.length > maxLength;
  if (truncated) {
    const completionBudget = Math.max(Math.floor(maxLength / 2), maxLength - p.length);
    c = c.slice(0, Math.min(c.length, completionBudget));
    p = p.slice(Math.max(0, p.length - (maxLength - c.length)));
  }
  const ids = [...p, ...c];
  const lossMask = [...p.map(() => 0), ...c.map(() => 1)];
  return { example: { ids, lossMask }, truncated };
}

/** An example tokenised but not yet fitted to a length budget. */
export interface TokenizedExample {
  prompt: number[];
  completion: number[];
  /**
   * For methods trained with retrieved demonstrations (src/tuning/train/demonstrations.ts): the
   * prompt with the first 1, 2, … n demonstrations (most similar first) before the example.
   * Fitting keeps the most that fit whole; the least similar go first, none is cut mid-turn.
   */
  demonstrationPrompts?: number[][];
}

/** The prompt with the most demonstrations that fits `maxLength` with the completion, and how many. */
export function promptWithinLength(tokenized: TokenizedExample, maxLength: number): { prompt: number[]; demonstrations: number } {
  const withDemos = tokenized.demonstrationPrompts ?? [];
  for (let n = withDemos.length; n > 0; n--) {
    const prompt = withDemos[n - 1]!;
    if (prompt.length + tokenized.completion.length <= maxLength) return { prompt, demonstrations: n };
  }
  return { prompt: tokenized.prompt, demonstrations: 0 };
}

export function tokenizeExamples(tokenizer: ModelTokenizer, examples: readonly TrainingExample[]): TokenizedExample[] {
  return examples.map((example) => encodeExample(tokenizer, example));
}

/** Fits every example into maxLength tokens, dropping those with nothing left to learn. */
export function fitExamples(tokenized: readonly TokenizedExample[], maxLength: number): EncodeReport {
  const encoded: EncodedExample[] = [];
  let truncated = 0;
  let dropped = 0;
  let demonstrations = 0;
  for (const example of tokenized) {
    const { prompt, demonstrations: kept } = promptWithinLength(example, maxLength);
    const fitted = fitExample(prompt, example.completion, maxLength);
    // Position 0 is never predicted, so an example needs a masked token after the first.
    if (fitted.example.lossMask.slice(1).every((m) => m === 0)) {
      dropped += 1;
      continue;
    }
    if (fitted.truncated) truncated += 1;
    demonstrations += kept;
    encoded.push(fitted.example);
  }
  const warnings: string[] = [];
  if (truncated > 0) warnings.push(`${truncated} example(s) were longer than ${maxLength} tokens and were truncated.`);
  if (dropped > 0) warnings.push(`${dropped} example(s) had no output tokens left after truncation and were skipped.`);
  return { examples: encoded, warnings, truncated, dropped, demonstrations };
}

export function encodeExamples(tokenizer: ModelTokenizer, examples: readonly TrainingExample[], maxLength: number): EncodeReport {
  const report = fitExamples(tokenizeExamples(tokenizer, examples), maxLength);
  if (report.examples.length === 0) throw new TrainingDataError({ key: 'error.training-data.none-usable' });
  return report;
}

// ---- split ----------------------------------------------------------------------------------

/** Fewer examples than this: everything trains and no held-out loss is reported. */
export const MIN_EXAMPLES_FOR_HELD_OUT = 20;

export interface DataSplit<T> {
  train: T[];
  heldOut: T[];
  /** Why there is or isn't a held-out set, for the UI/CLI. */
  note: string;
}

/** A seeded split: 10 % held out (at least 2, at most 200) when there are enough examples. */
export function splitExamples<T>(items: readonly T[], seed: number): DataSplit<T> {
  if (items.length < MIN_EXAMPLES_FOR_HELD_OUT) {
    return {
      train: [...items],
      heldOut: [],
      note: `No held-out set: ${items.length} examples (a held-out loss needs at least ${MIN_EXAMPLES_FOR_HELD_OUT}).`,
    };
  }
  const shuffled = new Rng(seed ^ 0x5eed).shuffle([...items]);
  const size = Math.min(200, Math.max(2, Math.round(items.length * 0.1)));
  return {
    train: shuffled.slice(size),
    heldOut: shuffled.slice(0, size),
    note: `${size} of ${items.length} examples held out to measure the loss on unseen text.`,
  };
}

// ---- batches --------------------------------------------------------------------------------

/** A batch as host arrays (serialisable); `toTensors` makes the tensors for one step. */
export interface HostBatch {
  /** [B][T], right-padded with padId. */
  ids: number[][];
  /** [B][T], 1 = real token. */
  attentionMask: number[][];
  /** [B][T], 1 = output token to predict. */
  lossMask: number[][];
  /** Real (unpadded) tokens in the batch, for tokens/s. */
  tokens: number;
  /** Positions that contribute to the loss. */
  lossTokens: number;
}

export interface BatchTensors {
  ids: tf.Tensor2D;
  attentionMask: tf.Tensor2D;
  lossMask: tf.Tensor2D;
}

export function toTensors(batch: HostBatch): BatchTensors {
  return {
    ids: tf.tensor2d(batch.ids, undefined, 'int32'),
    attentionMask: tf.tensor2d(batch.attentionMask, undefined, 'float32'),
    lossMask: tf.tensor2d(batch.lossMask, undefined, 'float32'),
  };
}

export function disposeBatch(tensors: BatchTensors): void {
  tensors.ids.dispose();
  tensors.attentionMask.dispose();
  tensors.lossMask.dispose();
}

/**
 * How batches are shaped. `tight` pads each batch only to its longest example (least compute:
 * right for WASM/CPU). `stable` also rounds the width up to a multiple of 8 (capped at
 * `maxWidth`) and fills short batches with empty rows, so a run sees only a couple of distinct
 * shapes: GPU backends compile programs per shape, and on a software GPU each compile costs
 * about a second (HF's `pad_to_multiple_of` does the same for tensor cores).
 */
export type BatchShapes = { kind: 'tight' } | { kind: 'stable'; rows: number; maxWidth: number };

export const TIGHT_BATCHES: BatchShapes = { kind: 'tight' };
const STABLE_WIDTH_MULTIPLE = 8;

/** Width and rows a batch of these examples gets under the policy. */
function batchShape(examples: readonly EncodedExample[], shapes: BatchShapes): { width: number; rows: number } {
  const longest = Math.max(2, ...examples.map((e) => e.ids.length));
  if (shapes.kind === 'tight') return { width: longest, rows: examples.length };
  const rounded = Math.ceil(longest / STABLE_WIDTH_MULTIPLE) * STABLE_WIDTH_MULTIPLE;
  return { width: Math.max(longest, Math.min(rounded, shapes.maxWidth)), rows: Math.max(examples.length, shapes.rows) };
}

/**
 * Right-pads examples into one batch. Right padding keeps every real token at its unpadded
 * position; padding rows (stable shapes) have zero attention and loss masks, so they add nothing
 * to the loss or the gradients.
 */
export function padBatch(examples: readonly EncodedExample[], padId = 0, shapes: BatchShapes = TIGHT_BATCHES): HostBatch {
  const { width, rows } = batchShape(examples, shapes);
  const pad = (row: number[], value: number) => [...row, ...new Array<number>(width - row.length).fill(value)];
  const all = [...examples, ...new Array<EncodedExample>(rows - examples.length).fill({ ids: [], lossMask: [] })];
  const lossMask = all.map((e) => pad(e.lossMask, 0));
  let lossTokens = 0;
  for (const row of lossMask) for (let t = 1; t < row.length; t++) lossTokens += row[t]!;
  return {
    ids: all.map((e) => pad(e.ids, padId)),
    attentionMask: all.map((e) => pad(e.ids.map(() => 1), 0)),
    lossMask,
    tokens: examples.reduce((sum, e) => sum + e.ids.length, 0),
    lossTokens,
  };
}

/**
 * One epoch's batches: shuffled with the epoch's seed, then sorted by length inside windows of
 * 16 batches so each batch holds similar lengths (little padding) while the order stays random.
 */
export function epochBatches(
  examples: readonly EncodedExample[],
  batchSize: number,
  seed: number,
  epoch: number,
  padId = 0,
  shapes: BatchShapes = TIGHT_BATCHES,
): HostBatch[] {
  const rng = new Rng((seed * 1_000_003 + epoch * 7919) >>> 0);
  const order = rng.shuffle(examples.map((_, i) => i));
  const window = batchSize * 16;
  const groups: number[][] = [];
  for (let start = 0; start < order.length; start += window) {
    const sorted = order.slice(start, start + window).sort((a, b) => examples[a]!.ids.length - examples[b]!.ids.length);
    for (let i = 0; i < sorted.length; i += batchSize) groups.push(sorted.slice(i, i + batchSize));
  }
  rng.shuffle(groups);
  return groups.map((group) => padBatch(group.map((i) => examples[i]!), padId, shapes));
}

/** Batches for evaluation: sorted by length (deterministic, least padding). */
export function evalBatches(examples: readonly EncodedExample[], batchSize: number, padId = 0, shapes: BatchShapes = TIGHT_BATCHES): HostBatch[] {
  const sorted = [...examples].sort((a, b) => a.ids.length - b.ids.length);
  const batches: HostBatch[] = [];
  for (let i = 0; i < sorted.length; i += batchSize) batches.push(padBatch(sorted.slice(i, i + batchSize), padId, shapes));
  return batches;
}

/** Length statistics chooseDefaults reads. */
export interface DataStats {
  count: number;
  meanTokens: number;
  maxTokens: number;
  /** 95th percentile length. */
  p95Tokens: number;
}

export function dataStats(lengths: readonly number[]): DataStats {
  if (lengths.length === 0) return { count: 0, meanTokens: 0, maxTokens: 0, p95Tokens: 0 };
  const sorted = [...lengths].sort((a, b) => a - b);
  return {
    count: lengths.length,
    meanTokens: lengths.reduce((a, b) => a + b, 0) / lengths.length,
    maxTokens: sorted[sorted.length - 1]!,
    p95Tokens: sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.95))]!,
  };
}
