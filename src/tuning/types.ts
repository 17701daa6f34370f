// The tuning-method contract. Every method is one folder under methods/ that owns everything
// about it (config, validation, wording, defaults, fields, PEFT mapping, merging) and exports a
// `TuningMethod`, listed once in registry.ts. Methods reach the model only through the
// ForwardHooks and WeightMap of src/model/types.ts, so adding one never touches model code.
import type * as tf from '@tensorflow/tfjs';
import type { ForwardHooks, ModelConfig, WeightMap } from '../model/types';

/**
 * Each method's plain-data config (JSON-serialisable, validated by the method's `validate`),
 * by method name. Empty here: each method's folder adds its own entry (TypeScript declaration
 * merging, in its config.ts), so a new method edits no shared file but the registry.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by declaration merging
export interface MethodConfigMap {}

/** The closed set of methods: the names the method folders declared. */
export type MethodName = keyof MethodConfigMap & string;

/** A method's name and one-line description in one language. */
export interface MethodText {
  label: string;
  description: string;
}

/** A knob a person may turn: a field of the method's config, in the Train view and on the CLI. */
export interface MethodField {
  /** The config field it sets. */
  key: string;
  /** `attune train --<flag>`. */
  flag: string;
  type: 'integer' | 'number' | 'boolean' | 'string';
  /** The smallest value that makes sense (numbers; inclusive). */
  min?: number;
  /**
   * String fields with a fixed set of values: the values (shown as a choice in the Train view,
   * checked by the method's validate). With `multiple`, any non-empty subset, written
   * comma-separated as on the CLI (lightweight's `--parts head,norms`).
   */
  choices?: readonly string[];
  multiple?: boolean;
  /** Short label in the Train view's advanced settings, per language; absent: CLI only. */
  label?: { en: string; zh_CN: string };
  /** The CLI usage line (English, like the rest of the CLI). */
  help: string;
}

/** The optimizer settings one click uses for this method. */
export interface MethodOptimizerDefaults {
  lr: number;
  /** Floor of the cosine schedule. */
  minLr: number;
  weightDecay: number;
}

/** What pages need to know of a method without loading it: sent by the engine (`train.methods`). */
export interface MethodSummary {
  name: string;
  text: { en: MethodText; zh_CN: MethodText };
  fields: MethodField[];
  optimizer: MethodOptimizerDefaults;
  mergeable: boolean;
  /** Whether a saved adapter of this method can be trained further (see `continueRefusal`). */
  continuable: boolean;
}

/** What a method may read from the base model when it builds or loads an adapter. */
export interface AdapterContext {
  model: ModelConfig;
  /** Base weights (read-only): prompt tuning's text init reads the embedding matrix. */
  weights: WeightMap;
  /** Identifier of the base model (`base_model_name_or_path` in PEFT); adapters are refused elsewhere. */
  baseModelId: string;
  /** Text -> token ids without special tokens; needed only for init-from-text. */
  encode?: (text: string) => number[];
  /** Seed for the initial values, so the same seed gives the same adapter. */
  seed: number;
}

/** How the next forward pass runs: training enables dropout, with a seed for reproducibility. */
export interface ForwardMode {
  training: boolean;
  /** Seed for this pass's random masks; the trainer draws one per micro-batch from its RNG. */
  seed?: number;
}

/** A trainable tensor with a stable name, used by snapshots and the "last good state" guard. */
export interface NamedVariable {
  key: string;
  variable: tf.Variable;
}

/** The files of a PEFT adapter directory, already parsed. */
export interface PeftAdapter {
  /** adapter_config.json as a plain object, PEFT field names. */
  config: Record<string, unknown>;
  /** adapter_model.safetensors, keys exactly as PEFT saves them. Owned by whoever holds this. */
  tensors: Map<string, tf.Tensor>;
}

