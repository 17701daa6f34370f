// GGUF import read the way llama.cpp reads it: the shipped model with its matrices in Q4_0
// (ggml's reference quantize_row_q4_0_ref, re-implemented below), Q4_K and Q6_K (plain quantisers
// into ggml's block layouts, below), run by real llama.cpp
// (node-llama-cpp) and imported by Attune, gives the same prompt ids and the same first 8 greedy
// tokens. Both sides compute in different precisions (llama.cpp quantises activations for these
// types), so more than the first tokens may part where two logits are close.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { getLlama, LlamaLogLevel, type Llama } from 'node-llama-cpp';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { generate } from '../../../../src/model';
import { loadModel } from '../../../../src/model/model';
import { readModelDirectory } from '../../../../src/model/node-files';
import { exportWeights, ggufToModelFiles } from '../../../../src/interop/gguf';
import { GgmlType } from '../../../../src/interop/gguf/constants';
import { encodeF16, encodeF32, floatToHalfBits } from '../../../../src/interop/gguf/encode';
import { modelMetadata } from '../../../../src/interop/gguf/export-model';
import { ggufName, permutedHeads, permuteRows } from '../../../../src/interop/gguf/tensor-names';
import { tokenizerToGguf } from '../../../../src/interop/gguf/tokenizer-metadata';
import { writeGguf, type GgufTensor } from '../../../../src/interop/gguf/writer';
import { f16ToF32 } from '../../../../src/model/safetensors';
import { useBackend } from '../../model/parity-helpers';

