// GGUF import: an exported file read back gives the same model (logits within 1e-3 at f16,
// same tokenizer ids and chat template), the block decoders give the values ggml's layouts
// define (hand-derived blocks), and bad files fail with one clear error and store nothing.
import 'fake-indexeddb/auto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { forward, type LoadedModel } from '../../../../src/model';
import { loadModel } from '../../../../src/model/model';
import { readModelDirectory } from '../../../../src/model/node-files';
import {
  GgufArchitectureError,
  GgufCorruptError,
  GgufTensorTypeError,
  exportWeights,
  ggufToModelFiles,
  modelToGguf,
  type GgufWeightType,
} from '../../../../src/interop/gguf';
import { GgmlType } from '../../../../src/interop/gguf/constants';
import { decode } from '../../../../src/interop/gguf/decode';
import { encodeQ8_0, floatToHalfBits } from '../../../../src/interop/gguf/encode';
import { errorsZhCN } from '../../../../src/i18n/errors.zh_CN';
import { makeStore } from '../../model-store/helpers';
import { useBackend } from '../../model/parity-helpers';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const SHIPPED = join(ROOT, 'public', 'model');
const QWEN2 = join(ROOT, 'test', 'fixtures', 'models', 'tiny-qwen2');
const TEXT = 'The harbor 港口 at dawn 🌊🙂';

const models: LoadedModel[] = [];
beforeAll(async () => {
  await useBackend('cpu');
});
afterAll(() => models.forEach((m) => m.dispose()));

async function exported(dir: string, type: GgufWeightType): Promise<{ original: LoadedModel; bytes: Uint8Array<ArrayBuffer> }> {
  const files = readModelDirectory(dir);
  const original = await loadModel(files);
  models.push(original);
  const json = (name: string) => JSON.parse(new TextDecoder().decode(files.get(name)!)) as Record<string, unknown>;
  const parts = modelToGguf(
    { name: 'test', config: original.config, tensors: await exportWeights(original, null), tokenizerJson: json('tokenizer.json'), tokenizerConfig: json('tokenizer_config.json') },
    type,
  );
  return { original, bytes: new Uint8Array(Buffer.concat(parts)) };
}

