// (IA)³ (Liu et al. 2022) with PEFT's semantics: each targeted frozen linear layer gets a learned
// vector l, all ones at the start (so a fresh adapter changes nothing). A feed-forward layer is
// scaled on its input, y = (x ⊙ l)·W + b with l over the input features; any other layer on its
// output, y = (x·W + b) ⊙ l over the output features (the bias is scaled too). PEFT saves l as
// `ia3_l`, shaped [1, in] for feed-forward layers and [out, 1] for the others.
import * as tf from '@tensorflow/tfjs';
import type { ForwardHooks, ModelConfig, WeightMap } from '../../../model/types';
import { AdapterMismatchError } from '../../errors';
import { matMul2d } from '../../linear-op';
import { linearModules, matchesTarget, type LinearModule } from '../../model-linears';
import { checkBaseModel, commonPeftFields, refuseImpossibleValues } from '../../peft/common';
import { variableFrom } from '../../variables';
import type { Adapter, AdapterContext, NamedVariable, PeftAdapter, TuningMethod } from '../../types';
import { defaultIa3Config, ia3FromPeftFields, ia3ToPeftFields, validateIa3Config, type Ia3Config } from './config';

export const IA3_PEFT_TYPE = 'IA3';

const PEFT_FIELDS: Record<string, string> = { targetModules: 'target_modules', feedforwardModules: 'feedforward_modules' };

/** PEFT's saved key for a module's vector: `base_model.model.<module>.ia3_l`. */
export function ia3Key(moduleName: string): string {
  return `base_model.model.${moduleName}.ia3_l`;
}

interface ScaledModule {
  module: LinearModule;
  feedforward: boolean;
  /** l as a flat vector: [in] for feed-forward layers, [out] for the others. */
  scale: tf.Variable;
}

export class Ia3Adapter implements Adapter<'ia3'> {
  readonly method = 'ia3' as const;
  readonly virtualTokens = 0;
  private readonly byName: Map<string, ScaledModule>;

  constructor(
    readonly config: Ia3Config,
    readonly baseModelId: string,
    private readonly model: ModelConfig,
    /** Base weights: a feed-forward layer is recomputed from its scaled input. */
    private readonly base: WeightMap,
    modules: ScaledModule[],
  ) {
    this.byName = new Map(modules.map((m) => [m.module.name, m]));
  }

  hooks(): ForwardHooks {
    return {
      linear: (name, x, y) => {
        const scaled = this.byName.get(name);
        if (!scaled) return y;
        if (!scaled.feedforward) return tf.mul(y, scaled.scale) as tf.Tensor2D;
        const weight = this.base.get(`${name}.weight`) as tf.Tensor2D;
        const out = matMul2d(tf.mul(x, scaled.scale) as tf.Tensor2D, weight);
        const bias = this.base.get(`${name}.bias`);
        return (bias ? tf.add(out, bias) : out) as tf.Tensor2D;
      },
    };
  }

  weights(base: WeightMap): WeightMap {
    return base;
  }

  trainable(): NamedVariable[] {
    return [...this.byName.values()].map((m) => ({ key: ia3Key(m.module.name), variable: m.scale }));
  }

  parameterCount(): number {
    return [...this.byName.values()].reduce((sum, m) => sum + m.scale.size, 0);
  }

  /** Scaled copies of the targeted weights ([in, out]): rows for feed-forward layers, columns (and bias) otherwise. */
  merged(base: WeightMap): WeightMap {
    const out: WeightMap = new Map(base);
    for (const { module, feedforward, scale } of this.byName.values()) {
      const weight = base.get(`${module.name}.weight`);
      if (!weight) throw new Error(`cannot merge into ${module.name}: the model has no separate weight there (tied embeddings)`);
      out.set(`${module.name}.weight`, tf.tidy(() => (feedforward ? tf.mul(weight, tf.reshape(scale, [-1, 1])) : tf.mul(weight, scale))));
      const bias = base.get(`${module.name}.bias`);
      if (bias && !feedforward) out.set(`${module.name}.bias`, tf.mul(bias, scale));
    }
    return out;
  }

