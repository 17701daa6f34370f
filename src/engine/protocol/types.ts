// The engine protocol: how extension pages (dashboard, side panel, popup) talk to the engine that
// lives in the offscreen document. transformers.js / WebLLM style: a request is
// `{kind, id, payload}`; the engine answers with `progress` events (zero or more) and exactly one
// `result` or `error` carrying the same id. Every kind is declared once in `EngineRequests`, so
// senders and the host cannot drift apart; both sides validate what they receive (validate.ts).
//
// Transport (docs/engine.md): a page asks the background to make sure the offscreen document
// exists (`ENGINE_ENSURE_MESSAGE`), then opens a runtime Port named ENGINE_PORT_NAME; the
// offscreen document answers on that Port. The background never relays engine traffic.

import type { Outcome, RequestPayload, RequestProgress, RequestResult } from '../../messaging/envelope';
import type { ErrorInfo } from '../../errors/attune-error';
import type { ChatMessage } from '../../model/chat-template';
import type { MethodName, MethodSummary } from '../../tuning/types';
import type { TrainSettings } from '../../tuning/train/defaults';
import type { FittingPlan } from '../../tuning/train/memory-plan';

// A generate request's chat turns are the model's own message shape; exported here so pages
// build them against the protocol they send, not against the model.
export type { ChatMessage };

/** Name of the runtime Port pages open to the engine. */
export const ENGINE_PORT_NAME = 'attune-engine';

/**
 * Port the offscreen engine keeps open to the background while it lives. When the browser closes
 * the document mid-run, the background sees the Port disconnect and starts it again, and the
 * engine continues the run from its checkpoint, with no page open.
 */
export const ENGINE_WATCHDOG_PORT_NAME = 'attune-engine-watchdog';

/** One-shot runtime message a page sends the background: "create the offscreen engine if needed". */
export const ENGINE_ENSURE_MESSAGE = { kind: 'engine.ensure', payload: {} } as const;
export type EngineEnsureMessage = typeof ENGINE_ENSURE_MESSAGE;
export type EngineEnsureReply = Outcome<{ ready: true }, EngineErrorInfo>;

// ---- payloads ---------------------------------------------------------------------------------

/** Which stored examples to train on. */
export type ExampleSelection = { kind: 'all' } | { kind: 'tag'; tag: string };

/** JSON-safe values a method config may hold (numbers, strings, booleans, string lists). */
export type ConfigValue = number | string | boolean | string[];

export interface TrainStartPayload {
  examples: ExampleSelection;
  method: MethodName;
  /** Changes to the method's default config (e.g. `{r: 16}` for LoRA). */
  methodConfig?: Record<string, ConfigValue>;
  /** Changes to the one-click settings (`chooseDefaults`): steps, epochs, learning rate, ... */
  overrides?: Partial<TrainSettings>;
  /** Name for the adapter; a dated default when absent. */
  name?: string;
  /**
   * Continue training this adapter (its method and config; warm start from its current
   * weights) on the selection's new examples plus a replay sample; it gets a new version.
   */
  continueAdapterId?: string;
  /** How many older examples to replay when continuing (default: as many as new ones, at most 200). */
  replayExamples?: number;
}

export interface TrainDefaultsPayload {
  examples: ExampleSelection;
  method: MethodName;
  /** Also plan continuing this adapter (TrainDefaults.continuation). */
  continueAdapterId?: string;
  replayExamples?: number;
}

/** A continued run: the adapter, its version before and after, and the examples it mixes. */
export interface ContinuationSummary {
  adapterId: string;
  name: string;
  fromVersion: number;
  toVersion: number;
  /** New examples trained on (not seen by any earlier version). */
  newCount: number;
  /** Older examples trained on again. */
  replayCount: number;
  heldOutCount: number;
}

export interface SamplingPayload {
  /** Always the most likely token (default true: reproducible answers). */
  greedy?: boolean;
  temperature?: number;
  topK?: number;
  topP?: number;
  repetitionPenalty?: number;
  seed?: number;
  /** Upper bound on new tokens (default 64). */
  maxNewTokens?: number;
}

export interface GeneratePayload {
  /** Raw text prompt, encoded as is (like `attune generate --prompt`). Give this or `messages`. */
  prompt?: string;
  /** A conversation, rendered through the model's chat template with the assistant turn opened. */
  messages?: ChatMessage[];
  /** A stored adapter's id, or null for the base model. */
  adapterId: string | null;
  sampling?: SamplingPayload;
}

export interface GenerateProgress {
  /** New text, final (the pieces concatenate to the result's text). */
  delta: string;
}

export interface GenerateResult {
  text: string;
  tokens: number;
  stopReason: 'eos' | 'stop-string' | 'max-tokens' | 'context-full';
}

/** Longest text `context.fit` accepts, in characters (a page's main content is far shorter). */
export const MAX_CONTEXT_FIT_CHARS = 200_000;

export interface ContextFitPayload {
  /** The page's main content or the selection, as it would be sent. */
  text: string;
  /**
   * Tokens to leave free besides the chat template's own: the answer's max new tokens plus room
   * for the question and the conversation (docs/assistant.md, "Page context").
   */
  reserveTokens: number;
}

