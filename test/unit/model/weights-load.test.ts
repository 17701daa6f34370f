// Loading 16-bit checkpoints into device tensors: on tfjs-wasm each weight is widened (and
// transposed) straight into the wasm heap, elsewhere through a host array. Every value is checked
// bit for bit against a widening written here independently (bfloat16 as a float32's upper half,
// IEEE half by its formula) and a plain element-by-element transpose; a NaN or infinite word is
// refused naming the file, the tensor and the first bad element, and a refused load leaves
// nothing allocated.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, test } from 'vitest';
import { CorruptModelFileError, loadModel, readSafetensors, type LoadedModel } from '../../../src/model';
import { expectedTensors } from '../../../src/model/weights';
import { parseConfig } from '../../../src/model/config';
import { FIXTURES, useBackend } from './parity-helpers';

type Dtype = 'F16' | 'BF16';

interface WordTensor {
  name: string;
  shape: number[];
  words: Uint16Array;
}

const CONFIG_BYTES = readFileSync(join(FIXTURES, 'tiny-llama', 'config.json'));
const CONFIG = parseConfig(new TextDecoder().decode(CONFIG_BYTES));
/** The fixture's tensor names and shapes (tied head: no lm_head). */
const SHAPES = [...readSafetensors(readFileSync(join(FIXTURES, 'tiny-llama', 'model.safetensors'))).tensors].map(([name, t]) => ({ name, shape: t.shape }));

/** Random finite words: every sign, mantissa and exponent but the all-ones (NaN/infinity) one. */
function finiteWords(count: number, dtype: Dtype, seed: number): Uint16Array {
  const words = new Uint16Array(count);
  let state = seed >>> 0 || 1;
  const mask = dtype === 'F16' ? 0x7c00 : 0x7f80;
  for (let i = 0; i < count; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    let w = state >>> 16;
    if ((w & mask) === mask) w ^= 0x4000; // clear the top exponent bit: finite
    words[i] = w;
  }
  return words;
}

/** A safetensors file of 16-bit tensors, in the order given (an odd-sized first one misaligns the rest). */
function halfFile(tensors: readonly WordTensor[], dtype: Dtype): Uint8Array {
  const header: Record<string, unknown> = {};
  let offset = 0;
  for (const t of tensors) {
    header[t.name] = { dtype, shape: t.shape, data_offsets: [offset, offset + t.words.length * 2] };
    offset += t.words.length * 2;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const t of tensors) {
    out.set(new Uint8Array(t.words.buffer, t.words.byteOffset, t.words.byteLength), at);
    at += t.words.byteLength;
  }
  return out;
}

function checkpoint(dtype: Dtype, misaligned: boolean): WordTensor[] {
  const tensors = SHAPES.map(({ name, shape }, i) => ({ name, shape, words: finiteWords(shape.reduce((a, b) => a * b, 1), dtype, 7 + i) }));
  // A buffer HF skips on load; 3 words put every later tensor on an odd 2-byte boundary.
  if (misaligned) tensors.unshift({ name: 'model.layers.0.self_attn.rotary_emb.inv_freq', shape: [3], words: finiteWords(3, dtype, 1) });
  return tensors;
}

function filesOf(tensors: readonly WordTensor[], dtype: Dtype): Map<string, Uint8Array> {
  return new Map([
    ['config.json', new Uint8Array(CONFIG_BYTES)],
    ['model.safetensors', halfFile(tensors, dtype)],
  ]);
}

/** The float32 bit pattern of a 16-bit word, derived here without the loader's code. */
function expectedBits(word: number, dtype: Dtype): number {
  if (dtype === 'BF16') return (word << 16) >>> 0;
  const sign = word & 0x8000 ? -1 : 1;
  const exponent = (word >> 10) & 0x1f;
  const fraction = word & 0x3ff;
  const value = exponent === 0 ? sign * 2 ** -14 * (fraction / 1024) : sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
  return new Uint32Array(new Float32Array([value]).buffer)[0]!;
}