async function logits(model: LoadedModel, ids: number[]): Promise<Float32Array> {
  const out = forward(model, { ids: [ids], logits: 'all' });
  const values = (await out.logits.data()) as Float32Array;
  out.logits.dispose();
  return values;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

describe('an exported GGUF imported back is the same model', () => {
  // The shipped weights are float16 already, so f16 keeps them exactly; the Qwen2 fixture is
  // float32 (random weights with large logits), so its lossless path is f32.
  for (const [label, dir, type] of [['the shipped model (Llama, q/k permuted)', SHIPPED, 'f16'], ['tiny Qwen2 (biases, untied head)', QWEN2, 'f32']] as const) {
    test(`${label}, ${type}: logits within 1e-3, same ids and chat template`, async () => {
      const { original, bytes } = await exported(dir, type);
      const before = tf.memory().numTensors;
      const imported = await loadModel(await ggufToModelFiles(new Blob([bytes]), 'model.gguf'));
      try {
        expect(imported.config).toMatchObject({ ...original.config, eosTokenIds: expect.arrayContaining(original.config.eosTokenIds.slice(0, 1)) });
        const chat = original.tokenizer!.applyChatTemplate([{ role: 'user', content: TEXT }], { addGenerationPrompt: true });
        expect(imported.tokenizer!.applyChatTemplate([{ role: 'user', content: TEXT }], { addGenerationPrompt: true })).toBe(chat);
        const ids = original.tokenizer!.encode(chat);
        expect(imported.tokenizer!.encode(chat)).toEqual(ids);
        expect(imported.tokenizer!.decode(ids)).toBe(original.tokenizer!.decode(ids));
        const diff = maxAbsDiff(await logits(imported, ids), await logits(original, ids));
        expect(diff).toBeLessThan(1e-3);
      } finally {
        imported.dispose();
      }
      expect(tf.memory().numTensors).toBe(before);
    }, 120_000);
  }

  test('q8_0: every weight within half a quantisation step of the original', async () => {
    const { original, bytes } = await exported(QWEN2, 'q8_0');
    const imported = await loadModel(await ggufToModelFiles(new Blob([bytes]), 'model.gguf'));
    try {
      for (const [name, tensor] of original.weights) {
        const a = (await tensor.data()) as Float32Array;
        const b = (await imported.weights.get(name)!.data()) as Float32Array;
        // Blocks of 32 along a row share a scale of at most max|x|/127; the whole tensor's max bounds it.
        const bound = a.reduce((m, x) => Math.max(m, Math.abs(x)), 0) / 127 / 2 + 1e-3;
        expect(maxAbsDiff(a, b), name).toBeLessThanOrEqual(bound);
      }
    } finally {
      imported.dispose();
    }
  }, 120_000);
});

describe('block decoders (ggml layouts, hand-derived blocks)', () => {
  const f16 = (x: number) => floatToHalfBits(x);
  test('Q8_0: scale max|x|/127 as f16, int8 values rounded half away from zero', () => {
    const values = Float32Array.from({ length: 32 }, (_, k) => (k - 16) * 0.5);
    const bytes = encodeQ8_0(values);
    expect(bytes.length).toBe(34);
    const view = new DataView(bytes.buffer);
    expect(view.getUint16(0, true)).toBe(f16(8 / 127));
    const id = Math.fround(1 / Math.fround(8 / 127));
    for (let k = 0; k < 32; k++) {
      const x = Math.fround((k - 16) * 0.5 * id);
      expect(view.getInt8(2 + k)).toBe(Math.sign(x) * Math.floor(Math.abs(x) + 0.5));
    }
    const d = decode(new Uint8Array([...new Uint8Array(new Uint16Array([f16(0.25)]).buffer), ...Array.from({ length: 32 }, (_, k) => (k - 16) & 0xff)]), GgmlType.Q8_0, 32);
    expect(Array.from(d)).toEqual(Array.from({ length: 32 }, (_, k) => (k - 16) * 0.25));
  });

  test('Q4_0: low nibbles are values 0..15, high nibbles 16..31, x = d·(q − 8)', () => {
    const qs = Array.from({ length: 16 }, (_, j) => j | ((15 - j) << 4));
    const block = new Uint8Array([...new Uint8Array(new Uint16Array([f16(0.5)]).buffer), ...qs]);
    const expected = [...Array.from({ length: 16 }, (_, j) => (j - 8) * 0.5), ...Array.from({ length: 16 }, (_, j) => (15 - j - 8) * 0.5)];
    expect(Array.from(decode(block, GgmlType.Q4_0, 32))).toEqual(expected);
  });

  test('Q4_K: 8 sub-blocks of 32, 6-bit scales and mins packed in 12 bytes', () => {
    const scales = [1, 2, 3, 4, 5, 6, 7, 8, 0x21, 0x43, 0x65, 0x87];
    const block = new Uint8Array([...new Uint8Array(new Uint16Array([f16(1), f16(0.5)]).buffer), ...scales, ...new Array<number>(128).fill(0x93)]);
    const sc = [1, 2, 3, 4, 1, 3, 5, 7];
    const mins = [5, 6, 7, 8, 2, 4, 6, 8];
    const expected = Array.from({ length: 256 }, (_, v) => {
      const k = v >> 5;
      return sc[k]! * (k % 2 === 0 ? 3 : 9) - 0.5 * mins[k]!;
    });
    expect(Array.from(decode(block, GgmlType.Q4_K, 256))).toEqual(expected);
  });

  test('Q6_K: 4-bit low and 2-bit high parts, int8 scale per 16 values', () => {
    const ql = new Array<number>(128).fill(0x21);
    const qh = new Array<number>(64).fill(0b11100100);
    const scales = Array.from({ length: 16 }, (_, i) => (i - 8) & 0xff);
    const block = new Uint8Array([...ql, ...qh, ...scales, ...new Uint8Array(new Uint16Array([f16(0.25)]).buffer)]);
    const q = [-31, -15, 2, 18];
    const expected = Array.from({ length: 256 }, (_, v) => {
      const n = v >> 7, r = v & 127, g = r >> 5, l = r & 31;
      return 0.25 * (8 * n + (l >> 4) + 2 * g - 8) * q[g]!;
    });
    expect(Array.from(decode(block, GgmlType.Q6_K, 256))).toEqual(expected);
  });
});

/** Overwrites the u32 type of a tensor info in the header (found by its name). */
function retype(bytes: Uint8Array<ArrayBuffer>, tensor: string, type: number): Uint8Array<ArrayBuffer> {
  const copy = bytes.slice();
  const name = new TextEncoder().encode(tensor);
  const at = Buffer.from(copy).indexOf(Buffer.from(name));
  const view = new DataView(copy.buffer);
  const dims = view.getUint32(at + name.length, true);
  view.setUint32(at + name.length + 4 + 8 * dims, type, true);
  return copy;
}

/** Replaces the value of general.architecture with another string of the same length. */
function rearchitect(bytes: Uint8Array<ArrayBuffer>, from: string, to: string): Uint8Array<ArrayBuffer> {
  const copy = bytes.slice();
  const key = Buffer.from(copy).indexOf(Buffer.from('general.architecture'));
  const at = Buffer.from(copy).indexOf(Buffer.from(from), key + 20);
  copy.set(new TextEncoder().encode(to), at);
  return copy;
}

describe('bad GGUF files: one clear error, nothing stored', () => {
  test('a truncated file names the tensor that runs past the end', async () => {
    const { bytes } = await exported(QWEN2, 'f16');
    const cut = bytes.subarray(0, bytes.length - 1000);
    await expect(ggufToModelFiles(new Blob([cut]), 'cut.gguf')).rejects.toThrow(GgufCorruptError);
    await expect(ggufToModelFiles(new Blob([cut]), 'cut.gguf')).rejects.toThrow(/cut\.gguf is not a readable GGUF file: tensor ".+" ends at byte \d+, past the end of the file .*truncated/);
    await expect(ggufToModelFiles(new Blob([bytes.subarray(0, 200)]), 'head.gguf')).rejects.toThrow(/head\.gguf is not a readable GGUF file: its header runs to byte \d+, past the end/);
  });

  test('not a GGUF file at all', async () => {
    await expect(ggufToModelFiles(new Blob(['{"model_type": "llama"}']), 'config.gguf')).rejects.toThrow(/config\.gguf is not a readable GGUF file: .*magic/);
  });

  test('an unsupported tensor type and architecture are named, in English and Chinese', async () => {
    const { bytes } = await exported(QWEN2, 'f16');
    const q5 = retype(bytes, 'blk.0.attn_q.weight', GgmlType.Q5_0);
    const error = await ggufToModelFiles(new Blob([q5]), 'q5.gguf').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GgufTensorTypeError);
    expect((error as Error).message).toBe('q5.gguf: tensor "blk.0.attn_q.weight" is stored as Q5_0, which Attune cannot read. Supported: F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q6_K.');
    expect(errorsZhCN['error.gguf-unsupported.tensor-type']).toContain('{type}');
    const gemma = await ggufToModelFiles(new Blob([rearchitect(bytes, 'qwen2', 'gemma')]), 'g.gguf').catch((e: unknown) => e);
    expect(gemma).toBeInstanceOf(GgufArchitectureError);
    expect((gemma as Error).message).toMatch(/g\.gguf: architecture "gemma" is not supported/);
  });

  test('the model store imports a .gguf as a model, and a bad one leaves nothing behind', async () => {
    const { original, bytes } = await exported(QWEN2, 'f32');
    const { store, files } = await makeStore();
    const bad = new File([bytes.subarray(0, bytes.length - 1000)], 'tiny.gguf');
    await expect(store.importFromFiles([bad])).rejects.toThrow(GgufCorruptError);
    expect(files.models.size).toBe(0);
    const summary = await store.importFromFiles([new File([bytes], 'tiny-qwen2-f32.gguf')]);
    expect(summary).toMatchObject({ name: 'tiny-qwen2-f32', family: 'llama', modelType: 'qwen2' });
    const imported = await loadModel(await store.readFiles(summary.id));
    try {
      const ids = original.tokenizer!.encode(TEXT);
      expect(maxAbsDiff(await logits(imported, ids), await logits(original, ids))).toBeLessThan(1e-3);
    } finally {
      imported.dispose();
    }
  }, 120_000);
});
