// A weighted mix of LoRA adapters with the exact meaning of PEFT's
// `LoraModel.add_weighted_adapter` (peft/tuners/lora/model.py), so a mix made here equals the
// one a Python user gets from the same adapters and weights:
//   - `linear`: every adapter has the same rank r; per module A' = Σ √|wᵢsᵢ|·sign(wᵢsᵢ)·Aᵢ and
//     B' = Σ √|wᵢsᵢ|·Bᵢ (sᵢ the adapter's scaling). The product is not Σ wᵢsᵢ·BᵢAᵢ: cross terms
//     BᵢAⱼ remain, which is what PEFT computes and why `svd` exists.
//   - `svd`: per module the update Δ = Σ (wᵢsᵢ)·(sᵢ·BᵢAᵢ) (PEFT weights each adapter's
//     get_delta_weight, already scaled, by weight × scaling again), truncated to the new rank
//     (default: the largest rank mixed) by SVD: B' = U·S, A' = Vᵀ.
// The mix has r = lora_alpha = its rank (scaling 1), rsLoRA off, target_modules the union of
// the adapters' (lists: set union; regular expressions: `(a)|(b)`; PEFT refuses a mix of both),
// and each module takes only the adapters that adapt it. DoRA adapters are refused: PEFT's mix
// carries no magnitude vector, so the result would mean something else.
import * as tf from '@tensorflow/tfjs';
import type { ModelConfig, WeightMap } from '../../../model/types';
import { TuningConfigError } from '../../errors';
import { linearModules, matchesTarget } from '../../model-linears';
import { variableFrom } from '../../variables';
import { loraScale, validateLoraConfig, type LoraConfig } from './config';
import { LoraAdapter, type LoraPair } from './method';
import { matrix, truncatedSvdOfProduct, type Matrix } from './low-rank-svd';

export const MIX_COMBINATIONS = ['linear', 'svd'] as const;
export type MixCombination = (typeof MIX_COMBINATIONS)[number];

export interface MixPart {
  adapter: LoraAdapter;
  weight: number;
}

export interface MixOptions {
  combination: MixCombination;
  /** `svd` only: the mix's rank; default the largest rank among the parts. */
  rank?: number;
}

/** What the mixed adapter is built for: the model every part was made for. */
export interface MixContext {
  model: ModelConfig;
  weights: WeightMap;
  baseModelId: string;
}

export function mixLora(parts: readonly MixPart[], options: MixOptions, context: MixContext): LoraAdapter {
  checkParts(parts, context);
  // PEFT: one adapter can only be mixed linearly.
  const combination: MixCombination = parts.length === 1 ? 'linear' : options.combination;
  const ranks = parts.map((p) => p.adapter.config.r);
  let rank: number;
  if (combination === 'linear') {
    if (new Set(ranks).size !== 1) {
      throw new TuningConfigError('combination', `a linear mix needs adapters of one rank, got ranks ${ranks.join(', ')}; use svd`);
    }
    if (options.rank !== undefined && options.rank !== ranks[0]) {
      throw new TuningConfigError('rank', `a linear mix keeps the adapters' rank ${ranks[0]}; a new rank needs svd`);
    }
    rank = ranks[0]!;
  } else {
    rank = options.rank ?? Math.max(...ranks);
    if (!Number.isInteger(rank) || rank < 1) throw new TuningConfigError('rank', `must be a whole number of at least 1, got ${rank}`);
  }
  const config: LoraConfig = {
    r: rank,
    alpha: rank,
    dropout: parts[0]!.adapter.config.dropout,
    targetModules: unionTargets(parts.map((p) => p.adapter.config.targetModules)),
    useRslora: false,
    useDora: false,
  };
  validateLoraConfig(config, context.model);
  const modules = linearModules(context.model).filter((m) => matchesTarget(m.name, config.targetModules));
  for (const module of modules) {
    if (module.inFeatures < rank || module.outFeatures < rank) {
      throw new TuningConfigError('rank', `${rank} is above ${module.name}'s width (${Math.min(module.inFeatures, module.outFeatures)})`);
    }
  }
  const pairs: LoraPair[] = [];
  try {
    for (const module of modules) {
      const contributions = parts
        .map((part) => ({ part, pair: part.adapter.modules().find((p) => p.module.name === module.name) }))
        .filter((c): c is { part: MixPart; pair: LoraPair } => c.pair !== undefined);
      const { a, b } = combination === 'linear' ? linearFactors(contributions) : svdFactors(contributions, rank);
      pairs.push({ module, a: variableFrom(tf.tensor2d(Float32Array.from(a.data), [a.rows, a.cols])), b: variableFrom(tf.tensor2d(Float32Array.from(b.data), [b.rows, b.cols])) });
    }
  } catch (error) {
    pairs.forEach((p) => (p.a.dispose(), p.b.dispose()));
    throw error;
  }
  return new LoraAdapter(config, context.baseModelId, context.model, pairs, context.weights);
}

