// AdamW (Loshchilov & Hutter) exactly as torch.optim.AdamW computes it: decoupled weight decay
// p ← p·(1 − lr·wd), then p ← p − lr · m̂ / (√v̂ + ε). Written out instead of tf.train.adam so the
// moments are plain named tensors a snapshot can store and restore, and the learning rate can
// change every step.
import * as tf from '@tensorflow/tfjs';
import type { NamedVariable } from '../types';
import { variableFrom } from '../variables';

export interface AdamWSettings {
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

export const DEFAULT_ADAMW: AdamWSettings = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 };

/** Host copy of a tensor, for snapshots (structured-cloneable). */
export interface HostArray {
  shape: number[];
  data: Float32Array;
}

export interface AdamWState {
  /** Number of updates applied so far (bias correction uses it). */
  t: number;
  m: Record<string, HostArray>;
  v: Record<string, HostArray>;
}

export class AdamW {
  private t = 0;
  private readonly m = new Map<string, tf.Variable>();
  private readonly v = new Map<string, tf.Variable>();

  constructor(
    private readonly params: NamedVariable[],
    private readonly settings: AdamWSettings = DEFAULT_ADAMW,
  ) {
    for (const { key, variable } of params) {
      this.m.set(key, variableFrom(tf.zerosLike(variable), false));
      this.v.set(key, variableFrom(tf.zerosLike(variable), false));
    }
  }

  /** Applies one update with these gradients (keyed like the params) at learning rate `lr`. */
  step(grads: ReadonlyMap<string, tf.Tensor>, lr: number): void {
    this.t += 1;
    const { beta1, beta2, eps, weightDecay } = this.settings;
    const correction1 = 1 - beta1 ** this.t;
    const correction2 = 1 - beta2 ** this.t;
    tf.tidy(() => {
      for (const { key, variable } of this.params) {
        const grad = grads.get(key);
        if (!grad) continue; // a parameter the loss does not reach keeps its value, like torch
        const m = this.m.get(key)!;
        const v = this.v.get(key)!;
        m.assign(tf.add(tf.mul(m, beta1), tf.mul(grad, 1 - beta1)));
        v.assign(tf.add(tf.mul(v, beta2), tf.mul(tf.square(grad), 1 - beta2)));
        const decayed = weightDecay > 0 ? tf.mul(variable, 1 - lr * weightDecay) : variable;
        const denom = tf.add(tf.sqrt(tf.div(v, correction2)), eps);
        const update = tf.div(tf.div(m, correction1), denom);
        variable.assign(tf.sub(decayed, tf.mul(update, lr)));
      }
    });
  }

  get stepCount(): number {
    return this.t;
  }

  async getState(): Promise<AdamWState> {
    return { t: this.t, m: await toHost(this.m), v: await toHost(this.v) };
  }

  setState(state: AdamWState): void {
    this.t = state.t;
    for (const [key, moment] of [...this.m.entries()]) assignHost(moment, state.m[key], `m.${key}`);
    for (const [key, moment] of [...this.v.entries()]) assignHost(moment, state.v[key], `v.${key}`);
  }

  dispose(): void {
    for (const moment of [...this.m.values(), ...this.v.values()]) moment.dispose();
    this.m.clear();
    this.v.clear();
  }
}

async function toHost(tensors: Map<string, tf.Tensor>): Promise<Record<string, HostArray>> {
  const out: Record<string, HostArray> = {};
  for (const [key, tensor] of tensors) out[key] = { shape: [...tensor.shape], data: (await tensor.data()) as Float32Array };
  return out;
}

export function assignHost(variable: tf.Variable, host: HostArray | undefined, label: string): void {
  if (!host || host.shape.join(',') !== variable.shape.join(',')) {
    throw new RangeError(`snapshot entry ${label} is missing or has the wrong shape`);
  }
  tf.tidy(() => variable.assign(tf.tensor(host.data, host.shape)));
}
