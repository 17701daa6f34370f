// The safetensors format: 8-byte little-endian header length N, N bytes of JSON
// {name: {dtype, shape, data_offsets: [begin, end]}, __metadata__?}, then the raw data.
// Reading is I/O-free (bytes in, Float32Arrays out); F16 and BF16 widen to F32 on load.
// Loading a model reads the raw tensors instead (readCheckpointRaw): views into the file's bytes,
// decoded one tensor at a time as they are placed, so no float32 copy of the whole file exists.
import { CorruptModelFileError, MissingModelFileError, UnsupportedModelError } from './errors';
import { firstNonFiniteWord, halfTable, type HalfDtype } from './widen';

export { halfTable } from './widen';

export type SafetensorsDtype = 'F32' | 'F16' | 'BF16';

/** One tensor decoded to float32, in row-major order. */
export interface HostTensor {
  shape: number[];
  data: Float32Array;
}

export interface SafetensorsFile {
  tensors: Map<string, HostTensor>;
  metadata: Record<string, string>;
  /** The dtype each tensor had on disk (before widening). */
  dtypes: Map<string, SafetensorsDtype>;
}

const BYTES_PER_ELEMENT: Record<SafetensorsDtype, number> = { F32: 4, F16: 2, BF16: 2 };
/** Headers are small JSON; anything larger is corruption, not a real header. */
const MAX_HEADER_BYTES = 100 * 1024 * 1024;

interface HeaderEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

/** One tensor as stored: a view into the file's bytes (not a copy), with its on-disk dtype. */
export interface RawTensor {
  shape: number[];
  dtype: SafetensorsDtype;
  bytes: Uint8Array;
  /** The file it came from, for messages. */
  fileName: string;
}

/**
 * Parses one .safetensors file. Throws CorruptModelFileError for any structural problem, checking
 * the whole header against the file's size before decoding (allocating) any tensor.
 */
export function readSafetensors(bytes: Uint8Array, fileName = 'model.safetensors'): SafetensorsFile {
  const raw = readSafetensorsRaw(bytes, fileName);
  const tensors = new Map<string, HostTensor>();
  const dtypes = new Map<string, SafetensorsDtype>();
  for (const [name, tensor] of raw.tensors) {
    // A copy: the caller's buffer must not be aliased by tensors it may keep.
    tensors.set(name, { shape: tensor.shape, data: rawToFloat32(name, tensor, true) });
    dtypes.set(name, tensor.dtype);
  }
  return { tensors, metadata: raw.metadata, dtypes };
}

/** The header checked against the file, and every tensor as a view into `bytes` (nothing decoded). */
export function readSafetensorsRaw(bytes: Uint8Array, fileName = 'model.safetensors'): { tensors: Map<string, RawTensor>; metadata: Record<string, string> } {
  const { header, dataStart } = readHeader(bytes, fileName);
  const dataLength = bytes.length - dataStart;
  let metadata: Record<string, string> = {};
  const entries: [string, HeaderEntry][] = [];
  for (const [name, value] of Object.entries(header)) {
    if (name === '__metadata__') metadata = (value ?? {}) as Record<string, string>;
    else entries.push([name, checkEntry(name, value, dataLength, fileName)]);
  }
  checkLayout(entries, dataLength, fileName);
  const tensors = new Map<string, RawTensor>();
  for (const [name, entry] of entries) {
    const view = bytes.subarray(dataStart + entry.data_offsets[0], dataStart + entry.data_offsets[1]);
    tensors.set(name, { shape: entry.shape, dtype: entry.dtype as SafetensorsDtype, bytes: view, fileName });
  }
  return { tensors, metadata };
}

/**
 * A raw tensor's values as float32. `copy` false: an aligned F32 tensor is returned as a view into
 * the file's bytes (for data uploaded at once and never kept). A NaN or infinite weight turns every
 * logit it touches into NaN: it is refused here, by name, rather than let generation print nothing
 * or training diverge at step 1.
 */
export function rawToFloat32(name: string, tensor: RawTensor, copy: boolean): Float32Array {
  const data = decode(tensor.bytes, tensor.dtype, copy);
  checkFinite(name, tensor.fileName, data);
  return data;
}

export function checkFinite(name: string, fileName: string, data: Float32Array): void {
  const bad = firstNonFinite(data);
  if (bad >= 0) throw nonFiniteError(name, fileName, bad);
}

/** The raw 16-bit words of an F16/BF16 tensor (a view when aligned), after the finiteness check. */
export function rawHalfWords(name: string, tensor: RawTensor): Uint16Array {
  const words = halfWordsOf(tensor);
  const bad = firstNonFiniteWord(words, tensor.dtype as HalfDtype);
  if (bad >= 0) throw nonFiniteError(name, tensor.fileName, bad);
  return words;
}

/** The raw 16-bit words of an F16/BF16 tensor, unchecked: a view when aligned, else a copy. */
export function halfWordsOf(tensor: RawTensor): Uint16Array {
  const { bytes } = tensor;
  return bytes.byteOffset % 2 === 0 ? new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.length / 2) : new Uint16Array(copyBytes(bytes).buffer, 0, bytes.length / 2);
}

