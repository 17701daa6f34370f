// LoRA (Hu et al. 2021) with PEFT's semantics: beside each targeted frozen linear layer y = x·W,
// a trainable low-rank branch adds scale · dropout(x)·Aᵀ·Bᵀ. A starts Kaiming-uniform, B at zero,
// so a fresh adapter leaves the model's outputs unchanged.
//
// DoRA (Liu et al. 2024, PEFT `use_dora`) adds a trainable magnitude m [out] per module and, per
// output feature j, replaces the layer's weight by m_j · (W + scale·AᵀBᵀ)_j / ‖(W + scale·AᵀBᵀ)_j‖.
// PEFT computes it as an addition to the base output (peft/tuners/lora/dora.py, variants.py):
//   y + (m/‖·‖ − 1) · base_no_bias + (m/‖·‖) · scale · B(A(dropout(x)))
// where base_no_bias is y minus the bias when no dropout applies and dropout(x)·W otherwise, and
// the norm is detached (no gradient through it; the paper's section 4.3). m starts at ‖W‖, so a
// fresh adapter still leaves the outputs unchanged (up to rounding of m/‖W‖).
//
// Storage: A is kept as Aᵀ [in, r] and B as Bᵀ [r, out] so the forward is two plain matMuls
// (the WeightMap convention, [in, out]); PEFT's layout (A [r, in], B [out, r]) is produced on export.
import * as tf from '@tensorflow/tfjs';
import type { ForwardHooks, ModelConfig, WeightMap } from '../../../model/types';
import { AdapterFormatError, AdapterMismatchError, TuningConfigError } from '../../errors';
import { matMul2d } from '../../linear-op';
import { linearModules, matchesTarget, type LinearModule } from '../../model-linears';
import { checkBaseModel, commonPeftFields, refuseImpossibleValues } from '../../peft/common';
import { Rng, uniformArray } from '../../rng';
import { variableFrom } from '../../variables';
import type { Adapter, AdapterContext, ForwardMode, NamedVariable, PeftAdapter, TuningMethod } from '../../types';
import {
  defaultLoraConfig,
  loraFromPeftFields,
  loraScale,
  loraToPeftFields,
  validateLoraConfig,
  type LoraConfig,
} from './config';
import { mergeLora } from './merge';

export const LORA_PEFT_TYPE = 'LORA';

/** LoraConfig field -> its adapter_config.json name, for messages about a loaded file. */
const PEFT_FIELDS: Record<string, string> = { r: 'r', alpha: 'lora_alpha', dropout: 'lora_dropout', targetModules: 'target_modules' };

/** One targeted linear layer's trainable pair. */
export interface LoraPair {
  module: LinearModule;
  /** Aᵀ, [in, r]. */
  a: tf.Variable;
  /** Bᵀ, [r, out]. */
  b: tf.Variable;
  /** DoRA's magnitude per output feature, [out]; absent without DoRA. */
  magnitude?: tf.Variable;
}

/** PEFT's saved key for a module's factor: `base_model.model.<module>.lora_A.weight`. */
export function loraKey(moduleName: string, factor: 'A' | 'B'): string {
  return `base_model.model.${moduleName}.lora_${factor}.weight`;
}

/** PEFT's saved key for a module's DoRA magnitude (no `.weight`: PEFT strips it on save). */
export function magnitudeKey(moduleName: string): string {
  return `base_model.model.${moduleName}.lora_magnitude_vector`;
}

/** ‖W + Δ‖ per output feature (column of the [in, out] layout), [out]. */
export function columnNorm(weight: tf.Tensor2D, delta: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => tf.sqrt(tf.sum(tf.square(tf.add(weight, delta)), 0)) as tf.Tensor1D);
}

/**
 * The same value with no gradient to its inputs (torch's `.detach()`): customGrad's forward runs
 * off the tape, and the gradient it declares is zero.
 */
function detached(f: () => tf.Tensor1D, inputs: tf.Tensor[]): tf.Tensor1D {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const xs = args.slice(0, -1) as tf.Tensor[];
    return { value: f(), gradFunc: () => xs.map((x) => tf.zerosLike(x)) };
  });
  return op(...inputs) as tf.Tensor1D;
}

export class LoraAdapter implements Adapter<'lora'> {
  readonly method = 'lora' as const;
  readonly virtualTokens = 0;
  readonly scale: number;
  private readonly pairs: Map<string, LoraPair>;