  toPeft(): PeftAdapter {
    const tensors = new Map<string, tf.Tensor>();
    for (const { module, feedforward, scale } of this.byName.values()) {
      tensors.set(ia3Key(module.name), tf.reshape(scale, feedforward ? [1, module.inFeatures] : [module.outFeatures, 1]));
    }
    return { config: { ...commonPeftFields(IA3_PEFT_TYPE, this.baseModelId), ...ia3ToPeftFields(this.config, this.model) }, tensors };
  }

  dispose(): void {
    for (const m of this.byName.values()) m.scale.dispose();
    this.byName.clear();
  }
}

function targeted(config: Ia3Config, model: ModelConfig): { module: LinearModule; feedforward: boolean }[] {
  return linearModules(model)
    .filter((m) => matchesTarget(m.name, config.targetModules))
    .map((module) => ({ module, feedforward: matchesTarget(module.name, config.feedforwardModules) }));
}

function createIa3(config: Ia3Config, context: AdapterContext): Ia3Adapter {
  validateIa3Config(config, context.model);
  const modules = targeted(config, context.model).map(({ module, feedforward }) => ({
    module,
    feedforward,
    scale: variableFrom(tf.ones([feedforward ? module.inFeatures : module.outFeatures])),
  }));
  return new Ia3Adapter(config, context.baseModelId, context.model, context.weights, modules);
}

function loadIa3(peft: PeftAdapter, context: AdapterContext): Ia3Adapter {
  const config = ia3FromPeftFields(peft.config, context.model);
  refuseImpossibleValues(() => validateIa3Config(config), PEFT_FIELDS);
  checkBaseModel(peft.config, context.baseModelId);
  try {
    validateIa3Config(config, context.model);
  } catch (error) {
    throw new AdapterMismatchError((error as Error).message);
  }
  const wanted = targeted(config, context.model);
  const expected = new Set(wanted.map(({ module }) => ia3Key(module.name)));
  const extra = [...peft.tensors.keys()].find((key) => !expected.has(key));
  if (extra !== undefined) throw new AdapterMismatchError(`it has a tensor "${extra}" for a layer this model lacks`);
  const modules = wanted.map(({ module, feedforward }) => {
    const key = ia3Key(module.name);
    const tensor = peft.tensors.get(key);
    const shape = feedforward ? [1, module.inFeatures] : [module.outFeatures, 1];
    if (!tensor) throw new AdapterMismatchError(`it lacks "${key}" that its target_modules call for`);
    if (tensor.shape.length !== 2 || tensor.shape[0] !== shape[0] || tensor.shape[1] !== shape[1]) {
      throw new AdapterMismatchError(`"${key}" has shape [${tensor.shape.join(', ')}], this model needs [${shape.join(', ')}]`);
    }
    return { module, feedforward, scale: variableFrom(tf.reshape(tensor, [-1])) };
  });
  return new Ia3Adapter(config, context.baseModelId, context.model, context.weights, modules);
}

export const ia3Method: TuningMethod<'ia3'> = {
  name: 'ia3',
  text: {
    en: { label: '(IA)³', description: 'Learned scaling of keys, values and feed-forward activations: the fewest trainable numbers.' },
    zh_CN: { label: '(IA)³', description: '学习对键、值和前馈激活的缩放：可训练参数最少。' },
  },
  // T-Few trains (IA)³ at 3e-3 over thousands of steps; one-click runs are ~100 steps on a few
  // dozen examples, so the vectors (which start at one) need larger steps to move. No weight
  // decay: it would pull the scales towards zero, not towards their neutral value of one.
  optimizer: { lr: 2e-2, minLr: 2e-3, weightDecay: 0 },
  fields: [
    { key: 'targetModules', flag: 'target', type: 'string', help: 'modules to adapt: names (comma-separated, matched as suffixes) or one regular expression' },
  ],
  peftType: IA3_PEFT_TYPE,
  preservesOutputsAtInit: true,
  defaultConfig: defaultIa3Config,
  virtualTokens: () => 0,
  parameterCount: (config, model) => targeted(config, model).reduce((sum, t) => sum + (t.feedforward ? t.module.inFeatures : t.module.outFeatures), 0),
  validate: validateIa3Config,
  create: createIa3,
  fromPeft: loadIa3,
  testConfig: defaultIa3Config,
  merge: (adapter, base) => (adapter as Ia3Adapter).merged(base),
};
