// The pre-tokenizers a byte-level BPE GGUF can name (tokenizer.ggml.pre) and the tokenizer.json
// pre_tokenizer each one is, so export names the one llama.cpp must use and import rebuilds the
// one Hugging Face tokenizers runs. Patterns as llama.cpp (src/llama-vocab.cpp) and the models'
// own tokenizer.json files spell them.

type Json = Record<string, unknown>;

const QWEN2_PATTERN =
  "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
const LLAMA3_PATTERN =
  "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

const byteLevel = (useRegex: boolean): Json => ({ type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: useRegex });
const splitThenBytes = (pattern: string): Json => ({
  type: 'Sequence',
  pretokenizers: [{ type: 'Split', pattern: { Regex: pattern }, behavior: 'Isolated', invert: false }, byteLevel(false)],
});

/** tokenizer.ggml.pre -> tokenizer.json's pre_tokenizer and normalizer. */
export const PRE_TOKENIZERS: Record<string, { preTokenizer: Json; normalizer: Json | null }> = {
  'gpt-2': { preTokenizer: byteLevel(true), normalizer: null },
  qwen2: { preTokenizer: splitThenBytes(QWEN2_PATTERN), normalizer: { type: 'NFC' } },
  'llama-bpe': { preTokenizer: splitThenBytes(LLAMA3_PATTERN), normalizer: null },
};

/** The tokenizer.ggml.pre name of a tokenizer.json pre_tokenizer, or null when llama.cpp has none that matches. */
export function preTokenizerName(preTokenizer: unknown): string | null {
  const p = preTokenizer as Json | null;
  if (!p || typeof p !== 'object') return null;
  if (p.type === 'ByteLevel') return p.use_regex !== false && p.add_prefix_space !== true ? 'gpt-2' : null;
  if (p.type !== 'Sequence' || !Array.isArray(p.pretokenizers) || p.pretokenizers.length !== 2) return null;
  const [split, bytes] = p.pretokenizers as Json[];
  if (split?.type !== 'Split' || bytes?.type !== 'ByteLevel' || bytes.use_regex !== false) return null;
  const pattern = (split.pattern as Json | undefined)?.Regex;
  if (pattern === QWEN2_PATTERN) return 'qwen2';
  if (pattern === LLAMA3_PATTERN) return 'llama-bpe';
  return null;
}
