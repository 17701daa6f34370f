// Bottleneck adapters (Houlsby et al. 2019; Pfeiffer et al. 2021): after a block's output
// projection y [N, D], a small trainable network adds
//   y' = y + up(act(down(y))),  down: D -> D/reduction, up: D/reduction -> D (each with a bias),
// before the block's residual add. Houlsby places one after the attention output projection and
// one after the MLP output projection of every block; Pfeiffer only the MLP one. The up-projection
// (weight and bias) starts at zero, so a fresh adapter leaves the outputs exactly unchanged; the
// down-projection starts at torch.nn.Linear's default init, so the up-projection gets gradients.
//
// The adapters attach through the `linear` forward hook on the output projections (Llama/Qwen2
// self_attn.o_proj and mlp.down_proj, GPT-2 attn.c_proj and mlp.c_proj), so no model code knows
// about them. Not mergeable: the nonlinearity between down and up makes the adapter a nonlinear
// function of y, which no change to the projection's weight can reproduce.
//
// File format (no PEFT type exists; docs/tuning.md): adapter_config.json with peft_type
// ATTUNE_BOTTLENECK_ADAPTER, and per adapted module `base_model.model.<module>.adapter_down.weight`
// [b, D], `.adapter_down.bias` [b], `.adapter_up.weight` [D, b], `.adapter_up.bias` [D], the weights
// in torch.nn.Linear's [out, in] layout (stored here [in, out], transposed on export and import).
import * as tf from '@tensorflow/tfjs';
import type { ForwardHooks, ModelConfig, WeightMap } from '../../../model/types';
import { geluTanh, silu } from '../../../model/layers';
import { AdapterMismatchError } from '../../errors';
import { matMul2d } from '../../linear-op';
import { linearModules, matchesTarget, type LinearModule } from '../../model-linears';
import { checkBaseModel, commonPeftFields, refuseImpossibleValues } from '../../peft/common';
import { readNumber, readTargets } from '../../peft/fields';
import { Rng, uniformArray } from '../../rng';
import { variableFrom } from '../../variables';
import type { Adapter, AdapterContext, NamedVariable, PeftAdapter, TuningMethod } from '../../types';
import {
  adapterFromFileFields,
  adapterTargets,
  adapterToFileFields,
  bottleneckSize,
  defaultAdapterConfig,
  validateAdapterConfig,
  type AdapterActivation,
  type BottleneckAdapterConfig,
} from './config';

/** Attune's own type name: PEFT has no bottleneck adapters, and PEFT refuses this file clearly. */
export const BOTTLENECK_ADAPTER_TYPE = 'ATTUNE_BOTTLENECK_ADAPTER';

type Part = 'adapter_down.weight' | 'adapter_down.bias' | 'adapter_up.weight' | 'adapter_up.bias';

/** The saved (and snapshot) key of one of a module's adapter tensors. */
export function adapterKey(moduleName: string, part: Part): string {
  return `base_model.model.${moduleName}.${part}`;
}

interface Bottleneck {
  module: LinearModule;
  /** [D, b], [b] */
  downWeight: tf.Variable;
  downBias: tf.Variable;
  /** [b, D], [D] */
  upWeight: tf.Variable;
  upBias: tf.Variable;
}

const ACTIVATE: Record<AdapterActivation, (x: tf.Tensor) => tf.Tensor> = { swish: silu, relu: tf.relu, gelu: geluTanh };

export class BottleneckAdapter implements Adapter<'adapter'> {
  readonly method = 'adapter' as const;
  readonly virtualTokens = 0;
  private readonly byName: Map<string, Bottleneck>;

  constructor(
    readonly config: BottleneckAdapterConfig,
    readonly baseModelId: string,
    private readonly model: ModelConfig,
    adapters: Bottleneck[],
  ) {
    this.byName = new Map(adapters.map((a) => [a.module.name, a]));
  }

  hooks(): ForwardHooks {
    const activate = ACTIVATE[this.config.activation];
    return {
      linear: (name, _x, y) => {
        const a = this.byName.get(name);
        if (!a) return y;
        const hidden = activate(tf.add(matMul2d(y, a.downWeight as tf.Tensor2D), a.downBias)) as tf.Tensor2D; // [N, b]
        return tf.add(y, tf.add(matMul2d(hidden, a.upWeight as tf.Tensor2D), a.upBias)) as tf.Tensor2D; // [N, D]
      },
    };
  }

