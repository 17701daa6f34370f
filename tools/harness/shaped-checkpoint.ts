// A random-weight Hugging Face checkpoint in a published shape, written straight from Node, for
// tests that need a real-size model without downloading one: config.json, a byte-level BPE
// tokenizer.json with the model's full vocabulary (made up, SmolLM2's special tokens at ids 0-2),
// tokenizer_config.json with a ChatML template, and model.safetensors in BF16 (as SmolLM2 ships).
// Weights are uniform with standard deviation 0.02, norms 1. Kept under .cache/ (git-ignored) so
// a rerun reuses it; the folder appears only once every file is complete.
import { closeSync, existsSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import { parseConfig } from '../../src/model/config';
import { expectedTensors } from '../../src/model/weights';

/** SmolLM2-135M(-Instruct)'s config.json, as published. */
export const SMOLLM2_135M_CONFIG = {
  architectures: ['LlamaForCausalLM'],
  model_type: 'llama',
  hidden_size: 576,
  intermediate_size: 1536,
  num_hidden_layers: 30,
  num_attention_heads: 9,
  num_key_value_heads: 3,
  max_position_embeddings: 8192,
  rms_norm_eps: 1e-5,
  rope_theta: 100000,
  hidden_act: 'silu',
  tie_word_embeddings: true,
  vocab_size: 49152,
  bos_token_id: 1,
  eos_token_id: 2,
  pad_token_id: 2,
  attention_bias: false,
  torch_dtype: 'bfloat16',
} as const;

export const CACHE_ROOT = resolve('.cache/shaped-checkpoints');
/** Bumped whenever what is written changes, so a stale cached folder is not reused. */
const FORMAT_VERSION = 3;
const SPECIAL_TOKENS = ['<|endoftext|>', '<|im_start|>', '<|im_end|>'];
const CHATML =
  "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

export interface ShapedCheckpoint {
  dir: string;
  /** The files a user would pick, full paths. */
  files: string[];
  /** Seconds spent writing it now; 0 when the cached copy was used. */
  generatedSeconds: number;
  /** Bytes of all files. */
  bytes: number;
}

/**
 * The checkpoint for `hfConfig` under .cache/, written first when it is not there yet. Its folder
 * is named `name` (a folder import names the model after it), inside a folder per content key.
 */
export function cachedShapedCheckpoint(name: string, hfConfig: Record<string, unknown>, root = CACHE_ROOT): ShapedCheckpoint {
  const key = createHash('sha256').update(JSON.stringify({ FORMAT_VERSION, hfConfig })).digest('hex').slice(0, 12);
  const home = join(root, key);
  const dir = join(home, name);
  let generatedSeconds = 0;
  if (!existsSync(join(dir, 'model.safetensors'))) {
    const started = performance.now();
    const partial = `${home}.partial-${process.pid}`;
    rmSync(partial, { recursive: true, force: true });
    writeShapedCheckpoint(join(partial, name), hfConfig);
    rmSync(home, { recursive: true, force: true });
    renameSync(partial, home);
    generatedSeconds = (performance.now() - started) / 1000;
  }
  const files = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'model.safetensors'].map((f) => join(dir, f));
  const bytes = files.reduce((sum, f) => sum + statSync(f).size, 0);
  return { dir, files, generatedSeconds, bytes };
}

/** Writes the four files of a random checkpoint with this config into `dir`. */
export function writeShapedCheckpoint(dir: string, hfConfig: Record<string, unknown>): void {
  const config = parseConfig(JSON.stringify(hfConfig));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'config.json'), JSON.stringify(hfConfig, null, 1));
  writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(byteLevelTokenizer(config.vocabSize)));
  writeFileSync(
    join(dir, 'tokenizer_config.json'),
    JSON.stringify({
      tokenizer_class: 'GPT2Tokenizer',
      bos_token: '<|im_start|>',
      eos_token: '<|im_end|>',
      pad_token: '<|im_end|>',
      unk_token: '<|endoftext|>',
      add_bos_token: false,
      clean_up_tokenization_spaces: false,
      model_max_length: config.maxPositions,
      chat_template: CHATML,
    }),
  );
  const tensors = expectedTensors(config).filter((spec) => !spec.optional);
  writeBf16Safetensors(
    join(dir, 'model.safetensors'),
    tensors.map((spec) => ({
      name: spec.name,
      shape: spec.shape,
      fill: spec.shape.length === 1 ? 'ones' : 'random',
      // The special tokens' rows of the (tied) embedding are 16 times smaller than the rest, so
      // greedy decoding does not pick them: with random weights <|im_end|> otherwise won at the
      // end of a chat prompt and every answer ended at once, empty.
      ...(spec.name === EMBEDDING ? { quietRows: SPECIAL_TOKENS.length } : {}),
    })),
  );
}

