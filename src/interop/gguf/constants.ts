// The numbers of the GGUF format and of ggml's tensor types, as llama.cpp defines them
// (gguf-py/gguf/constants.py, ggml/include/ggml.h). Only the ones Attune reads or writes.

export const GGUF_MAGIC = 0x46554747; // "GGUF" read as a little-endian u32
export const GGUF_VERSION = 3;
/** general.alignment's default: every tensor's data starts at a multiple of it. */
export const GGUF_DEFAULT_ALIGNMENT = 32;

/** Metadata value types. */
export enum ValueType {
  UINT8 = 0,
  INT8 = 1,
  UINT16 = 2,
  INT16 = 3,
  UINT32 = 4,
  INT32 = 5,
  FLOAT32 = 6,
  BOOL = 7,
  STRING = 8,
  ARRAY = 9,
  UINT64 = 10,
  INT64 = 11,
  FLOAT64 = 12,
}

/** ggml tensor types (ggml_type). */
export enum GgmlType {
  F32 = 0,
  F16 = 1,
  Q4_0 = 2,
  Q4_1 = 3,
  Q5_0 = 6,
  Q5_1 = 7,
  Q8_0 = 8,
  Q8_1 = 9,
  Q2_K = 10,
  Q3_K = 11,
  Q4_K = 12,
  Q5_K = 13,
  Q6_K = 14,
  Q8_K = 15,
  BF16 = 30,
}

/** Values per block and bytes per block of each type Attune reads or writes. */
export const BLOCK: Partial<Record<GgmlType, { values: number; bytes: number }>> = {
  [GgmlType.F32]: { values: 1, bytes: 4 },
  [GgmlType.F16]: { values: 1, bytes: 2 },
  [GgmlType.BF16]: { values: 1, bytes: 2 },
  [GgmlType.Q8_0]: { values: 32, bytes: 34 },
  [GgmlType.Q4_0]: { values: 32, bytes: 18 },
  [GgmlType.Q4_K]: { values: 256, bytes: 144 },
  [GgmlType.Q6_K]: { values: 256, bytes: 210 },
};

export function ggmlTypeName(type: number): string {
  return GgmlType[type] ?? `type ${type}`;
}

/** general.file_type (llama_ftype): what most of the weights are stored as. */
export const FILE_TYPE = { ALL_F32: 0, MOSTLY_F16: 1, MOSTLY_Q8_0: 7 } as const;

/** tokenizer.ggml.token_type values (llama_token_type). */
export enum TokenType {
  NORMAL = 1,
  UNKNOWN = 2,
  CONTROL = 3,
  USER_DEFINED = 4,
  UNUSED = 5,
  BYTE = 6,
}