  weights(base: WeightMap): WeightMap {
    return base;
  }

  trainable(): NamedVariable[] {
    return [...this.byName.values()].flatMap((a) => [
      { key: adapterKey(a.module.name, 'adapter_down.weight'), variable: a.downWeight },
      { key: adapterKey(a.module.name, 'adapter_down.bias'), variable: a.downBias },
      { key: adapterKey(a.module.name, 'adapter_up.weight'), variable: a.upWeight },
      { key: adapterKey(a.module.name, 'adapter_up.bias'), variable: a.upBias },
    ]);
  }

  parameterCount(): number {
    return this.trainable().reduce((sum, { variable }) => sum + variable.size, 0);
  }

  toPeft(): PeftAdapter {
    const tensors = new Map<string, tf.Tensor>();
    for (const a of this.byName.values()) {
      tensors.set(adapterKey(a.module.name, 'adapter_down.weight'), tf.transpose(a.downWeight)); // [b, D]
      tensors.set(adapterKey(a.module.name, 'adapter_down.bias'), tf.clone(a.downBias));
      tensors.set(adapterKey(a.module.name, 'adapter_up.weight'), tf.transpose(a.upWeight)); // [D, b]
      tensors.set(adapterKey(a.module.name, 'adapter_up.bias'), tf.clone(a.upBias));
    }
    return { config: { ...commonPeftFields(BOTTLENECK_ADAPTER_TYPE, this.baseModelId), ...adapterToFileFields(this.config, this.model) }, tensors };
  }

  dispose(): void {
    for (const { variable } of this.trainable()) variable.dispose();
    this.byName.clear();
  }
}

/** The output projections of every block that this kind adapts, in forward order. */
function adaptedModules(config: BottleneckAdapterConfig, model: ModelConfig): LinearModule[] {
  const targets = adapterTargets(config.kind, model);
  return linearModules(model).filter((m) => m.layer !== null && matchesTarget(m.name, targets));
}

function createAdapter(config: BottleneckAdapterConfig, context: AdapterContext): BottleneckAdapter {
  validateAdapterConfig(config, context.model);
  const D = context.model.hiddenSize;
  const b = bottleneckSize(config, context.model);
  const rng = new Rng(context.seed);
  // torch.nn.Linear's default init for the down-projection (weight and bias U(±1/√D)).
  const bound = 1 / Math.sqrt(D);
  const adapters = adaptedModules(config, context.model).map((module) => ({
    module,
    downWeight: variableFrom(tf.tensor2d(uniformArray(rng, D * b, -bound, bound), [D, b])),
    downBias: variableFrom(tf.tensor1d(uniformArray(rng, b, -bound, bound))),
    upWeight: variableFrom(tf.zeros([b, D])),
    upBias: variableFrom(tf.zeros([D])),
  }));
  return new BottleneckAdapter(config, context.baseModelId, context.model, adapters);
}

function readTensor(peft: PeftAdapter, key: string, shape: number[]): tf.Tensor {
  const tensor = peft.tensors.get(key);
  if (!tensor) throw new AdapterMismatchError(`it lacks "${key}" that its adapter_kind calls for`);
  if (tensor.shape.length !== shape.length || tensor.shape.some((n, i) => n !== shape[i])) {
    throw new AdapterMismatchError(`"${key}" has shape [${tensor.shape.join(', ')}], this model needs [${shape.join(', ')}]`);
  }
  return tensor;
}