/** The error for a NaN or infinite weight, naming the file, the tensor and the first bad element. */
export function nonFiniteError(name: string, fileName: string, element: number): CorruptModelFileError {
  return new CorruptModelFileError(fileName, `tensor "${name}" holds NaN or infinite values (first at element ${element})`);
}

/**
 * As the reference implementation (Python `safetensors`) validates: sorted by offset, each tensor
 * starts where the previous one ends, and together they cover the whole data section. Overlaps
 * would alias weights; gaps or trailing bytes mean the header and the data do not belong together.
 */
function checkLayout(entries: readonly [string, HeaderEntry][], dataLength: number, fileName: string): void {
  const sorted = [...entries].sort(([, a], [, b]) => a.data_offsets[0] - b.data_offsets[0] || a.data_offsets[1] - b.data_offsets[1]);
  let end = 0;
  let previous = '';
  for (const [name, entry] of sorted) {
    const begin = entry.data_offsets[0];
    if (begin < end) {
      throw new CorruptModelFileError(fileName, `tensor "${name}" starts at byte ${begin}, inside the previous tensor "${previous}" (which ends at byte ${end})`);
    }
    if (begin > end) throw new CorruptModelFileError(fileName, `${begin - end} unused bytes before tensor "${name}" (data offsets must be contiguous)`);
    end = entry.data_offsets[1];
    previous = name;
  }
  if (end !== dataLength) {
    throw new CorruptModelFileError(fileName, `the tensors cover ${end} of the ${dataLength} data bytes`);
  }
}

function firstNonFinite(data: Float32Array): number {
  for (let i = 0; i < data.length; i++) {
    // x - x is 0 for every finite x and NaN for NaN and ±Infinity: one comparison per element.
    const v = data[i]!;
    if (v - v !== 0) return i;
  }
  return -1;
}