/** Expected [in, out] (or as stored) float32 bits of one tensor. */
function expectedTensorBits(t: WordTensor, dtype: Dtype, transpose: boolean): Uint32Array {
  const out = new Uint32Array(t.words.length);
  if (!transpose) {
    for (let i = 0; i < t.words.length; i++) out[i] = expectedBits(t.words[i]!, dtype);
    return out;
  }
  const [rows, cols] = t.shape as [number, number];
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = expectedBits(t.words[r * cols + c]!, dtype);
  return out;
}

function bitsOf(tensor: tf.Tensor): Uint32Array {
  const values = tensor.dataSync() as Float32Array;
  return new Uint32Array(values.buffer, values.byteOffset, values.length);
}

/** Bytes the backend holds (wasm: its tensors in the heap), beside tfjs's own count. */
function allocated(): { tensors: number; bytes: number; dataIds: number } {
  return { tensors: tf.memory().numTensors, bytes: tf.memory().numBytes, dataIds: tf.backend().numDataIds() };
}

describe.each(['wasm', 'cpu'] as const)('16-bit checkpoints load bit for bit on %s', (backend) => {
  describe.each(['BF16', 'F16'] as const)('%s', (dtype) => {
    test.each([false, true])('every weight equals the independent widening and transpose (misaligned tensors: %s); dispose frees all', async (misaligned) => {
      await useBackend(backend);
      const tensors = checkpoint(dtype, misaligned);
      const before = allocated();
      const model: LoadedModel = await loadModel(filesOf(tensors, dtype));
      const layouts = new Map(expectedTensors(CONFIG).map((spec) => [spec.name, spec.layout]));
      const byName = new Map(tensors.map((t) => [t.name, t]));
      expect([...model.weights.keys()].sort()).toEqual(SHAPES.map((s) => s.name).sort());
      for (const [name, weight] of model.weights) {
        const source = byName.get(name)!;
        const transpose = layouts.get(name) === 'linear-out-in';
        expect(weight.shape, name).toEqual(transpose ? [source.shape[1], source.shape[0]] : source.shape);
        expect(bitsOf(weight), name).toEqual(expectedTensorBits(source, dtype, transpose));
      }
      // The tied head: the embedding table's [D, V] transpose.
      const table = byName.get('model.embed_tokens.weight')!;
      expect(model.tiedHead!.transposed.shape).toEqual([table.shape[1], table.shape[0]]);
      expect(bitsOf(model.tiedHead!.transposed)).toEqual(expectedTensorBits(table, dtype, true));
      expect(allocated().tensors - before.tensors).toBe(model.weights.size + 1);
      model.dispose();
      expect(allocated()).toEqual(before);
    });

    test.each([
      ['a transposed linear weight', 'model.layers.1.mlp.down_proj.weight', 777],
      ['a plain tensor (the embedding table)', 'model.embed_tokens.weight', 5000],
      ['the first element of a norm', 'model.layers.0.input_layernorm.weight', 0],
      ['the last element of the last tensor', 'model.norm.weight', 31],
    ])('a NaN or infinite word in %s is refused by file, tensor and element; nothing stays allocated', async (_label, name, element) => {
      await useBackend(backend);
      const nan = dtype === 'F16' ? 0x7e00 : 0x7fc0;
      const inf = dtype === 'F16' ? 0xfc00 : 0xff80;
      for (const bad of [nan, inf]) {
        const tensors = checkpoint(dtype, false);
        const target = tensors.find((t) => t.name === name)!;
        target.words[element] = bad;
        // A second bad word later on: the message names the first.
        if (element + 3 < target.words.length) target.words[element + 3] = nan;
        const before = allocated();
        const loading = loadModel(filesOf(tensors, dtype));
        await expect(loading).rejects.toThrow(CorruptModelFileError);
        await expect(loadModel(filesOf(tensors, dtype))).rejects.toThrow(
          `model.safetensors is corrupt or truncated: tensor "${name}" holds NaN or infinite values (first at element ${element})`,
        );
        expect(allocated()).toEqual(before);
      }
    });
  });
});
