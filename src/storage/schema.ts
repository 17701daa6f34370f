// The typed shape of Attune's IndexedDB database. Every store's record type lives here so the
// migration ladder and the repositories agree; each repository module owns reads and writes.

import type { DBSchema } from 'idb';
import type { Example } from '../dataset/example';
import type { TrainerSnapshot } from '../tuning/train/snapshot';

export const DB_NAME = 'attune';
/** Bump together with a new rung in migrations.ts. */
export const DB_VERSION = 4;

/** An example as stored: the public record plus fields derived for indexes. */
export interface StoredExample extends Example {
  /** Host of sourceUrl ('' when none), for the "by site" filter. */
  sourceHost: string;
  /** exampleDedupeHash(instruction, input, output), for duplicate lookup. */
  dedupeHash: string;
}

/** A trained adapter (LoRA, soft prompt, ...). The tuning area fills in config and weights. */
export interface AdapterRecord {
  id: string;
  name: string;
  /** The tuning method's registry name, e.g. 'lora'. */
  method: string;
  /** The base model this adapter was trained on. */
  modelId: string;
  /** Plain-data method config (PEFT adapter_config.json shape). */
  config: Record<string, unknown>;
  /** Serialised weights (safetensors bytes). */
  weights: ArrayBuffer;
  createdAt: number;
  updatedAt: number;
  /** What training measured (held-out loss before/after, steps, tokens/s); absent for imports. */
  metrics?: Record<string, number | string | null>;
  /** Site patterns this adapter answers on by itself (src/binding/site-pattern.ts); absent: none. */
  sites?: string[];
  /** Example tags this adapter is bound to (src/binding/choice.ts); absent: none. */
  tags?: string[];
  /** The version number the current weights are (adapter-versions-repo.ts); absent: 1. */
  version?: number;
}

/** How a version of an adapter came to be. */
export type AdapterVersionOrigin = 'trained' | 'continued' | 'restored' | 'saved';

/**
 * One version of an adapter (v1, v2, ...): its weights and figures, kept so any version can be
 * restored. The adapter record always holds a copy of the current version's config and weights,
 * so everything that reads adapters (chat, export, merge) keeps reading the adapter record.
 */
export interface AdapterVersionRecord {
  /** `${adapterId}#${version}`. */
  id: string;
  adapterId: string;
  version: number;
  origin: AdapterVersionOrigin;
  /** Restores: the version whose weights this one copies. */
  restoredFrom?: number;
  config: Record<string, unknown>;
  weights: ArrayBuffer;
  metrics?: Record<string, number | string | null>;
  createdAt: number;
  /** Examples this version trained on that earlier versions had not seen. */
  newExamples: number;
  /** Examples of earlier versions trained on again (replay), so the adapter does not forget. */
  replayedExamples: number;
  /** Every example id the training split held, new and replayed (unknown for imports: []). */
  trainExampleIds: string[];
  /** Example ids kept out of training to measure the held-out loss; never replayed later. */
  heldOutExampleIds: string[];
}

/**
 * A base model the user imported or the one shipped with the extension: metadata only. The file
 * bytes live in OPFS (imported) or in the extension package (bundled); see src/model-store.
 */
export interface ModelRecord {
  id: string;
  name: string;
  source: 'bundled' | 'imported';
  /** Where an imported model came from: the URL typed by the user, or absent for local files. */
  sourceUrl?: string;
  /** Parsed config.json. */
  config: Record<string, unknown>;
  /** ModelFamily of the runtime ('gpt2' | 'llama'). */
  family: string;
  /** Sum of all tensor sizes in the safetensors headers, when known. */
  parameterCount: number | null;
  /** File name → size in bytes (model.safetensors, tokenizer.json, ...). */
  files: Record<string, number>;
  sizeBytes: number;
  createdAt: number;
  /** Set on a model made by training another one (full fine-tuning): where it came from. */
  trainedFrom?: TrainedModelOrigin;
}

/** The provenance of a trained model: its base, its method and what the run measured. */
export interface TrainedModelOrigin {
  /** Model-store id and name of the model it was trained from. */
  baseModelId: string;
  baseModelName: string;
  method: string;
  runId: string;
  trainExamples: number;
  heldOutExamples: number;
  heldOutLossBefore: number | null;
  heldOutLossAfter: number | null;
}

export type TrainingRunStatus = 'running' | 'completed' | 'failed' | 'cancelled';

export interface TrainingRunRecord {
  id: string;
  modelId: string;
  method: string;
  status: TrainingRunStatus;
  config: Record<string, unknown>;
  /** Loss curve as plain records, one per logged step. */
  metrics: { step: number; loss: number }[];
  /** Adapter the run produced, once completed. */
  adapterId?: string;
  /** Model the run produced instead (methods whose result is a whole model: full fine-tuning). */
  resultModelId?: string;
  error?: string;
  startedAt: number;
  finishedAt?: number;
  /** The engine's last checkpoint (trainer snapshot: adapter, optimizer moments, step, RNG) while running. */
  checkpoint?: TrainerSnapshot;
}

/** A user's own capture template; built-in ones ship with the capture code. */
export interface UserTemplateRecord {
  id: string;
  name: string;
  instruction: string;
  /** Optional URL pattern the capture form uses to preselect this template. */
  urlPattern: string;
  createdAt: number;
  updatedAt: number;
}

/** One message of a side-panel conversation. */
export interface ConversationMessage {
  id: string;
  role: 'user' | 'assistant';
  content: string;
  createdAt: number;
  /** User messages: page text or selection sent along as the request's input. */
  context?: string;
  /** Assistant answers: the adapter that answered (null: the base model). */
  adapterId?: string | null;
  /** Compare mode: which side of a base-vs-tuned pair this answer is. */
  variant?: 'base' | 'tuned';
  /** Assistant answers: how many of the user's examples were shown as demonstrations. */
  demonstrations?: number;
  /** Assistant answers the user stopped before the model finished. */
  stopped?: boolean;
  /** Assistant answers: the base model that answered (absent in conversations saved before it was kept). */
  modelId?: string;
  /** Assistant answers: decoding speed, new tokens per second after the first (absent when unmeasured). */
  tokensPerSecond?: number;
}

/** A side-panel chat, kept on the device only. Messages live inline: chats are short. */
export interface ConversationRecord {
  id: string;
  title: string;
  messages: ConversationMessage[];
  /**
   * The adapter the person picked for this conversation over the one its site is bound to
   * (null: the base model); absent: the side panel picks by the page (src/binding/choice.ts).
   */
  adapterOverride?: { adapterId: string | null };
  createdAt: number;
  updatedAt: number;
}

export interface SettingRecord {
  key: string;
  value: unknown;
}

export interface AttuneSchema extends DBSchema {
  examples: {
    key: string;
    value: StoredExample;
    indexes: {
      byCreatedAt: number;
      bySourceHost: string;
      byTag: string;
      byDedupeHash: string;
    };
  };
  adapters: { key: string; value: AdapterRecord; indexes: { byModelId: string; byCreatedAt: number } };
  adapterVersions: { key: string; value: AdapterVersionRecord; indexes: { byAdapterId: string } };
  models: { key: string; value: ModelRecord };
  trainingRuns: { key: string; value: TrainingRunRecord; indexes: { byStartedAt: number } };
  settings: { key: string; value: SettingRecord };
  userTemplates: { key: string; value: UserTemplateRecord };
  conversations: { key: string; value: ConversationRecord; indexes: { byUpdatedAt: number } };
}