/** One live adapter: trainable state for one base model. Dispose it when done. */
export interface Adapter<N extends MethodName = MethodName> {
  readonly method: N;
  readonly config: MethodConfigMap[N];
  readonly baseModelId: string;
  /** Positions the adapter puts in front of the input (soft prompts); 0 for methods that don't. */
  readonly virtualTokens: number;
  /** Hooks for one forward pass. Cheap to call; hooks read the current variable values. */
  hooks(mode: ForwardMode): ForwardHooks;
  /**
   * Weights to run the forward pass with. Methods that train base weights (full fine-tuning,
   * head-only, bias/norm-only) return a map with their variables in place of those entries;
   * the others return `base` itself.
   */
  weights(base: WeightMap): WeightMap;
  /** The variables the optimizer updates (its `varList`), with stable keys. */
  trainable(): NamedVariable[];
  /** Number of trainable scalars. */
  parameterCount(): number;
  /** PEFT adapter_config.json and adapter_model.safetensors contents (fresh tensors; caller disposes). */
  toPeft(): PeftAdapter;
  dispose(): void;
}

/** A tuning method: builds adapters from a config, or loads them from PEFT files. */
export interface TuningMethod<N extends MethodName = MethodName> {
  readonly name: N;
  /** Name and one-line description, English and Simplified Chinese. */
  readonly text: { en: MethodText; zh_CN: MethodText };
  /** One-click optimizer settings that suit this method. */
  readonly optimizer: MethodOptimizerDefaults;
  /** The config fields a person may change. */
  readonly fields: readonly MethodField[];
  /** PEFT's `peft_type` for this method (LORA, PROMPT_TUNING, ...). */
  readonly peftType: string;
  /**
   * Where methods share a `peftType` (PEFT PREFIX_TUNING with and without prefix_projection):
   * whether this adapter_config.json is this method's. Absent: every file of its type is.
   */
  readsPeft?(config: Record<string, unknown>): boolean;
  /**
   * Whether a fresh adapter leaves the model's outputs exactly unchanged (LoRA: B = 0; adapters:
   * zero up-projection; IA3: ones). Soft prompts cannot: they add positions. The contract test
   * checks it for every method that claims it.
   */
  readonly preservesOutputsAtInit: boolean;
  /** A good config for this model when the user changes nothing. */
  defaultConfig(model: ModelConfig): MethodConfigMap[N];
  /** Positions the method prepends to every sequence (soft prompts); they take from the context. */
  virtualTokens(config: MethodConfigMap[N]): number;
  /**
   * How many retrieved demonstrations go before every example, in training and at use (instruction
   * prompt tuning: the K most similar other examples as earlier chat turns). Absent: none. A method
   * that asks for them writes Attune's retrieval settings into its adapter_config.json
   * (src/tuning/peft/retrieval-settings.ts), so generation knows to retrieve as training did.
   */
  demonstrations?(config: MethodConfigMap[N]): number;
  /**
   * Why a saved adapter of this method cannot be trained further (continued training restores the
   * trainable variables from the saved files); absent when it can. P-tuning and projected prefix
   * tuning save what their encoder produced, as PEFT does, not the encoder that training updates.
   */
  readonly continueRefusal?: string;
  /** Numbers the method would train with this config on this model (before creating anything). */
  parameterCount(config: MethodConfigMap[N], model: ModelConfig): number;
  /** Throws TuningConfigError naming the bad field. `model` adds checks against the model. */
  validate(config: MethodConfigMap[N], model?: ModelConfig): void;
  /** A fresh, untrained adapter (leaves the model's outputs unchanged where the method allows). */
  create(config: MethodConfigMap[N], context: AdapterContext): Adapter<N>;
  /**
   * Loads PEFT files. Throws AdapterMismatchError when made for another base model and
   * AdapterFormatError when the files are inconsistent. Does not take ownership of `peft.tensors`.
   */
  fromPeft(peft: PeftAdapter, context: AdapterContext): Adapter<N>;
  /** A small config for the contract tests on tiny fixtures (fast, still exercising every part). */
  testConfig(model: ModelConfig): MethodConfigMap[N];
  /**
   * Folds a trained adapter into copies of the base weights (faster generation); absent when the
   * method cannot (soft prompts add positions, not weights). Throws with the reason when this
   * adapter cannot be merged into these weights.
   */
  merge?(adapter: Adapter<N>, base: WeightMap): WeightMap;
  /**
   * Methods whose result is a whole model (full fine-tuning): the files of a Hugging Face model
   * folder, given the base folder's small files (config.json, tokenizer files; file name -> bytes).
   * Exports (`attune train --out`) write these instead of the adapter files. Absent: an adapter.
   */
  modelFiles?(adapter: Adapter<N>, base: ReadonlyMap<string, Uint8Array>): Promise<Map<string, Uint8Array>>;
}
