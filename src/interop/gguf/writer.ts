// Writes a GGUF v3 file (the layout gguf-py's GGUFWriter writes): magic, version, tensor count,
// metadata count, the metadata, one info record per tensor (name, dims innermost first, type,
// offset), padding to general.alignment, then each tensor's bytes, each padded to the alignment.
// Little-endian throughout. @huggingface/gguf (the maintained parser Attune reads with) can
// serialise metadata but not tensor infos or data, so the writer is this small module.
import { GGUF_DEFAULT_ALIGNMENT, GGUF_MAGIC, GGUF_VERSION, GgmlType, ValueType } from './constants';

export type MetadataValue =
  | { type: ValueType.STRING; value: string }
  | { type: ValueType.UINT32 | ValueType.INT32 | ValueType.FLOAT32; value: number }
  | { type: ValueType.BOOL; value: boolean }
  | { type: ValueType.ARRAY; subType: ValueType.STRING; value: readonly string[] }
  | { type: ValueType.ARRAY; subType: ValueType.INT32 | ValueType.UINT32 | ValueType.FLOAT32; value: ArrayLike<number> };

export const str = (value: string): MetadataValue => ({ type: ValueType.STRING, value });
export const u32 = (value: number): MetadataValue => ({ type: ValueType.UINT32, value });
export const f32 = (value: number): MetadataValue => ({ type: ValueType.FLOAT32, value });
export const bool = (value: boolean): MetadataValue => ({ type: ValueType.BOOL, value });
export const strings = (value: readonly string[]): MetadataValue => ({ type: ValueType.ARRAY, subType: ValueType.STRING, value });
export const i32s = (value: ArrayLike<number>): MetadataValue => ({ type: ValueType.ARRAY, subType: ValueType.INT32, value });

export interface GgufTensor {
  name: string;
  /** Row-major shape as PyTorch/NumPy write it ([out, in] for a linear weight); GGUF stores it reversed. */
  shape: readonly number[];
  type: GgmlType;
  /** The encoded bytes (see encode.ts). */
  data: Uint8Array;
}

/** A growable little-endian byte buffer for the header. */
class ByteSink {
  private buffer = new Uint8Array(1 << 16);
  private view = new DataView(this.buffer.buffer);
  length = 0;

  private reserve(n: number): void {
    if (this.length + n <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buffer.subarray(0, this.length));
    this.buffer = next;
    this.view = new DataView(next.buffer);
  }

  u32(v: number): void {
    this.reserve(4);
    this.view.setUint32(this.length, v, true);
    this.length += 4;
  }
  i32(v: number): void {
    this.reserve(4);
    this.view.setInt32(this.length, v, true);
    this.length += 4;
  }
  f32(v: number): void {
    this.reserve(4);
    this.view.setFloat32(this.length, v, true);
    this.length += 4;
  }
  u64(v: number): void {
    this.reserve(8);
    this.view.setBigUint64(this.length, BigInt(v), true);
    this.length += 8;
  }
  u8(v: number): void {
    this.reserve(1);
    this.buffer[this.length++] = v;
  }
  bytes(b: Uint8Array): void {
    this.reserve(b.length);
    this.buffer.set(b, this.length);
    this.length += b.length;
  }
  string(s: string): void {
    const b = new TextEncoder().encode(s);
    this.u64(b.length);
    this.bytes(b);
  }
  padTo(alignment: number): void {
    const pad = (alignment - (this.length % alignment)) % alignment;
    this.reserve(pad);
    this.length += pad; // the buffer starts zeroed and only grows: the padding is zeros
  }
  result(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }
}

function writeValue(sink: ByteSink, entry: MetadataValue): void {
  switch (entry.type) {
    case ValueType.STRING:
      return sink.string(entry.value);
    case ValueType.UINT32:
      return sink.u32(entry.value);
    case ValueType.INT32:
      return sink.i32(entry.value);
    case ValueType.FLOAT32:
      return sink.f32(entry.value);
    case ValueType.BOOL:
      return sink.u8(entry.value ? 1 : 0);
    case ValueType.ARRAY: {
      sink.u32(entry.subType);
      sink.u64(entry.value.length);
      if (entry.subType === ValueType.STRING) {
        for (const s of entry.value as readonly string[]) sink.string(s);
      } else {
        const write = entry.subType === ValueType.INT32 ? sink.i32 : entry.subType === ValueType.UINT32 ? sink.u32 : sink.f32;
        const values = entry.value as ArrayLike<number>;
        for (let i = 0; i < values.length; i++) write.call(sink, values[i]!);
      }
    }
  }
}

const align = (n: number, alignment: number) => Math.ceil(n / alignment) * alignment;

/**
 * The whole file as parts (header, then each tensor's padded data), ready for a Blob or a file
 * write without one more copy of the weights. general.alignment is written first.
 */
export function writeGguf(metadata: ReadonlyMap<string, MetadataValue>, tensors: readonly GgufTensor[]): Uint8Array[] {
  const alignment = GGUF_DEFAULT_ALIGNMENT;
  const sink = new ByteSink();
  sink.u32(GGUF_MAGIC);
  sink.u32(GGUF_VERSION);
  sink.u64(tensors.length);
  const entries = [['general.alignment', u32(alignment)] as const, ...[...metadata].filter(([key]) => key !== 'general.alignment')];
  sink.u64(entries.length);
  for (const [key, value] of entries) {
    sink.string(key);
    sink.u32(value.type);
    writeValue(sink, value);
  }
  let offset = 0;
  for (const tensor of tensors) {
    sink.string(tensor.name);
    sink.u32(tensor.shape.length);
    for (let d = tensor.shape.length - 1; d >= 0; d--) sink.u64(tensor.shape[d]!);
    sink.u32(tensor.type);
    sink.u64(offset);
    offset += align(tensor.data.length, alignment);
  }
  sink.padTo(alignment);
  const parts = [sink.result()];
  for (const tensor of tensors) {
    parts.push(tensor.data);
    const pad = align(tensor.data.length, alignment) - tensor.data.length;
    if (pad > 0) parts.push(new Uint8Array(pad));
  }
  return parts;
}

export function concatParts(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