const SHIPPED = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'public', 'model');
let llama: Llama;
let work: string;
beforeAll(async () => {
  await useBackend('wasm');
  llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error });
  work = mkdtempSync(join(tmpdir(), 'attune-gguf-q-'));
}, 120_000);
afterAll(async () => {
  await llama?.dispose();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** ggml's quantize_row_q4_0_ref: d = (the value of largest magnitude) / −8, q = min(15, trunc(x/d + 8.5)). */
function quantizeQ4_0(x: Float32Array): Uint8Array {
  const out = new Uint8Array((x.length / 32) * 18);
  const view = new DataView(out.buffer);
  for (let b = 0; b < x.length / 32; b++) {
    let amax = 0;
    let max = 0;
    for (let j = 0; j < 32; j++) {
      const v = x[b * 32 + j]!;
      if (amax < Math.abs(v)) [amax, max] = [Math.abs(v), v];
    }
    const d = Math.fround(max / -8);
    const id = d ? Math.fround(1 / d) : 0;
    view.setUint16(b * 18, floatToHalfBits(d), true);
    for (let j = 0; j < 16; j++) {
      const q0 = Math.min(15, Math.trunc(Math.fround(Math.fround(x[b * 32 + j]! * id) + 8.5)));
      const q1 = Math.min(15, Math.trunc(Math.fround(Math.fround(x[b * 32 + 16 + j]! * id) + 8.5)));
      out[b * 18 + 2 + j] = q0 | (q1 << 4);
    }
  }
  return out;
}

const roundf = (x: number) => Math.sign(x) * Math.floor(Math.abs(x) + 0.5);

/**
 * A plain Q4_K quantiser into ggml's block_q4_K layout (not ggml's search for the best scales):
 * per 32 values x ≈ d·sc·q − dmin·m with q in 0..15, 6-bit sc and m packed as get_scale_min_k4
 * reads them, the two 32-value halves of each 64 sharing bytes (low nibble, high nibble).
 */
function quantizeQ4K(x: Float32Array): Uint8Array {
  const out = new Uint8Array((x.length / 256) * 144);
  const view = new DataView(out.buffer);
  for (let b = 0; b < x.length / 256; b++) {
    const scales: number[] = [];
    const mins: number[] = [];
    for (let k = 0; k < 8; k++) {
      const sub = x.subarray(b * 256 + k * 32, b * 256 + k * 32 + 32);
      const lo = Math.min(0, ...sub);
      scales.push((Math.max(...sub) - lo) / 15);
      mins.push(-lo);
    }
    const d = Math.max(...scales) / 63 || 1e-8;
    const dmin = Math.max(...mins) / 63 || 1e-8;
    const hd = floatToHalfBits(d);
    const hdmin = floatToHalfBits(dmin);
    view.setUint16(b * 144, hd, true);
    view.setUint16(b * 144 + 2, hdmin, true);
    const dq = half(hd);
    const dminq = half(hdmin);
    const sc = scales.map((s) => Math.min(63, roundf(s / dq)));
    const m = mins.map((v) => Math.min(63, roundf(v / dminq)));
    const base = b * 144 + 4;
    for (let j = 0; j < 4; j++) {
      out[base + j] = sc[j]! | ((sc[j + 4]! >> 4) << 6);
      out[base + j + 4] = m[j]! | ((m[j + 4]! >> 4) << 6);
      out[base + j + 8] = (sc[j + 4]! & 0x0f) | ((m[j + 4]! & 0x0f) << 4);
    }
    for (let k = 0; k < 8; k++) {
      const step = dq * sc[k]!;
      for (let l = 0; l < 32; l++) {
        const q = step === 0 ? 0 : Math.max(0, Math.min(15, roundf((x[b * 256 + k * 32 + l]! + dminq * m[k]!) / step)));
        const at = b * 144 + 16 + (k >> 1) * 32 + l;
        out[at] = k % 2 === 0 ? (out[at]! & 0xf0) | q : (out[at]! & 0x0f) | (q << 4);
      }
    }
  }
  return out;
}

/**
 * A plain Q6_K quantiser into ggml's block_q6_K layout: per 16 values an int8 scale, x ≈ d·sc·(q − 32)
 * with q in 0..63 split into 4 low bits (ql) and 2 high bits (qh) as dequantize_row_q6_K reads them.
 */
function quantizeQ6K(x: Float32Array): Uint8Array {
  const out = new Uint8Array((x.length / 256) * 210);
  const view = new DataView(out.buffer);
  for (let b = 0; b < x.length / 256; b++) {
    const groups = Array.from({ length: 16 }, (_, g) => Math.max(...Array.from(x.subarray(b * 256 + g * 16, b * 256 + g * 16 + 16), Math.abs)) / 31);
    const d = Math.max(...groups) / 127 || 1e-8;
    const hd = floatToHalfBits(d);
    view.setUint16(b * 210 + 208, hd, true);
    const dq = half(hd);
    const sc = groups.map((s) => Math.max(-128, Math.min(127, roundf(s / dq))));
    sc.forEach((v, g) => view.setInt8(b * 210 + 192 + g, v));
    const q = new Uint8Array(256);
    for (let v = 0; v < 256; v++) {
      const step = dq * sc[v >> 4]!;
      q[v] = (step === 0 ? 0 : Math.max(-32, Math.min(31, roundf(x[b * 256 + v]! / step)))) + 32;
    }
    for (let n = 0; n < 2; n++) {
      for (let l = 0; l < 32; l++) {
        const [q1, q2, q3, q4] = [0, 32, 64, 96].map((o) => q[n * 128 + l + o]!) as [number, number, number, number];
        out[b * 210 + n * 64 + l] = (q1 & 0x0f) | ((q3 & 0x0f) << 4);
        out[b * 210 + n * 64 + l + 32] = (q2 & 0x0f) | ((q4 & 0x0f) << 4);
        out[b * 210 + 128 + n * 32 + l] = (q1 >> 4) | ((q2 >> 4) << 2) | ((q3 >> 4) << 4) | ((q4 >> 4) << 6);
      }
    }
  }
  return out;
}

const halves = f16ToF32(Uint16Array.from({ length: 65536 }, (_, i) => i));
const half = (bits: number) => halves[bits]!;

test('Q4_0, Q4_K and Q6_K tensors: llama.cpp and Attune’s import read the same model', async () => {
  const files = readModelDirectory(SHIPPED);
  const original = await loadModel(files);
  const json = (name: string) => JSON.parse(new TextDecoder().decode(files.get(name)!)) as Record<string, unknown>;
  const config = original.config;
  const metadata = modelMetadata('llama', config, 'quantised');
  for (const [key, value] of tokenizerToGguf(json('tokenizer.json'), json('tokenizer_config.json'), config.vocabSize)) metadata.set(key, value);
  const tensors: GgufTensor[] = [];
  for (const [name, tensor] of await exportWeights(original, null)) {
    const target = ggufName(name)!;
    const heads = permutedHeads('llama', name, { q: config.numHeads, kv: config.numKvHeads });
    const data = heads === null ? tensor.data : permuteRows(tensor.data, tensor.shape[0]!, tensor.shape[1]!, heads);
    let type: GgmlType;
    let bytes: Uint8Array;
    if (tensor.shape.length === 1) [type, bytes] = [GgmlType.F32, encodeF32(data)];
    else if (/attn_(q|k|v|output)/.test(target)) [type, bytes] = [GgmlType.Q4_K, quantizeQ4K(data)];
    else if (/ffn_(gate|up)/.test(target)) [type, bytes] = [GgmlType.Q6_K, quantizeQ6K(data)];
    else if (/token_embd|ffn_down/.test(target)) [type, bytes] = [GgmlType.Q4_0, quantizeQ4_0(data)];
    else [type, bytes] = [GgmlType.F16, encodeF16(data)];
    tensors.push({ name: target, shape: tensor.shape, type, data: bytes });
  }
  original.dispose();
  expect(new Set(tensors.map((t) => t.type))).toEqual(new Set([GgmlType.F32, GgmlType.Q4_0, GgmlType.Q4_K, GgmlType.Q6_K]));
  const parts = writeGguf(metadata, tensors);
  const path = join(work, 'quantised.gguf');
  writeFileSync(path, Buffer.concat(parts));

  const imported = await loadModel(await ggufToModelFiles(new Blob(parts as Uint8Array<ArrayBuffer>[]), 'quantised.gguf'));
  try {
    const prompt = imported.tokenizer!.applyChatTemplate([{ role: 'user', content: 'The harbor 港口 🌊' }], { addGenerationPrompt: true });
    const ids = imported.tokenizer!.encode(prompt);
    const ours = (await generate(imported, ids, { greedy: true, maxNewTokens: 8, stopTokenIds: [] })).tokens;

    const model = await llama.loadModel({ modelPath: path });
    const context = await model.createContext({ contextSize: 256, threads: 1 });
    const theirs: number[] = [];
    const theirIds = Array.from(model.tokenize(prompt, true));
    for await (const token of context.getSequence().evaluate(theirIds, { temperature: 0 })) {
      theirs.push(token);
      if (theirs.length >= 8) break;
    }
    await context.dispose();
    await model.dispose();
    expect(theirIds).toEqual(ids);
    expect(theirs).toEqual(ours);
  } finally {
    imported.dispose();
  }
}, 180_000);