  constructor(
    readonly config: LoraConfig,
    readonly baseModelId: string,
    private readonly model: ModelConfig,
    pairs: LoraPair[],
    /** The base weights DoRA normalises against (read at each pass, never owned). */
    private readonly base: WeightMap,
  ) {
    this.scale = loraScale(config);
    this.pairs = new Map(pairs.map((pair) => [pair.module.name, pair]));
  }

  hooks(mode: ForwardMode): ForwardHooks {
    const dropout = mode.training ? this.config.dropout : 0;
    const names = [...this.pairs.keys()];
    return {
      linear: (name, x, y) => {
        const pair = this.pairs.get(name);
        if (!pair) return y;
        // A different mask per module: same seed + module index, reproducible from the step seed.
        const input = (dropout > 0 ? tf.dropout(x, dropout, undefined, (mode.seed ?? 0) + names.indexOf(name)) : x) as tf.Tensor2D;
        const low = tf.mul(matMul2d(input, pair.a as tf.Tensor2D), this.scale); // [N, r]
        const update = matMul2d(low as tf.Tensor2D, pair.b as tf.Tensor2D); // [N, out]
        if (!pair.magnitude) return tf.add(y, update);
        const weight = this.baseWeight(name);
        const norm = detached(() => columnNorm(weight, this.delta(name)), [pair.a, pair.b]);
        const magScale = tf.div(pair.magnitude, norm); // [out]
        // PEFT: with dropout the base term is recomputed on the dropped input; without, it is the
        // layer's own output minus its bias.
        const bias = this.base.get(`${name}.bias`);
        const baseNoBias = dropout > 0 ? matMul2d(input, weight) : bias ? tf.sub(y, bias) : y;
        return tf.add(tf.add(y, tf.mul(tf.sub(magScale, 1), baseNoBias)), tf.mul(magScale, update));
      },
    };
  }

  weights(base: WeightMap): WeightMap {
    return base;
  }

  /** The targeted modules with their factors, forward order. */
  modules(): LoraPair[] {
    return [...this.pairs.values()];
  }

  /** scale · Aᵀ·Bᵀ, [in, out]: what merging adds to the module's WeightMap weight. */
  delta(moduleName: string): tf.Tensor2D {
    const pair = this.pairs.get(moduleName);
    if (!pair) throw new RangeError(`LoRA has no factors for ${moduleName}`);
    return tf.tidy(() => tf.mul(matMul2d(pair.a as tf.Tensor2D, pair.b as tf.Tensor2D), this.scale) as tf.Tensor2D);
  }

  /** DoRA: magnitude / ‖W + ΔW‖ per output feature, [out], from the base weight it was built on; null without DoRA. */
  magnitudeScale(moduleName: string, weight: tf.Tensor2D = this.baseWeight(moduleName)): tf.Tensor1D | null {
    const pair = this.pairs.get(moduleName);
    if (!pair?.magnitude) return null;
    const magnitude = pair.magnitude;
    return tf.tidy(() => tf.div(magnitude, columnNorm(weight, this.delta(moduleName))) as tf.Tensor1D);
  }

  /** The module's float32 base weight [in, out], which DoRA's norm needs. */
  private baseWeight(moduleName: string): tf.Tensor2D {
    const weight = this.base.get(`${moduleName}.weight`);
    if (!weight) {
      throw new TuningConfigError(
        'useDora',
        `DoRA needs the float32 weight of ${moduleName}, which the model does not hold (compact weights: expand the model first)`,
      );
    }
    return weight as tf.Tensor2D;
  }

  trainable(): NamedVariable[] {
    return this.modules().flatMap((pair) => [
      { key: loraKey(pair.module.name, 'A'), variable: pair.a },
      { key: loraKey(pair.module.name, 'B'), variable: pair.b },
      ...(pair.magnitude ? [{ key: magnitudeKey(pair.module.name), variable: pair.magnitude }] : []),
    ]);
  }

  parameterCount(): number {
    return this.modules().reduce((sum, pair) => sum + pair.a.size + pair.b.size + (pair.magnitude?.size ?? 0), 0);
  }

