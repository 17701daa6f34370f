// float32 values -> the bytes of a ggml tensor type, for export: F32, F16 (round to nearest even,
// as NumPy's astype(float16)) and Q8_0 (ggml's block_q8_0: per 32 values an f16 scale
// d = max|x| / 127 and 32 int8 q = round(x / d), rounding half away from zero as C's roundf;
// gguf-py's quants.py computes 1/d from the float32 d before rounding d to f16, and so does this).
import { GgmlType } from './constants';

/** float32 -> IEEE half bits, rounding to nearest even; overflow becomes infinity. */
export function floatToHalfBits(value: number): number {
  const bits = new Uint32Array(new Float32Array([value]).buffer)[0]!;
  return floatBitsToHalf(bits);
}

function floatBitsToHalf(x: number): number {
  const sign = (x >>> 16) & 0x8000;
  const rawExp = (x >>> 23) & 0xff;
  const mant = x & 0x7fffff;
  if (rawExp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const exp = rawExp - 127 + 15;
  if (exp >= 31) return sign | 0x7c00;
  if (exp <= 0) {
    if (exp < -10) return sign;
    const m = (mant | 0x800000) >>> 0;
    const shift = 14 - exp;
    const half = m >>> shift;
    const rest = m & ((1 << shift) - 1);
    const midpoint = 1 << (shift - 1);
    return sign | (rest > midpoint || (rest === midpoint && half & 1) ? half + 1 : half);
  }
  let h = sign | (exp << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && h & 1)) h += 1; // a carry into the exponent is still correct
  return h;
}

export function encodeF32(values: Float32Array): Uint8Array {
  return new Uint8Array(values.slice().buffer);
}

export function encodeF16(values: Float32Array): Uint8Array {
  const words = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = floatBitsToHalf(words[i]!);
  return new Uint8Array(out.buffer);
}

/** C's roundf: half away from zero (Math.round rounds half up). */
const roundf = (x: number) => Math.sign(x) * Math.floor(Math.abs(x) + 0.5);

export const Q8_0_BLOCK = 32;

/** ggml block_q8_0 for each run of 32 values; values.length must be a multiple of 32. */
export function encodeQ8_0(values: Float32Array): Uint8Array {
  if (values.length % Q8_0_BLOCK !== 0) throw new RangeError(`Q8_0 needs a multiple of 32 values, got ${values.length}`);
  const blocks = values.length / Q8_0_BLOCK;
  const out = new Uint8Array(blocks * 34);
  const view = new DataView(out.buffer);
  for (let b = 0; b < blocks; b++) {
    const start = b * Q8_0_BLOCK;
    let amax = 0;
    for (let j = 0; j < Q8_0_BLOCK; j++) amax = Math.max(amax, Math.abs(values[start + j]!));
    const d = Math.fround(amax / 127);
    const id = d === 0 ? 0 : Math.fround(1 / d);
    view.setUint16(b * 34, floatToHalfBits(d), true);
    for (let j = 0; j < Q8_0_BLOCK; j++) view.setInt8(b * 34 + 2 + j, roundf(Math.fround(values[start + j]! * id)));
  }
  return out;
}

export function encode(values: Float32Array, type: GgmlType.F32 | GgmlType.F16 | GgmlType.Q8_0): Uint8Array {
  if (type === GgmlType.F32) return encodeF32(values);
  if (type === GgmlType.F16) return encodeF16(values);
  return encodeQ8_0(values);
}