/** Where the text was cut: null when it fits whole. */
export type ContextCut = 'paragraph' | 'sentence' | 'word' | 'character' | null;

export interface ContextFitResult {
  /** What is sent: the text itself, or its beginning. */
  text: string;
  cut: ContextCut;
  /** Tokens of the kept text (counted again after the cut) and of the whole text. */
  keptTokens: number;
  totalTokens: number;
  /** Tokens the context was allowed: context length − reserve − the template's frame. */
  budgetTokens: number;
  /** Paragraphs (blocks separated by a blank line) kept and in the whole text. */
  keptParagraphs: number;
  totalParagraphs: number;
}

export interface TrainDefaults {
  settings: TrainSettings;
  methodConfig: Record<string, ConfigValue>;
  exampleCount: number;
  /** How the run would fit the backend's memory (micro-batch × accumulation, peak); null: not planned. */
  memory: FittingPlan | null;
  /** Every registered method's one-click cost on this selection, for the method picker. */
  estimates: MethodEstimate[];
  /** When asked about continuing an adapter: what that run would train on. */
  continuation?: ContinuationSummary;
}

/** What one click of a method would train and cost on a selection, shown before training. */
export interface MethodEstimate {
  method: string;
  /** Numbers it would train on the active model (the method's parameterCount, default config). */
  trainableParameters: number;
  /** The memory plan's estimated peak; null when this backend is not planned. */
  estimatedPeakBytes: number | null;
  /** False when the memory plan refuses the run on this backend. */
  fits: boolean;
  /** Training tokens over the whole run (epochs × the selection's tokens). */
  tokens: number;
  tokensPerSecond: number;
  /** True when tokens/s was measured by an earlier run of the method on this model; else assumed. */
  measuredSpeed: boolean;
  seconds: number;
}

// ---- training state ---------------------------------------------------------------------------

export type TrainPhase = 'idle' | 'loading' | 'running' | 'paused' | 'saving' | 'completed' | 'cancelled' | 'failed';

export interface LossPoint {
  step: number;
  /** Training loss of that step (mean per output token). */
  loss: number;
  /** Held-out loss when it was measured at that step, else null. */
  heldOutLoss: number | null;
}

/** Base vs tuned answer to one held-out instruction, shown when a run ends. */
export interface ComparisonSample {
  instruction: string;
  expected: string;
  base: string;
  tuned: string;
}

export interface TrainSummary {
  status: 'completed' | 'early-stopped' | 'cancelled' | 'diverged';
  steps: number;
  heldOutLossBefore: number | null;
  heldOutLossAfter: number | null;
  lastTrainLoss: number | null;
  tokensPerSecond: number;
  trainableParameters: number;
  samples: ComparisonSample[];
}

/** Everything a page needs to draw the training panel; sent whole on every change. */
export interface TrainState {
  phase: TrainPhase;
  runId: string | null;
  method: MethodName | null;
  modelId: string | null;
  step: number;
  totalSteps: number;
  loss: number | null;
  heldOutLoss: number | null;
  tokensPerSecond: number;
  etaSeconds: number | null;
  trainCount: number;
  heldOutCount: number;
  curve: LossPoint[];
  /** Set when this run continued from a checkpoint: the step it continued from. */
  resumedFromStep: number | null;
  /** Step of the last checkpoint written to IndexedDB (null: none yet). */
  checkpointStep: number | null;
  /**
   * Why the latest checkpoint could not be written (storage full) while training goes on; null
   * once a checkpoint is written again. `checkpointStep` still names the last one saved.
   */
  checkpointError: EngineErrorInfo | null;
  /** Notes from data preparation (held-out split, truncations). */
  notes: string[];
  /** The saved adapter, once phase is 'completed' (or 'cancelled' with progress kept). */
  adapterId: string | null;
  /**
   * The new model, once phase is 'completed', for methods whose result is a whole model (full
   * fine-tuning): listed in Models under this name (adapterId stays null).
   */
  savedModel: { id: string; name: string } | null;
  summary: TrainSummary | null;
  error: EngineErrorInfo | null;
  /** Set when the run continues an adapter (a new version of it). */
  continuation?: ContinuationSummary;
}

// ---- the request table ------------------------------------------------------------------------

type Empty = Record<string, never>;

