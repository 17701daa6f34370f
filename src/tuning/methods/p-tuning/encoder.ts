// PEFT's P-tuning PromptEncoder (peft/tuners/p_tuning/model.py), on tfjs: an Embedding(n, D) over
// the ids 0…n−1, then
//   MLP:  Linear(D, H) · ReLU · Linear(H, H) · ReLU · Linear(H, D)
//   LSTM: a bidirectional `encoder_num_layers`-layer torch.nn.LSTM(D, H, batch_first), dropout
//         `encoder_dropout` between its layers, then Linear(2H, 2H) · ReLU · Linear(2H, D)
// giving the n virtual-token embeddings [n, D]. Init is torch's default: the Embedding N(0, 1),
// Linears U(±1/√in) (weight and bias), LSTM weights and biases U(±1/√H).
//
// Storage: Linear weights [in, out] and LSTM weights transposed (W_ihᵀ [in, 4H], W_hhᵀ [H, 4H]),
// so every product is a plain matMul; the keys are PEFT's parameter names inside the encoder.
import * as tf from '@tensorflow/tfjs';
import { matMul2d } from '../../linear-op';
import { Rng, normalArray, uniformArray } from '../../rng';
import { variableFrom } from '../../variables';
import type { NamedVariable } from '../../types';
import type { PTuningConfig } from './config';

/** A Linear stored [in, out] with its bias. */
interface Linear {
  weight: tf.Variable;
  bias: tf.Variable;
}

/** One direction of one LSTM layer: W_ihᵀ [in, 4H], W_hhᵀ [H, 4H], b_ih, b_hh [4H]; gates i, f, g, o. */
interface LstmDirection {
  inputWeight: tf.Variable;
  hiddenWeight: tf.Variable;
  inputBias: tf.Variable;
  hiddenBias: tf.Variable;
}

export class PromptEncoder {
  private constructor(
    private readonly config: PTuningConfig,
    /** [n, D] */
    private readonly embedding: tf.Variable,
    /** LSTM layers, each [forward, reverse]; empty for the MLP. */
    private readonly lstm: [LstmDirection, LstmDirection][],
    /** The MLP (3 Linears) or the LSTM's head (2 Linears). */
    private readonly head: Linear[],
  ) {}

  /** A fresh encoder with torch's default init, drawn from `seed`. */
  static create(config: PTuningConfig, tokenDim: number, seed: number): PromptEncoder {
    const rng = new Rng(seed);
    const n = config.numVirtualTokens;
    const H = config.encoderHiddenSize;
    const uniform = (shape: number[], bound: number) => variableFrom(tf.tensor(uniformArray(rng, shape.reduce((a, b) => a * b, 1), -bound, bound), shape));
    const linear = (inF: number, outF: number): Linear => ({ weight: uniform([inF, outF], 1 / Math.sqrt(inF)), bias: uniform([outF], 1 / Math.sqrt(inF)) });
    const embedding = variableFrom(tf.tensor2d(normalArray(rng, n * tokenDim), [n, tokenDim]));
    if (config.encoder === 'mlp') return new PromptEncoder(config, embedding, [], [linear(tokenDim, H), linear(H, H), linear(H, tokenDim)]);
    const bound = 1 / Math.sqrt(H);
    const direction = (inF: number): LstmDirection => ({
      inputWeight: uniform([inF, 4 * H], bound),
      hiddenWeight: uniform([H, 4 * H], bound),
      inputBias: uniform([4 * H], bound),
      hiddenBias: uniform([4 * H], bound),
    });
    const lstm = Array.from({ length: config.encoderNumLayers }, (_, layer): [LstmDirection, LstmDirection] => {
      const inF = layer === 0 ? tokenDim : 2 * H;
      return [direction(inF), direction(inF)];
    });
    return new PromptEncoder(config, embedding, lstm, [linear(2 * H, 2 * H), linear(2 * H, tokenDim)]);
  }