  toPeft(): PeftAdapter {
    const tensors = new Map<string, tf.Tensor>();
    for (const pair of this.modules()) {
      tensors.set(loraKey(pair.module.name, 'A'), tf.transpose(pair.a)); // [r, in]
      tensors.set(loraKey(pair.module.name, 'B'), tf.transpose(pair.b)); // [out, r]
      if (pair.magnitude) tensors.set(magnitudeKey(pair.module.name), tf.clone(pair.magnitude)); // [out]
    }
    const config = { ...commonPeftFields(LORA_PEFT_TYPE, this.baseModelId), ...loraToPeftFields(this.config, this.model) };
    return { config, tensors };
  }

  dispose(): void {
    for (const pair of this.pairs.values()) {
      pair.a.dispose();
      pair.b.dispose();
      pair.magnitude?.dispose();
    }
    this.pairs.clear();
  }
}

function targetedModules(config: LoraConfig, model: ModelConfig): LinearModule[] {
  return linearModules(model).filter((m) => matchesTarget(m.name, config.targetModules));
}

function createLora(config: LoraConfig, context: AdapterContext): LoraAdapter {
  validateLoraConfig(config, context.model);
  const rng = new Rng(context.seed);
  const modules = targetedModules(config, context.model);
  // Every base weight DoRA needs is checked before any variable exists, so a refusal leaks none.
  if (config.useDora) modules.forEach((module) => doraWeight(context, module));
  const pairs = modules.map((module) => {
    // PEFT: kaiming_uniform_(A, a=sqrt(5)) on A [r, in] -> U(-1/sqrt(in), 1/sqrt(in)).
    const bound = 1 / Math.sqrt(module.inFeatures);
    const a = variableFrom(tf.tensor2d(uniformArray(rng, module.inFeatures * config.r, -bound, bound), [module.inFeatures, config.r]));
    const b = variableFrom(tf.zeros([config.r, module.outFeatures]));
    // PEFT: the magnitude starts at ‖W + scale·B·A‖ per output feature, which is ‖W‖ with B = 0.
    const magnitude = config.useDora ? variableFrom(tf.tidy(() => columnNorm(doraWeight(context, module), tf.zeros([1, module.outFeatures])))) : undefined;
    return { module, a, b, ...(magnitude ? { magnitude } : {}) };
  });
  return new LoraAdapter(config, context.baseModelId, context.model, pairs, context.weights);
}

/** The base weight DoRA initialises its magnitude from; refused before anything is built. */
function doraWeight(context: AdapterContext, module: LinearModule): tf.Tensor2D {
  const weight = context.weights.get(`${module.name}.weight`);
  if (!weight || weight.shape[0] !== module.inFeatures || weight.shape[1] !== module.outFeatures) {
    throw new TuningConfigError('useDora', `DoRA needs the float32 weight of ${module.name} [${module.inFeatures}, ${module.outFeatures}]; the model does not hold it`);
  }
  return weight as tf.Tensor2D;
}

function loadLora(peft: PeftAdapter, context: AdapterContext): LoraAdapter {
  const config = loraFromPeftFields(peft.config);
  // A possible value that does not suit this model (another base, a rank above a layer's width,
  // modules it lacks) is an adapter for another model; an impossible one (r = 0) a broken file.
  refuseImpossibleValues(() => validateLoraConfig(config), PEFT_FIELDS);
  checkBaseModel(peft.config, context.baseModelId);
  try {
    validateLoraConfig(config, context.model);
  } catch (error) {
    throw new AdapterMismatchError((error as Error).message);
  }
  const modules = targetedModules(config, context.model);
  const expected = new Set(modules.flatMap((m) => [loraKey(m.name, 'A'), loraKey(m.name, 'B'), ...(config.useDora ? [magnitudeKey(m.name)] : [])]));
  const extra = [...peft.tensors.keys()].find((key) => !expected.has(key));
  if (extra !== undefined && extra.endsWith('.lora_magnitude_vector') && !config.useDora) {
    throw new AdapterFormatError(`it has a DoRA magnitude "${extra}" but its adapter_config.json does not set use_dora`);
  }
  if (extra !== undefined) throw new AdapterMismatchError(`it has a tensor "${extra}" for a layer this model lacks`);
  if (config.useDora) modules.forEach((module) => doraWeight(context, module));
  const pairs = modules.map((module) => {
    const a = readFactor(peft, loraKey(module.name, 'A'), [config.r, module.inFeatures]);
    const b = readFactor(peft, loraKey(module.name, 'B'), [module.outFeatures, config.r]);
    const magnitude = config.useDora ? readMagnitude(peft, magnitudeKey(module.name), module.outFeatures) : undefined;
    return {
      module,
      a: variableFrom(tf.transpose(a)),
      b: variableFrom(tf.transpose(b)),
      ...(magnitude ? { magnitude: variableFrom(tf.clone(magnitude)) } : {}),
    };
  });
  return new LoraAdapter(config, context.baseModelId, context.model, pairs, context.weights);
}