/** GPT-2's byte -> printable character map (the ByteLevel pre-tokenizer's alphabet). */
function bytesToUnicode(): string[] {
  const printable = (b: number) => (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
  const out: string[] = [];
  let extra = 0;
  for (let b = 0; b < 256; b++) out.push(String.fromCharCode(printable(b) ? b : 256 + extra++));
  return out;
}

/**
 * A byte-level BPE tokenizer with exactly `vocabSize` entries: the special tokens, the 256 byte
 * symbols, then two-symbol merges (ASCII letters and the space symbol first, the rest after).
 */
export function byteLevelTokenizer(vocabSize: number): Record<string, unknown> {
  const symbols = bytesToUnicode();
  const vocab: Record<string, number> = {};
  let size = 0;
  for (const token of [...SPECIAL_TOKENS, ...symbols]) vocab[token] = size++;
  // Lower-case letters, the space symbol (Ġ), upper case, digits, punctuation, then the rest.
  const rank = (symbol: string) => {
    const c = symbol.charCodeAt(0);
    if (c >= 97 && c <= 122) return 0;
    if (symbol === 'Ġ') return 1;
    if (c >= 65 && c <= 90) return 2;
    if (c >= 48 && c <= 57) return 3;
    if (c < 127) return 4;
    return 5;
  };
  const ordered = [...symbols].sort((a, b) => rank(a) - rank(b) || a.charCodeAt(0) - b.charCodeAt(0));
  const merges: [string, string][] = [];
  outer: for (const left of ordered) {
    for (const right of ordered) {
      if (size >= vocabSize) break outer;
      // A word starts with Ġ; it never follows another symbol inside a merge.
      if (right === 'Ġ') continue;
      merges.push([left, right]);
      vocab[left + right] = size++;
    }
  }
  if (size !== vocabSize) throw new RangeError(`could not make a vocabulary of ${vocabSize}`);
  const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true };
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIAL_TOKENS.map((content, id) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
    normalizer: null,
    pre_tokenizer: byteLevel,
    post_processor: byteLevel,
    decoder: byteLevel,
    model: { type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: null, end_of_word_suffix: null, fuse_unk: false, byte_fallback: false, ignore_merges: false, vocab, merges },
  };
}

const EMBEDDING = 'model.embed_tokens.weight';

interface TensorToWrite {
  name: string;
  shape: number[];
  fill: 'ones' | 'random';
  /** Leading rows (of shape[1] values) scaled by QUIET_SCALE. */
  quietRows?: number;
}

/** Elements converted per write: 16 MiB of float32 scratch. */
const CHUNK = 4 * 2 ** 20;
/** Half-width of a uniform distribution with standard deviation 0.02. */
const UNIFORM_HALF_WIDTH = 0.02 * Math.sqrt(3);
const BF16_ONE = 0x3f80;
/** A power of two, so the quiet rows are exactly the random values scaled in BF16. */
const QUIET_SCALE = 1 / 16;

/** safetensors with every tensor in BF16, written chunk by chunk (never the whole file in memory). */
function writeBf16Safetensors(file: string, tensors: readonly TensorToWrite[]): void {
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  let offset = 0;
  for (const t of tensors) {
    const bytes = t.shape.reduce((a, b) => a * b, 1) * 2;
    header[t.name] = { dtype: 'BF16', shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const padded = new Uint8Array(Math.ceil(json.length / 8) * 8).fill(0x20);
  padded.set(json);
  const prefix = new Uint8Array(8);
  new DataView(prefix.buffer).setBigUint64(0, BigInt(padded.length), true);
  const fd = openSync(file, 'w');
  try {
    writeSync(fd, prefix);
    writeSync(fd, padded);
    const floats = new Float32Array(CHUNK);
    const bits = new Uint32Array(floats.buffer);
    const out = new Uint16Array(CHUNK);
    let state = 0x9e3779b9; // xorshift32: fast, deterministic, plenty for random weights
    for (const t of tensors) {
      let left = t.shape.reduce((a, b) => a * b, 1);
      let quiet = (t.quietRows ?? 0) * (t.shape[1] ?? 1);
      while (left > 0) {
        const n = Math.min(left, CHUNK);
        if (t.fill === 'ones') out.fill(BF16_ONE, 0, n);
        else {
          for (let i = 0; i < n; i++) {
            state ^= state << 13;
            state ^= state >>> 17;
            state ^= state << 5;
            floats[i] = ((state >>> 0) / 4294967296 - 0.5) * 2 * UNIFORM_HALF_WIDTH;
          }
          for (let i = 0; i < Math.min(quiet, n); i++) floats[i] = floats[i]! * QUIET_SCALE;
          quiet -= Math.min(quiet, n);
          // float32 -> bfloat16, round to nearest even.
          for (let i = 0; i < n; i++) {
            const b = bits[i]!;
            out[i] = (b + 0x7fff + ((b >>> 16) & 1)) >>> 16;
          }
        }
        writeSync(fd, new Uint8Array(out.buffer, 0, n * 2));
        left -= n;
      }
    }
  } finally {
    closeSync(fd);
  }
}