/** Requests the engine answers: kind → payload, progress event and result. */
export interface EngineRequests {
  /** Starts a run; progress streams its state until the result (its final state). */
  'train.start': { payload: TrainStartPayload; progress: TrainState; result: TrainState };
  /** Every tuning method the engine can train: labels, descriptions, fields and defaults. */
  'train.methods': { payload: Empty; progress: never; result: MethodSummary[] };
  /** The one-click settings and method config the engine would choose for this selection. */
  'train.defaults': { payload: TrainDefaultsPayload; progress: never; result: TrainDefaults };
  /** Follows the current run (e.g. after reopening the dashboard): same stream as train.start. */
  'train.watch': { payload: Empty; progress: TrainState; result: TrainState };
  'train.pause': { payload: Empty; progress: never; result: TrainState };
  'train.resume': { payload: Empty; progress: never; result: TrainState };
  'train.cancel': { payload: Empty; progress: never; result: TrainState };
  'train.status': { payload: Empty; progress: never; result: TrainState };
  /** Streams new text as progress; cancel with `request.cancel`. */
  'model.generate': { payload: GeneratePayload; progress: GenerateProgress; result: GenerateResult };
  /** Fits page context to the active model's context, counted with its tokenizer. */
  'context.fit': { payload: ContextFitPayload; progress: never; result: ContextFitResult };
  /** Stops another request of this client (a generation) early; it ends with error 'cancelled'. */
  'request.cancel': { payload: { requestId: string }; progress: never; result: { cancelled: boolean } };
  /** Folds a LoRA adapter into the base weights (faster generation with that adapter). */
  'adapter.merge': { payload: { adapterId: string }; progress: never; result: EngineInfo };
  'adapter.unmerge': { payload: Empty; progress: never; result: EngineInfo };
  /**
   * Checks a PEFT zip against the active model (base model id, method, tensor shapes) and stores
   * it. Base64 because runtime Ports carry JSON, not bytes.
   */
  'adapter.import': { payload: { name: string; zipBase64: string }; progress: never; result: { adapterId: string; name: string } };
  /**
   * A weighted mix of stored LoRA adapters of the active model (PEFT add_weighted_adapter), stored
   * as a new adapter.
   */
  'adapter.mix': { payload: AdapterMixPayload; progress: never; result: { adapterId: string; name: string } };
  /**
   * A stored model (with a stored adapter merged in, or a LoRA adapter alone) as a GGUF file for
   * llama.cpp/Ollama (docs/interop.md). Base64 because runtime Ports carry JSON, not bytes.
   */
  'model.export': { payload: ExportGgufPayload; progress: ExportGgufProgress; result: { fileName: string; bytesBase64: string } };
  /** Backend and loaded model, for status displays. */
  'engine.info': { payload: Empty; progress: never; result: EngineInfo };
}

/** The combinations PEFT's add_weighted_adapter offers that Attune implements. */
export const MIX_COMBINATION_NAMES = ['svd', 'linear'] as const;

export interface AdapterMixPayload {
  name: string;
  parts: { adapterId: string; weight: number }[];
  combination: (typeof MIX_COMBINATION_NAMES)[number];
  /** svd only; default the largest rank mixed. */
  rank?: number;
}

export interface ExportGgufPayload {
  modelId: string;
  /** Merged into the model, or (adapterOnly) written alone; null: the model as it is. */
  adapterId: string | null;
  adapterOnly: boolean;
  type: 'f16' | 'q8_0';
}

export interface ExportGgufProgress {
  phase: 'loading' | 'converting' | 'sending';
}

export interface EngineInfo {
  backend: string | null;
  modelId: string | null;
  mergedAdapterId: string | null;
}

export type EngineKind = keyof EngineRequests;
export type PayloadOf<K extends EngineKind> = RequestPayload<EngineRequests, K>;
export type ProgressOf<K extends EngineKind> = RequestProgress<EngineRequests, K>;
export type ResultOf<K extends EngineKind> = RequestResult<EngineRequests, K>;

export type EngineRequestOf<K extends EngineKind> = { kind: K; id: string; payload: PayloadOf<K> };
export type EngineRequest = { [K in EngineKind]: EngineRequestOf<K> }[EngineKind];

export const ENGINE_KINDS: readonly EngineKind[] = [
  'train.start',
  'train.methods',
  'train.defaults',
  'train.watch',
  'train.pause',
  'train.resume',
  'train.cancel',
  'train.status',
  'model.generate',
  'context.fit',
  'request.cancel',
  'adapter.merge',
  'adapter.unmerge',
  'adapter.import',
  'adapter.mix',
  'model.export',
  'engine.info',
];

// ---- events -----------------------------------------------------------------------------------

/**
 * Why a request failed: the error's stable code, its catalogue key and parameters (the UI renders
 * them in the reader's language) and the English message (logs). See src/errors/attune-error.ts.
 */
export type EngineErrorInfo = ErrorInfo;

export type EngineEvent =
  | { type: 'progress'; id: string; progress: unknown }
  | ({ id: string } & Outcome<unknown, EngineErrorInfo>)
  /** Sent once when a Port connects, so the client knows the engine is listening. */
  | { type: 'ready' };

export function idleTrainState(): TrainState {
  return {
    phase: 'idle',
    runId: null,
    method: null,
    modelId: null,
    step: 0,
    totalSteps: 0,
    loss: null,
    heldOutLoss: null,
    tokensPerSecond: 0,
    etaSeconds: null,
    trainCount: 0,
    heldOutCount: 0,
    curve: [],
    resumedFromStep: null,
    checkpointStep: null,
    checkpointError: null,
    notes: [],
    adapterId: null,
    savedModel: null,
    summary: null,
    error: null,
  };
}

/** Phases in which a run is alive (the engine holds a trainer). */
export function isActivePhase(phase: TrainPhase): boolean {
  return phase === 'loading' || phase === 'running' || phase === 'paused' || phase === 'saving';
}
