// Host passes that place checkpoint values into float32 arrays (a wasm heap view, when loading on
// tfjs-wasm): 16-bit words widened, nn.Linear weights transposed to [in, out], both in one pass,
// with the NaN/infinity check of the words folded into that pass (a separate scan of every word
// cost 0.2 s of a 135M model's load; folded, it is a mask, an add and an or per word).

/**
 * Tile edge of the host transposes: each output row is written 64 values at a time, in order,
 * from 64 input rows (measured here: about 2× faster than 32 × 32 tiles walked by input row).
 */
const TILE = 64;

export type HalfDtype = 'F16' | 'BF16';

/**
 * The exponent field of each 16-bit format (5 bits at 0x7c00 for F16, 8 at 0x7f80 for BF16) and its
 * lowest bit: `(word & mask) + low` reaches 0x8000 exactly when the exponent is all ones (NaN or
 * infinity), so or-ing that over a tensor and testing 0x8000 once checks every word.
 */
const EXPONENT: Record<HalfDtype, { mask: number; low: number }> = {
  F16: { mask: 0x7c00, low: 0x0400 },
  BF16: { mask: 0x7f80, low: 0x0080 },
};

/** Index of the first NaN or infinite word, or -1 (for the message once a pass found one). */
export function firstNonFiniteWord(words: Uint16Array, dtype: HalfDtype): number {
  const { mask } = EXPONENT[dtype];
  for (let i = 0; i < words.length; i++) if ((words[i]! & mask) === mask) return i;
  return -1;
}

/** [rows, cols] -> [cols, rows] into `out`; tiled so neither side strides far. */
export function transposeInto<T extends Float32Array | Uint16Array>(data: T, rows: number, cols: number, out: T): void {
  for (let c0 = 0; c0 < cols; c0 += TILE) {
    const c1 = Math.min(cols, c0 + TILE);
    for (let r0 = 0; r0 < rows; r0 += TILE) {
      const r1 = Math.min(rows, r0 + TILE);
      for (let c = c0; c < c1; c++) {
        let to = c * rows + r0;
        for (let from = r0 * cols + c, r = r0; r < r1; r++, from += cols) out[to++] = data[from]!;
      }
    }
  }
}

/** F16/BF16 words widened into `out` in order; false when a word is NaN or infinite. */
export function widenInto(words: Uint16Array, dtype: HalfDtype, out: Float32Array): boolean {
  const { mask, low } = EXPONENT[dtype];
  let flags = 0;
  if (dtype === 'BF16') {
    // bfloat16 is a float32's upper half; Int32Array keeps `w << 16` a plain 32-bit integer.
    const bits = new Int32Array(out.buffer, out.byteOffset, out.length);
    for (let i = 0; i < words.length; i++) {
      const w = words[i]!;
      flags |= (w & mask) + low;
      bits[i] = w << 16;
    }
  } else {
    const table = halfTable();
    for (let i = 0; i < words.length; i++) {
      const w = words[i]!;
      flags |= (w & mask) + low;
      out[i] = table[w]!;
    }
  }
  return (flags & 0x8000) === 0;
}

/** As transposeInto from F16/BF16 words, widening in the same pass; false when a word is NaN or infinite. */
export function widenTransposedInto(words: Uint16Array, rows: number, cols: number, dtype: HalfDtype, out: Float32Array): boolean {
  const { mask, low } = EXPONENT[dtype];
  const bits = new Int32Array(out.buffer, out.byteOffset, out.length);
  const table = halfTable();
  const bf16 = dtype === 'BF16';
  let flags = 0;
  for (let c0 = 0; c0 < cols; c0 += TILE) {
    const c1 = Math.min(cols, c0 + TILE);
    for (let r0 = 0; r0 < rows; r0 += TILE) {
      const r1 = Math.min(rows, r0 + TILE);
      for (let c = c0; c < c1; c++) {
        let to = c * rows + r0;
        if (bf16) {
          for (let from = r0 * cols + c, r = r0; r < r1; r++, from += cols) {
            const w = words[from]!;
            flags |= (w & mask) + low;
            bits[to++] = w << 16;
          }
        } else {
          for (let from = r0 * cols + c, r = r0; r < r1; r++, from += cols) {
            const w = words[from]!;
            flags |= (w & mask) + low;
            out[to++] = table[w]!;
          }
        }
      }
    }
  }
  return (flags & 0x8000) === 0;
}

let halfValues: Float32Array | null = null;

/** Every IEEE half bit pattern as float32 (a lookup is several times faster than the arithmetic). */
export function halfTable(): Float32Array {
  if (halfValues) return halfValues;
  halfValues = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) halfValues[h] = halfToFloat(h);
  return halfValues;
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 31) return fraction ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}