function readFactor(peft: PeftAdapter, key: string, shape: [number, number]): tf.Tensor {
  const tensor = peft.tensors.get(key);
  if (!tensor) throw new AdapterMismatchError(`it lacks "${key}" that its target_modules call for`);
  if (tensor.shape.length !== 2 || tensor.shape[0] !== shape[0] || tensor.shape[1] !== shape[1]) {
    throw new AdapterMismatchError(`"${key}" has shape [${tensor.shape.join(', ')}], this model needs [${shape.join(', ')}]`);
  }
  return tensor;
}

function readMagnitude(peft: PeftAdapter, key: string, outFeatures: number): tf.Tensor {
  const tensor = peft.tensors.get(key);
  // use_dora promises a magnitude for every adapted layer: its absence is a broken file.
  if (!tensor) throw new AdapterFormatError(`it sets use_dora but lacks "${key}"`);
  if (tensor.shape.length !== 1 || tensor.shape[0] !== outFeatures) {
    throw new AdapterMismatchError(`"${key}" has shape [${tensor.shape.join(', ')}], this model needs [${outFeatures}]`);
  }
  return tensor;
}

export const loraMethod: TuningMethod<'lora'> = {
  name: 'lora',
  text: {
    en: { label: 'LoRA', description: 'Small low-rank updates to the attention weights: the best all-round choice.' },
    zh_CN: { label: 'LoRA', description: '对注意力权重做小的低秩更新：综合效果最好的选择。' },
  },
  // 2e-3 suits small models with B starting at zero.
  optimizer: { lr: 2e-3, minLr: 2e-4, weightDecay: 0.01 },
  fields: [
    { key: 'r', flag: 'rank', type: 'integer', min: 1, label: { en: 'LoRA rank', zh_CN: 'LoRA 秩' }, help: 'LoRA rank r (default 8)' },
    { key: 'alpha', flag: 'alpha', type: 'number', min: 0, label: { en: 'LoRA alpha', zh_CN: 'LoRA alpha' }, help: 'LoRA alpha: the update is scaled by alpha / r (default 16)' },
    { key: 'dropout', flag: 'dropout', type: 'number', min: 0, label: { en: 'LoRA dropout', zh_CN: 'LoRA dropout' }, help: 'dropout on the LoRA input while training (default 0.05)' },
    { key: 'useRslora', flag: 'rslora', type: 'boolean', label: { en: 'rsLoRA scaling (alpha / √r)', zh_CN: 'rsLoRA 缩放（alpha / √r）' }, help: 'rsLoRA: scale by alpha / sqrt(r), which keeps high ranks learning' },
    {
      key: 'useDora',
      flag: 'dora',
      type: 'boolean',
      label: { en: 'DoRA (learn a magnitude per output row)', zh_CN: 'DoRA（为每个输出行学习幅度）' },
      help: 'DoRA: also learn a magnitude per output feature (PEFT use_dora); slower, often better at low ranks',
    },
    { key: 'targetModules', flag: 'target', type: 'string', help: 'modules to adapt: names (comma-separated, matched as suffixes) or one regular expression' },
  ],
  peftType: LORA_PEFT_TYPE,
  preservesOutputsAtInit: true,
  defaultConfig: defaultLoraConfig,
  virtualTokens: () => 0,
  parameterCount: (config, model) =>
    targetedModules(config, model).reduce((sum, m) => sum + config.r * (m.inFeatures + m.outFeatures) + (config.useDora ? m.outFeatures : 0), 0),
  validate: validateLoraConfig,
  create: createLora,
  fromPeft: loadLora,
  testConfig: (model) => ({ ...defaultLoraConfig(model), r: 4 }),
  merge: (adapter, base) => mergeLora(adapter as LoraAdapter, base),
};
