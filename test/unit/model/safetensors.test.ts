// The safetensors reader/writer and checkpoint validation: round trips, dtype widening, sharding,
// and a named error (never a hang) for every kind of broken file.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import {
  CorruptModelFileError,
  loadModel,
  MissingModelFileError,
  MissingTensorError,
  readCheckpoint,
  readSafetensors,
  TensorShapeError,
  UnexpectedTensorError,
  UnsupportedModelError,
  writeSafetensors,
} from '../../../src/model';
import { bf16ToF32, f16ToF32 } from '../../../src/model/safetensors';
import { readModelDirectory } from '../../../src/model/node-files';
import { FIXTURES, useBackend } from './parity-helpers';

beforeAll(() => useBackend('cpu'));

function header(json: object, dataBytes = 0): Uint8Array {
  const text = new TextEncoder().encode(JSON.stringify(json));
  const out = new Uint8Array(8 + text.length + dataBytes);
  new DataView(out.buffer).setBigUint64(0, BigInt(text.length), true);
  out.set(text, 8);
  return out;
}

describe('writer and reader', () => {
  test('round-trips tensors and metadata, with 8-byte aligned data', () => {
    const tensors = new Map([
      ['b.weight', { shape: [2, 3], data: new Float32Array([1, -2, 3.5, 0, 1e-8, -7]) }],
      ['a.bias', { shape: [3], data: new Float32Array([0.25, 0.5, 0.75]) }],
    ]);
    const bytes = writeSafetensors(tensors, { format: 'pt' });
    const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(headerLength % 8).toBe(0);
    const read = readSafetensors(bytes);
    expect(read.metadata).toEqual({ format: 'pt' });
    expect([...read.tensors.keys()].sort()).toEqual(['a.bias', 'b.weight']);
    expect(read.tensors.get('b.weight')).toEqual(tensors.get('b.weight'));
    expect(read.tensors.get('a.bias')).toEqual(tensors.get('a.bias'));
  });

  test('reads a file written by the PyTorch reference writer', () => {
    const bytes = readFileSync(join(FIXTURES, 'tiny-llama', 'model.safetensors'));
    const file = readSafetensors(bytes);
    expect(file.tensors.get('model.norm.weight')!.shape).toEqual([32]);
    expect(file.dtypes.get('model.norm.weight')).toBe('F32');
  });

  test('widens F16 (normal, subnormal, inf, nan) and BF16 exactly', () => {
    const f16 = f16ToF32(new Uint16Array([0x3c00, 0xc000, 0x0001, 0x7c00, 0xfc00, 0x7e00, 0x3555]));
    expect(Array.from(f16.slice(0, 5))).toEqual([1, -2, 2 ** -24, Infinity, -Infinity]);
    expect(f16[5]).toBeNaN();
    expect(f16[6]).toBeCloseTo(0.33325195, 7);
    const bf16 = bf16ToF32(new Uint16Array([0x3f80, 0xc040, 0x3eab]));
    expect(Array.from(bf16)).toEqual([1, -3, new Float32Array(new Uint32Array([0x3eab0000]).buffer)[0]]);
  });

  test('the BF16 sharded and F16 fixtures load through readCheckpoint', () => {
    const sharded = readCheckpoint(readModelDirectory(join(FIXTURES, 'tiny-llama-bf16-sharded')));
    expect(sharded.has('model.layers.1.mlp.down_proj.weight')).toBe(true);
    expect(sharded.has('model.embed_tokens.weight')).toBe(true);
    const f16 = readCheckpoint(readModelDirectory(join(FIXTURES, 'tiny-gpt2-f16')));
    expect(f16.get('transformer.wte.weight')!.shape).toEqual([320, 32]);
  });
});