function checkParts(parts: readonly MixPart[], context: MixContext): void {
  if (parts.length === 0) throw new TuningConfigError('adapters', 'name at least one LoRA adapter to mix');
  parts.forEach(({ adapter, weight }, index) => {
    const which = `adapter ${index + 1}`;
    if (!(adapter instanceof LoraAdapter)) throw new TuningConfigError('adapters', `${which} is not a LoRA adapter; only LoRA adapters can be mixed`);
    if (adapter.config.useDora) throw new TuningConfigError('adapters', `${which} uses DoRA, whose magnitudes a mix cannot carry; mix plain LoRA adapters`);
    if (adapter.baseModelId !== context.baseModelId) {
      throw new TuningConfigError('adapters', `${which} was made for ${adapter.baseModelId}, not ${context.baseModelId}`);
    }
    if (!Number.isFinite(weight)) throw new TuningConfigError('weight', `${which}'s weight must be a number, got ${weight}`);
  });
}

/** PEFT's union of target_modules: a set union of lists, an alternation of regular expressions. */
export function unionTargets(targets: readonly (string | string[])[]): string | string[] {
  const strings = targets.filter((t): t is string => typeof t === 'string');
  if (strings.length === targets.length) return strings.map((t) => `(${t})`).join('|');
  if (strings.length > 0) {
    throw new TuningConfigError('targetModules', 'cannot mix adapters whose target modules are a regular expression with adapters that list module names');
  }
  return [...new Set(targets.flat())];
}

/** Aᵀ [in, r] and Bᵀ [r, out] of a pair, as float64 matrices. */
function factors(pair: LoraPair): { a: Matrix; b: Matrix } {
  const [inFeatures, r] = pair.a.shape as [number, number];
  const out = pair.b.shape[1]!;
  return { a: matrix(inFeatures, r, pair.a.dataSync()), b: matrix(r, out, pair.b.dataSync()) };
}

function linearFactors(contributions: { part: MixPart; pair: LoraPair }[]): { a: Matrix; b: Matrix } {
  let a: Matrix | undefined;
  let b: Matrix | undefined;
  for (const { part, pair } of contributions) {
    const weighted = part.weight * loraScale(part.adapter.config);
    const root = Math.sqrt(Math.abs(weighted));
    const sign = weighted >= 0 ? 1 : -1;
    const f = factors(pair);
    a ??= matrix(f.a.rows, f.a.cols);
    b ??= matrix(f.b.rows, f.b.cols);
    for (let i = 0; i < a.data.length; i++) a.data[i]! += root * sign * f.a.data[i]!;
    for (let i = 0; i < b.data.length; i++) b.data[i]! += root * f.b.data[i]!;
  }
  return { a: a!, b: b! };
}

function svdFactors(contributions: { part: MixPart; pair: LoraPair }[], rank: number): { a: Matrix; b: Matrix } {
  // Δᵀ in the [in, out] layout = Σ cᵢ·Aᵢᵀ·Bᵢᵀ = [c₁A₁ᵀ | c₂A₂ᵀ | …] · [B₁ᵀ; B₂ᵀ; …].
  const all = contributions.map(({ part, pair }) => ({ f: factors(pair), c: part.weight * loraScale(part.adapter.config) ** 2 }));
  const inner = all.reduce((sum, x) => sum + x.f.a.cols, 0);
  const inFeatures = all[0]!.f.a.rows;
  const outFeatures = all[0]!.f.b.cols;
  const left = matrix(inFeatures, inner);
  const right = matrix(inner, outFeatures);
  let offset = 0;
  for (const { f, c } of all) {
    const r = f.a.cols;
    for (let i = 0; i < inFeatures; i++) for (let j = 0; j < r; j++) left.data[i * inner + offset + j] = c * f.a.data[i * r + j]!;
    right.data.set(f.b.data, offset * outFeatures);
    offset += r;
  }
  // Δᵀ = U'·S·V'ᵀ, so Δ = V'·S·U'ᵀ: PEFT's B = V'·S and A = U'ᵀ, i.e. Aᵀ = U' and Bᵀ = S·V'ᵀ.
  const { u, s, v } = truncatedSvdOfProduct(left, right, rank);
  const b = matrix(rank, outFeatures);
  for (let j = 0; j < rank; j++) for (let i = 0; i < outFeatures; i++) b.data[j * outFeatures + i] = s[j]! * v.data[i * rank + j]!;
  return { a: u, b };
}