  /** The virtual-token embeddings [n, D]; `dropoutSeed` set: training, with dropout between LSTM layers. */
  output(dropoutSeed?: number): tf.Tensor2D {
    let x = this.embedding as tf.Tensor2D;
    this.lstm.forEach(([forward, reverse], layer) => {
      if (layer > 0 && dropoutSeed !== undefined && this.config.encoderDropout > 0) {
        x = tf.dropout(x, this.config.encoderDropout, undefined, dropoutSeed + layer) as tf.Tensor2D;
      }
      x = tf.concat([runDirection(x, forward, false), runDirection(x, reverse, true)], 1); // [n, 2H]
    });
    this.head.forEach((layer, i) => {
      const y = tf.add(matMul2d(x, layer.weight as tf.Tensor2D), layer.bias) as tf.Tensor2D;
      x = i < this.head.length - 1 ? (tf.relu(y) as tf.Tensor2D) : y;
    });
    return x;
  }

  /** PEFT's parameter names (without the adapter name), in a fixed order. */
  named(): NamedVariable[] {
    const out: NamedVariable[] = [{ key: 'prompt_encoder.embedding.weight', variable: this.embedding }];
    this.lstm.forEach((directions, layer) =>
      directions.forEach((d, reverse) => {
        const suffix = `l${layer}${reverse ? '_reverse' : ''}`;
        out.push(
          { key: `prompt_encoder.lstm_head.weight_ih_${suffix}`, variable: d.inputWeight },
          { key: `prompt_encoder.lstm_head.weight_hh_${suffix}`, variable: d.hiddenWeight },
          { key: `prompt_encoder.lstm_head.bias_ih_${suffix}`, variable: d.inputBias },
          { key: `prompt_encoder.lstm_head.bias_hh_${suffix}`, variable: d.hiddenBias },
        );
      }),
    );
    // torch.nn.Sequential numbers its modules: the Linears sit at 0, 2, 4 between the ReLUs.
    this.head.forEach((layer, i) => out.push({ key: `prompt_encoder.mlp_head.${2 * i}.weight`, variable: layer.weight }, { key: `prompt_encoder.mlp_head.${2 * i}.bias`, variable: layer.bias }));
    return out;
  }

  dispose(): void {
    for (const { variable } of this.named()) variable.dispose();
  }
}

/**
 * torch.nn.LSTM over x [n, in] in one direction, from zero state: per step, gates =
 * x_t·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh split as i, f, g, o; c = σ(f)·c + σ(i)·tanh(g); h = σ(o)·tanh(c).
 * Returns h for every step in input order, [n, H].
 */
function runDirection(x: tf.Tensor2D, d: LstmDirection, reverse: boolean): tf.Tensor2D {
  const H = d.hiddenWeight.shape[0]!;
  const n = x.shape[0];
  const inputs = tf.add(tf.add(matMul2d(x, d.inputWeight as tf.Tensor2D), d.inputBias), d.hiddenBias) as tf.Tensor2D; // [n, 4H]
  let h = tf.zeros([1, H]) as tf.Tensor2D;
  let c = tf.zeros([1, H]) as tf.Tensor2D;
  const outputs: tf.Tensor2D[] = new Array<tf.Tensor2D>(n);
  for (let step = 0; step < n; step++) {
    const t = reverse ? n - 1 - step : step;
    const gates = tf.add(tf.slice(inputs, [t, 0], [1, 4 * H]), matMul2d(h, d.hiddenWeight as tf.Tensor2D));
    const [i, f, g, o] = tf.split(gates, 4, 1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
    c = tf.add(tf.mul(tf.sigmoid(f), c), tf.mul(tf.sigmoid(i), tf.tanh(g))) as tf.Tensor2D;
    h = tf.mul(tf.sigmoid(o), tf.tanh(c)) as tf.Tensor2D;
    outputs[t] = h;
  }
  return tf.concat(outputs, 0);
}