function loadAdapter(peft: PeftAdapter, context: AdapterContext): BottleneckAdapter {
  const { model } = context;
  const config = adapterFromFileFields(peft.config);
  refuseImpossibleValues(() => validateAdapterConfig(config), { kind: 'adapter_kind', reduction: 'reduction_factor', activation: 'non_linearity' });
  checkBaseModel(peft.config, context.baseModelId);
  try {
    validateAdapterConfig(config, model);
  } catch (error) {
    throw new AdapterMismatchError((error as Error).message);
  }
  const hidden = readNumber(peft.config, 'hidden_size', model.hiddenSize);
  if (hidden !== model.hiddenSize) throw new AdapterMismatchError(`its hidden_size is ${hidden}, the model's is ${model.hiddenSize}`);
  const b = bottleneckSize(config, model);
  const saved = readNumber(peft.config, 'bottleneck_size', b);
  if (saved !== b) throw new AdapterMismatchError(`its bottleneck_size is ${saved}, but ${model.hiddenSize} / ${config.reduction} gives ${b}`);
  // The targets follow from the kind and the family; a file naming others was made for another model.
  const expectedTargets = adapterTargets(config.kind, model);
  if (peft.config.target_modules !== undefined && JSON.stringify(readTargets(peft.config, 'target_modules')) !== JSON.stringify(expectedTargets)) {
    throw new AdapterMismatchError(`its target_modules ${JSON.stringify(peft.config.target_modules)} are not ${JSON.stringify(expectedTargets)}, this model's for ${config.kind}`);
  }
  const modules = adaptedModules(config, model);
  const parts: Part[] = ['adapter_down.weight', 'adapter_down.bias', 'adapter_up.weight', 'adapter_up.bias'];
  const expected = new Set(modules.flatMap((m) => parts.map((part) => adapterKey(m.name, part))));
  const extra = [...peft.tensors.keys()].find((key) => !expected.has(key));
  if (extra !== undefined) throw new AdapterMismatchError(`it has a tensor "${extra}" for a layer this model lacks`);
  const D = model.hiddenSize;
  // Every tensor is checked before any variable exists, so a refusal leaks nothing.
  const read = modules.map((module) => ({
    module,
    tensors: [
      readTensor(peft, adapterKey(module.name, 'adapter_down.weight'), [b, D]),
      readTensor(peft, adapterKey(module.name, 'adapter_down.bias'), [b]),
      readTensor(peft, adapterKey(module.name, 'adapter_up.weight'), [D, b]),
      readTensor(peft, adapterKey(module.name, 'adapter_up.bias'), [D]),
    ] as const,
  }));
  const adapters = read.map(({ module, tensors: [dw, db, uw, ub] }) => ({
    module,
    downWeight: variableFrom(tf.transpose(dw)),
    downBias: variableFrom(tf.clone(db)),
    upWeight: variableFrom(tf.transpose(uw)),
    upBias: variableFrom(tf.clone(ub)),
  }));
  return new BottleneckAdapter(config, context.baseModelId, model, adapters);
}

export const adapterMethod: TuningMethod<'adapter'> = {
  name: 'adapter',
  text: {
    en: { label: 'Bottleneck adapters', description: 'Small trainable networks after the attention and feed-forward layers of every block; the model itself is untouched.' },
    zh_CN: { label: '瓶颈适配器', description: '在每个模块的注意力层和前馈层之后加入小型可训练网络；模型本身保持不变。' },
  },
  // Houlsby et al. train adapters at 1e-4…1e-3 for thousands of steps; one-click runs are ~100
  // steps and the up-projection starts at zero, so its first steps must be large: 5e-3 lowers the
  // held-out loss at least as fast as LoRA's defaults on the tiny fixtures (test/unit/tuning/
  // one-click.test.ts), where 3e-3 did not. Light weight decay as for LoRA: zero is neutral here.
  optimizer: { lr: 5e-3, minLr: 5e-4, weightDecay: 0.01 },
  fields: [
    {
      key: 'reduction',
      flag: 'reduction',
      type: 'integer',
      min: 1,
      label: { en: 'Adapter reduction', zh_CN: '适配器缩减倍数' },
      help: 'bottleneck width = hidden size / N (default 16)',
    },
    { key: 'kind', flag: 'adapter-kind', type: 'string', help: 'houlsby (after attention and MLP, default) or pfeiffer (after the MLP only)' },
    { key: 'activation', flag: 'adapter-activation', type: 'string', help: 'bottleneck nonlinearity: swish (default), relu or gelu' },
  ],
  peftType: BOTTLENECK_ADAPTER_TYPE,
  preservesOutputsAtInit: true,
  defaultConfig: defaultAdapterConfig,
  virtualTokens: () => 0,
  parameterCount: (config, model) => {
    const D = model.hiddenSize;
    const b = bottleneckSize(config, model);
    return adaptedModules(config, model).length * (2 * D * b + b + D);
  },
  validate: validateAdapterConfig,
  create: createAdapter,
  fromPeft: loadAdapter,
  testConfig: (model) => ({ ...defaultAdapterConfig(), reduction: Math.max(1, Math.floor(model.hiddenSize / 4)) }),
};
