// The bytes of a ggml tensor -> float32 (import dequantises on load). Each block layout and
// formula follows ggml's reference dequantize_row_* (ggml/src/ggml-quants.c).
import { bf16ToF32, f16ToF32 } from '../../model/safetensors';
import { BLOCK, GgmlType } from './constants';

let halfTable: Float32Array | null = null;
function half(bits: number): number {
  if (!halfTable) halfTable = f16ToF32(Uint16Array.from({ length: 65536 }, (_, i) => i));
  return halfTable[bits]!;
}

/** Bytes a tensor of `count` values takes in `type`, or null for a type Attune cannot read. */
export function byteSize(type: GgmlType, count: number): number | null {
  const block = BLOCK[type];
  if (!block || count % block.values !== 0) return null;
  return (count / block.values) * block.bytes;
}

export function isReadableType(type: number): type is GgmlType {
  return BLOCK[type as GgmlType] !== undefined;
}

/** Dequantises `count` values; `bytes` must be exactly byteSize(type, count) long. */
export function decode(bytes: Uint8Array, type: GgmlType, count: number): Float32Array {
  const aligned = bytes.byteOffset % 4 === 0 ? bytes : bytes.slice();
  switch (type) {
    case GgmlType.F32:
      return new Float32Array(aligned.buffer.slice(aligned.byteOffset, aligned.byteOffset + count * 4));
    case GgmlType.F16:
      return f16ToF32(new Uint16Array(aligned.buffer, aligned.byteOffset, count));
    case GgmlType.BF16:
      return bf16ToF32(new Uint16Array(aligned.buffer, aligned.byteOffset, count));
    case GgmlType.Q8_0:
      return decodeQ8_0(bytes, count);
    case GgmlType.Q4_0:
      return decodeQ4_0(bytes, count);
    case GgmlType.Q4_K:
      return decodeQ4K(bytes, count);
    case GgmlType.Q6_K:
      return decodeQ6K(bytes, count);
    default:
      throw new RangeError(`no decoder for ggml type ${type}`);
  }
}

/** block_q8_0: f16 d, int8 qs[32]; x = d·q. */
function decodeQ8_0(bytes: Uint8Array, count: number): Float32Array {
  const out = new Float32Array(count);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let b = 0; b < count / 32; b++) {
    const d = half(view.getUint16(b * 34, true));
    for (let j = 0; j < 32; j++) out[b * 32 + j] = d * view.getInt8(b * 34 + 2 + j);
  }
  return out;
}

/** block_q4_0: f16 d, u8 qs[16]; low nibbles are values 0..15, high nibbles 16..31; x = d·(q − 8). */
function decodeQ4_0(bytes: Uint8Array, count: number): Float32Array {
  const out = new Float32Array(count);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let b = 0; b < count / 32; b++) {
    const d = half(view.getUint16(b * 18, true));
    for (let j = 0; j < 16; j++) {
      const q = bytes[b * 18 + 2 + j]!;
      out[b * 32 + j] = d * ((q & 0x0f) - 8);
      out[b * 32 + j + 16] = d * ((q >> 4) - 8);
    }
  }
  return out;
}

/** get_scale_min_k4: the 6-bit scale and min of sub-block j from the 12 packed bytes at `at`. */
function scaleMinK4(j: number, q: Uint8Array, at: number): [number, number] {
  if (j < 4) return [q[at + j]! & 63, q[at + j + 4]! & 63];
  return [(q[at + j + 4]! & 0x0f) | ((q[at + j - 4]! >> 6) << 4), (q[at + j + 4]! >> 4) | ((q[at + j]! >> 6) << 4)];
}

/** block_q4_K (256 values): f16 d, f16 dmin, u8 scales[12], u8 qs[128]; x = d·sc·q − dmin·m per 32. */
function decodeQ4K(bytes: Uint8Array, count: number): Float32Array {
  const out = new Float32Array(count);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let y = 0;
  for (let b = 0; b < count / 256; b++) {
    const base = b * 144;
    const d = half(view.getUint16(base, true));
    const dmin = half(view.getUint16(base + 2, true));
    const scales = base + 4;
    let q = base + 16;
    for (let j = 0, is = 0; j < 256; j += 64, is += 2) {
      const [sc1, m1] = scaleMinK4(is, bytes, scales);
      const [sc2, m2] = scaleMinK4(is + 1, bytes, scales);
      const d1 = d * sc1, min1 = dmin * m1, d2 = d * sc2, min2 = dmin * m2;
      for (let l = 0; l < 32; l++) out[y++] = d1 * (bytes[q + l]! & 0x0f) - min1;
      for (let l = 0; l < 32; l++) out[y++] = d2 * (bytes[q + l]! >> 4) - min2;
      q += 32;
    }
  }
  return out;
}

/** block_q6_K (256 values): u8 ql[128], u8 qh[64], int8 scales[16], f16 d; x = d·sc·(q − 32). */
function decodeQ6K(bytes: Uint8Array, count: number): Float32Array {
  const out = new Float32Array(count);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let b = 0; b < count / 256; b++) {
    const base = b * 210;
    const d = half(view.getUint16(base + 208, true));
    for (let n = 0; n < 2; n++) {
      const ql = base + n * 64;
      const qh = base + 128 + n * 32;
      const sc = base + 192 + n * 8;
      const y = b * 256 + n * 128;
      for (let l = 0; l < 32; l++) {
        const is = l >> 4;
        const h = bytes[qh + l]!;
        const q1 = ((bytes[ql + l]! & 0x0f) | ((h & 3) << 4)) - 32;
        const q2 = ((bytes[ql + l + 32]! & 0x0f) | (((h >> 2) & 3) << 4)) - 32;
        const q3 = ((bytes[ql + l]! >> 4) | (((h >> 4) & 3) << 4)) - 32;
        const q4 = ((bytes[ql + l + 32]! >> 4) | (((h >> 6) & 3) << 4)) - 32;
        out[y + l] = d * view.getInt8(sc + is) * q1;
        out[y + l + 32] = d * view.getInt8(sc + is + 2) * q2;
        out[y + l + 64] = d * view.getInt8(sc + is + 4) * q3;
        out[y + l + 96] = d * view.getInt8(sc + is + 6) * q4;
      }
    }
  }
  return out;
}