function readHeader(bytes: Uint8Array, fileName: string): { header: Record<string, unknown>; dataStart: number } {
  if (bytes.length < 8) throw new CorruptModelFileError(fileName, `only ${bytes.length} bytes, shorter than the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (headerLength > MAX_HEADER_BYTES || 8 + headerLength > bytes.length) {
    throw new CorruptModelFileError(fileName, `header length ${headerLength} exceeds the file size ${bytes.length}`);
  }
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
  } catch (e) {
    throw new CorruptModelFileError(fileName, `header is not valid JSON (${(e as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new CorruptModelFileError(fileName, 'header is not a JSON object');
  }
  return { header: header as Record<string, unknown>, dataStart: 8 + headerLength };
}

function checkEntry(name: string, value: unknown, dataLength: number, fileName: string): HeaderEntry {
  const entry = value as Partial<HeaderEntry> | null;
  const offsets = entry?.data_offsets;
  const shape = entry?.shape;
  if (!entry || !Array.isArray(shape) || !Array.isArray(offsets) || offsets.length !== 2 || typeof entry.dtype !== 'string') {
    throw new CorruptModelFileError(fileName, `tensor "${name}" has a malformed header entry`);
  }
  if (!(entry.dtype in BYTES_PER_ELEMENT)) {
    throw new UnsupportedModelError(`tensor "${name}" in ${fileName} has dtype ${entry.dtype}; convert the weights to F32, F16 or BF16`);
  }
  const [begin, end] = offsets;
  if (!shape.every(isNonNegativeInt) || !isNonNegativeInt(begin) || !isNonNegativeInt(end) || begin > end) {
    throw new CorruptModelFileError(fileName, `tensor "${name}" has invalid shape or offsets`);
  }
  if (end > dataLength) {
    throw new CorruptModelFileError(fileName, `tensor "${name}" ends at byte ${end} but the data section has ${dataLength} bytes`);
  }
  const expectedBytes = shape.reduce((a, b) => a * b, 1) * BYTES_PER_ELEMENT[entry.dtype as SafetensorsDtype];
  if (end - begin !== expectedBytes) {
    throw new CorruptModelFileError(fileName, `tensor "${name}" occupies ${end - begin} bytes, its shape needs ${expectedBytes}`);
  }
  return entry as HeaderEntry;
}

function isNonNegativeInt(v: unknown): v is number {
  return Number.isInteger(v) && (v as number) >= 0;
}

function decode(raw: Uint8Array, dtype: SafetensorsDtype, copy: boolean): Float32Array {
  if (dtype === 'F32') {
    if (!copy && raw.byteOffset % 4 === 0) return new Float32Array(raw.buffer, raw.byteOffset, raw.length / 4);
    return new Float32Array(copyBytes(raw).buffer, 0, raw.length / 4);
  }
  // Widening makes a new array either way; only an unaligned slice needs copying first.
  const halves = raw.byteOffset % 2 === 0 ? new Uint16Array(raw.buffer, raw.byteOffset, raw.length / 2) : new Uint16Array(copyBytes(raw).buffer, 0, raw.length / 2);
  return dtype === 'F16' ? f16ToF32(halves) : bf16ToF32(halves);
}

/** Not raw.slice(): on a Node Buffer that is a view into a shared pool, not a copy. */
function copyBytes(raw: Uint8Array): Uint8Array {
  const copy = new Uint8Array(raw.length);
  copy.set(raw);
  return copy;
}

/** bfloat16 is the top half of a float32. */
export function bf16ToF32(halves: Uint16Array): Float32Array {
  // Int32Array: `h << 16` is a signed 32-bit integer, stored without a conversion to unsigned.
  const bits = new Int32Array(halves.length);
  for (let i = 0; i < halves.length; i++) bits[i] = halves[i]! << 16;
  return new Float32Array(bits.buffer);
}

/** IEEE half precision -> single precision, including subnormals, infinities and NaN. */
export function f16ToF32(halves: Uint16Array): Float32Array {
  const table = halfTable();
  const out = new Float32Array(halves.length);
  for (let i = 0; i < halves.length; i++) out[i] = table[halves[i]!]!;
  return out;
}

// ---- sharded checkpoints --------------------------------------------------------------------

export const SHARD_INDEX_FILE = 'model.safetensors.index.json';

/**
 * Reads all weights of a checkpoint: `model.safetensors`, or the shards named in
 * `model.safetensors.index.json`. `files` maps file name -> bytes.
 */
export function readCheckpoint(files: ReadonlyMap<string, Uint8Array>): Map<string, HostTensor> {
  const tensors = new Map<string, HostTensor>();
  for (const [name, raw] of readCheckpointRaw(files)) tensors.set(name, { shape: raw.shape, data: rawToFloat32(name, raw, true) });
  return tensors;
}

/** As readCheckpoint, with every tensor left as a view into its file (decode with rawToFloat32). */
export function readCheckpointRaw(files: ReadonlyMap<string, Uint8Array>): Map<string, RawTensor> {
  const index = files.get(SHARD_INDEX_FILE);
  if (!index) {
    const single = files.get('model.safetensors');
    if (!single) throw new MissingModelFileError('model.safetensors', `Provide it or ${SHARD_INDEX_FILE} with its shards.`);
    return readSafetensorsRaw(single, 'model.safetensors').tensors;
  }
  const weightMap = parseShardIndex(index);
  const tensors = new Map<string, RawTensor>();
  for (const shard of new Set(Object.values(weightMap))) {
    const bytes = files.get(shard);
    if (!bytes) throw new MissingModelFileError(shard, `${SHARD_INDEX_FILE} lists it as a shard.`);
    for (const [name, tensor] of readSafetensorsRaw(bytes, shard).tensors) {
      if (weightMap[name] === shard) tensors.set(name, tensor);
    }
  }
  for (const [name, shard] of Object.entries(weightMap)) {
    if (!tensors.has(name)) throw new CorruptModelFileError(shard, `it lacks tensor "${name}" that ${SHARD_INDEX_FILE} places there`);
  }
  return tensors;
}

function parseShardIndex(bytes: Uint8Array): Record<string, string> {
  let parsed: { weight_map?: unknown };
  try {
    parsed = JSON.parse(new TextDecoder().decode(bytes)) as { weight_map?: unknown };
  } catch (e) {
    throw new CorruptModelFileError(SHARD_INDEX_FILE, `not valid JSON (${(e as Error).message})`);
  }
  const map = parsed?.weight_map;
  if (typeof map !== 'object' || map === null || !Object.values(map).every((v) => typeof v === 'string')) {
    throw new CorruptModelFileError(SHARD_INDEX_FILE, '"weight_map" must map tensor names to shard file names');
  }
  return map as Record<string, string>;
}

// ---- writer ---------------------------------------------------------------------------------

/** Serialises float32 tensors (adapter export). Keys are written in sorted order, like the reference. */
export function writeSafetensors(
  tensors: ReadonlyMap<string, HostTensor>,
  metadata: Record<string, string> = {},
): Uint8Array {
  const names = [...tensors.keys()].sort();
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const name of names) {
    const tensor = tensors.get(name)!;
    const size = tensor.shape.reduce((a, b) => a * b, 1);
    if (size !== tensor.data.length) {
      throw new RangeError(`writeSafetensors: "${name}" has ${tensor.data.length} values for shape [${tensor.shape.join(', ')}]`);
    }
    header[name] = { dtype: 'F32', shape: tensor.shape, data_offsets: [offset, offset + size * 4] };
    offset += size * 4;
  }
  const headerBytes = paddedHeader(JSON.stringify(header));
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let cursor = 8 + headerBytes.length;
  for (const name of names) {
    const data = tensors.get(name)!.data;
    out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), cursor);
    cursor += data.byteLength;
  }
  return out;
}

/** Pads the header with spaces so the data section starts 8-byte aligned (as the spec recommends). */
function paddedHeader(json: string): Uint8Array {
  const encoded = new TextEncoder().encode(json);
  const padded = Math.ceil(encoded.length / 8) * 8;
  const out = new Uint8Array(padded).fill(0x20);
  out.set(encoded);
  return out;
}
