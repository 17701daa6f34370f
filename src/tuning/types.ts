// The tuning-method contract. Every method (LoRA and soft prompts today; prefix tuning, P-tuning,
// adapters, IA3, head-only and full fine-tuning later) is one folder under methods/ that exports a
// `TuningMethod` and is listed once in registry.ts. Methods reach the model only through the
// ForwardHooks and WeightMap of src/model/types.ts, so adding one never touches model code.
import type * as tf from '@tensorflow/tfjs';
import type { ForwardHooks, ModelConfig, WeightMap } from '../model/types';
import type { LoraConfig } from './methods/lora/config';
import type { PromptTuningConfig } from './methods/prompt-tuning/config';

/** The closed set of registered methods. Adding a method adds a name here and a row below. */
export type MethodName = 'lora' | 'prompt-tuning';

/** Each method's plain-data config (JSON-serialisable, validated by the method's `validate`). */
export interface MethodConfigMap {
  lora: LoraConfig;
  'prompt-tuning': PromptTuningConfig;
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
  /** Short English name, used where a name is made up for the person (a new adapter's name). */
  readonly label: string;
  /** PEFT's `peft_type` for this method (LORA, PROMPT_TUNING, ...). */
  readonly peftType: string;
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
  /** Throws TuningConfigError naming the bad field. `model` adds checks against the model. */
  validate(config: MethodConfigMap[N], model?: ModelConfig): void;
  /** A fresh, untrained adapter (leaves the model's outputs unchanged where the method allows). */
  create(config: MethodConfigMap[N], context: AdapterContext): Adapter<N>;
  /**
   * Loads PEFT files. Throws AdapterMismatchError when made for another base model and
   * AdapterFormatError when the files are inconsistent. Does not take ownership of `peft.tensors`.
   */
  fromPeft(peft: PeftAdapter, context: AdapterContext): Adapter<N>;
}