describe('corrupt files fail with CorruptModelFileError', () => {
  const cases: [string, Uint8Array][] = [
    ['shorter than 8 bytes', new Uint8Array([1, 2, 3])],
    ['header length beyond the file', (() => { const b = header({}); new DataView(b.buffer).setBigUint64(0, 10n ** 12n, true); return b; })()],
    ['header not JSON', (() => { const b = header({ a: 1 }); b[9] = 0x7b; b[10] = 0x7b; return b; })()],
    ['offsets beyond the data', header({ w: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, 8)],
    ['bytes disagree with the shape', header({ w: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, 8)],
    ['malformed entry', header({ w: { dtype: 'F32', shape: 'x', data_offsets: [0, 4] } }, 4)],
    // As the reference library: offsets contiguous from 0 and covering the whole data section.
    ['overlapping tensors', header({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }, 12)],
    ['a gap between tensors', header({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [12, 20] } }, 20)],
    ['a gap before the first tensor', header({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, 8)],
    ['trailing bytes no tensor covers', header({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, 8)],
    ['a NaN weight', (() => { const b = header({ w: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }, 8); new DataView(b.buffer).setFloat32(b.length - 4, NaN, true); return b; })()],
    ['an infinite F16 weight', (() => { const b = header({ w: { dtype: 'F16', shape: [2], data_offsets: [0, 4] } }, 4); new DataView(b.buffer).setUint16(b.length - 2, 0x7c00, true); return b; })()],
  ];
  for (const [label, bytes] of cases) {
    test(label, () => {
      expect(() => readSafetensors(bytes, 'broken.safetensors')).toThrow(CorruptModelFileError);
      expect(() => readSafetensors(bytes, 'broken.safetensors')).toThrow(/broken\.safetensors/);
    });
  }

  test('tensors listed out of offset order are fine when together they are contiguous', () => {
    const bytes = header({ b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] }, a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] }, z: { dtype: 'F32', shape: [0], data_offsets: [8, 8] } }, 8);
    expect([...readSafetensors(bytes).tensors.keys()]).toEqual(['b', 'a', 'z']);
  });

  test('a truncated real checkpoint', () => {
    const bytes = readFileSync(join(FIXTURES, 'tiny-gpt2', 'model.safetensors'));
    expect(() => readSafetensors(bytes.subarray(0, bytes.length - 100))).toThrow(CorruptModelFileError);
  });

  test('an unsupported dtype is UnsupportedModelError', () => {
    expect(() => readSafetensors(header({ w: { dtype: 'I8', shape: [4], data_offsets: [0, 4] } }, 4))).toThrow(UnsupportedModelError);
  });
});

describe('checkpoint validation', () => {
  const llama = () => readModelDirectory(join(FIXTURES, 'tiny-llama'));

  test('a missing tensor names the tensor and its expected shape', async () => {
    const files = llama();
    const tensors = readSafetensors(files.get('model.safetensors')!).tensors;
    tensors.delete('model.layers.1.mlp.up_proj.weight');
    files.set('model.safetensors', writeSafetensors(tensors));
    await expect(loadModel(files)).rejects.toThrow(MissingTensorError);
    await expect(loadModel(files)).rejects.toThrow(/model\.layers\.1\.mlp\.up_proj\.weight.*\[64, 32\]/);
  });

  test('a tensor the config has no place for is refused by name; HF buffers (attn.bias, inv_freq) are skipped as HF skips them', async () => {
    const files = llama();
    const tensors = readSafetensors(files.get('model.safetensors')!).tensors;
    tensors.set('model.layers.0.self_attn.rotary_emb.inv_freq', { shape: [4], data: new Float32Array(4) });
    files.set('model.safetensors', writeSafetensors(tensors));
    (await loadModel(files)).dispose();
    tensors.set('model.layers.2.input_layernorm.weight', { shape: [32], data: new Float32Array(32) });
    files.set('model.safetensors', writeSafetensors(tensors));
    await expect(loadModel(files)).rejects.toThrow(UnexpectedTensorError);
    await expect(loadModel(files)).rejects.toThrow(/"model\.layers\.2\.input_layernorm\.weight"/);

    const gpt2 = readModelDirectory(join(FIXTURES, 'tiny-gpt2'));
    const gpt2Tensors = readSafetensors(gpt2.get('model.safetensors')!).tensors;
    gpt2Tensors.set('h.0.attn.bias', { shape: [1, 1, 2, 2], data: new Float32Array([1, 0, 1, 1]) });
    gpt2Tensors.set('lm_head.weight', gpt2Tensors.get('transformer.wte.weight')!);
    gpt2.set('model.safetensors', writeSafetensors(gpt2Tensors));
    (await loadModel(gpt2)).dispose();
  });

  test('a misshaped tensor names both shapes', async () => {
    const files = llama();
    const config = JSON.parse(new TextDecoder().decode(files.get('config.json')));
    files.set('config.json', new TextEncoder().encode(JSON.stringify({ ...config, intermediate_size: 48 })));
    await expect(loadModel(files)).rejects.toThrow(TensorShapeError);
    await expect(loadModel(files)).rejects.toThrow(/\[64, 32\].*\[48, 32\]/);
  });

  test('missing files: weights, a shard, config.json', async () => {
    const files = llama();
    files.delete('model.safetensors');
    await expect(loadModel(files)).rejects.toThrow(MissingModelFileError);
    const sharded = readModelDirectory(join(FIXTURES, 'tiny-llama-bf16-sharded'));
    sharded.delete('model-00002-of-00002.safetensors');
    await expect(loadModel(sharded)).rejects.toThrow(/model-00002-of-00002\.safetensors/);
    const noConfig = llama();
    noConfig.delete('config.json');
    await expect(loadModel(noConfig)).rejects.toThrow(/config\.json/);
  });

  test('loading creates exactly the weight tensors, and dispose frees them all', async () => {
    const before = tf.memory().numTensors;
    const model = await loadModel(llama());
    // tied head: one extra transposed copy of the embedding table
    expect(tf.memory().numTensors - before).toBe(model.weights.size + 1);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
