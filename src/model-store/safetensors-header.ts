// Reads only the JSON header of a .safetensors file (8 + N bytes, never the weights), so a
// multi-gigabyte file can be checked and summarised without loading it into memory.
import { CorruptModelFileError } from '../model/errors';

const BYTES_PER_ELEMENT: Record<string, number> = {
  F32: 4,
  F16: 2,
  BF16: 2,
  F64: 8,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
};
const MAX_HEADER_BYTES = 100 * 1024 * 1024;

export interface SafetensorsSummary {
  parameterCount: number;
  /** Largest tensor by element count; the runtime widens to float32, so GPU bytes = elements × 4. */
  largestTensor: { name: string; elements: number } | null;
}

/** Anything with Blob's slice/arrayBuffer: a File, an OPFS file, or a Blob of fetched bytes. */
type Sliceable = Pick<Blob, 'size' | 'slice'>;

/** Checks the header and that the file is exactly as long as the header says (not truncated). */
export async function readSafetensorsSummary(file: Sliceable, fileName: string): Promise<SafetensorsSummary> {
  if (file.size < 8) throw new CorruptModelFileError(fileName, `only ${file.size} bytes`);
  const lengthBytes = new DataView(await file.slice(0, 8).arrayBuffer());
  const headerLength = Number(lengthBytes.getBigUint64(0, true));
  if (headerLength > MAX_HEADER_BYTES || 8 + headerLength > file.size) {
    throw new CorruptModelFileError(
      fileName,
      `not a safetensors file (header length ${headerLength}, file size ${file.size})`,
    );
  }
  const header = parseHeader(await file.slice(8, 8 + headerLength).text(), fileName);
  let parameterCount = 0;
  let dataEnd = 0;
  let largestTensor: SafetensorsSummary['largestTensor'] = null;
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const { elements, end } = checkEntry(name, entry, fileName);
    parameterCount += elements;
    dataEnd = Math.max(dataEnd, end);
    if (!largestTensor || elements > largestTensor.elements) largestTensor = { name, elements };
  }
  const expectedSize = 8 + headerLength + dataEnd;
  if (file.size !== expectedSize) {
    throw new CorruptModelFileError(
      fileName,
      `the file has ${file.size} bytes but its header describes ${expectedSize}`,
    );
  }
  return { parameterCount, largestTensor };
}

function parseHeader(text: string, fileName: string): Record<string, unknown> {
  try {
    const header: unknown = JSON.parse(text);
    if (typeof header === 'object' && header !== null && !Array.isArray(header))
      return header as Record<string, unknown>;
  } catch {
    // fall through to the common error
  }
  throw new CorruptModelFileError(fileName, 'the header is not a JSON object');
}

function checkEntry(name: string, value: unknown, fileName: string): { elements: number; end: number } {
  const entry = value as { dtype?: unknown; shape?: unknown; data_offsets?: unknown } | null;
  const shape = entry?.shape;
  const offsets = entry?.data_offsets;
  const width = typeof entry?.dtype === 'string' ? BYTES_PER_ELEMENT[entry.dtype] : undefined;
  if (!Array.isArray(shape) || !Array.isArray(offsets) || offsets.length !== 2 || width === undefined) {
    throw new CorruptModelFileError(fileName, `tensor "${name}" has a malformed header entry`);
  }
  const elements = shape.reduce((product: number, dim: unknown) => product * Number(dim), 1);
  const [begin, end] = offsets.map(Number) as [number, number];
  if (!Number.isSafeInteger(elements) || end - begin !== elements * width) {
    throw new CorruptModelFileError(fileName, `tensor "${name}" has inconsistent shape and offsets`);
  }
  return { elements, end };
}
