// Every bad input is refused cleanly: each row below feeds one broken model folder, safetensors
// file, tokenizer, dataset, adapter or flag to the real CLI (a child process) and checks that
// Attune exits non-zero with exactly one line on stderr that names what is wrong, prints no stack
// trace, changes none of its inputs, leaves nothing half-written where it would write, and does
// not spend time or memory on what a broken header claims. A few positive rows (a UTF-8 BOM and
// CRLF line endings, a valid adapter folder and zip) prove the table is not refusing everything.
// docs/reliability.md ("Bad inputs (CLI)") lists the same rows.
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { afterAll, describe, expect, test } from 'vitest';
import { readSafetensors, writeSafetensors, type HostTensor } from '../../../src/model/safetensors';
import { METHOD_NAMES } from '../../../src/tuning/registry';
import { attune, FIXTURES } from './spawn-cli';

type Category = 'model folder' | 'safetensors' | 'tokenizer' | 'dataset' | 'adapter' | 'flags';

interface Paths {
  /** A fresh folder for this row's inputs. */
  dir: string;
  /** Where the row's command would write (inside the row's folder, not created beforehand). */
  out: string;
}

interface Row {
  category: Category;
  /** The bad input, in words (also the test name). */
  input: string;
  /** Writes the row's input files under `paths.dir` and returns the command line. */
  setup(paths: Paths): string[];
  /** What the one stderr line must say (the file, field, flag or line it names). */
  says: RegExp;
}

/** Seconds a row may take: refusing is cheap, and nothing may size itself from a header first. */
const ROW_TIMEOUT_MS = 30_000;
const GPT2 = join(FIXTURES, 'tiny-gpt2');
const ROWS_ROOT = mkdtempSync(join(tmpdir(), 'attune-bad-inputs-'));
afterAll(() => rmSync(ROWS_ROOT, { recursive: true, force: true }));

// ---- fixture builders ---------------------------------------------------------------------------

/** Copies a fixture model (without its golden outputs) into `dir/name`; returns the folder. */
function copyModel(dir: string, fixture = 'tiny-gpt2', name = 'model'): string {
  const to = join(dir, name);
  mkdirSync(to);
  for (const file of readdirSync(join(FIXTURES, fixture))) {
    if (file !== 'golden.json') copyFileSync(join(FIXTURES, fixture, file), join(to, file));
  }
  return to;
}

function editJson(path: string, edit: (json: Record<string, unknown>) => void): void {
  const json = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  edit(json);
  writeFileSync(path, JSON.stringify(json));
}

/** A copy of tiny-gpt2 with config.json edited. */
function modelWithConfig(dir: string, edit: (json: Record<string, unknown>) => void): string {
  const model = copyModel(dir);
  editJson(join(model, 'config.json'), edit);
  return model;
}

/** A copy of tiny-gpt2 whose weights are rewritten (decoded, edited, re-encoded as F32). */
function modelWithTensors(dir: string, edit: (tensors: Map<string, HostTensor>) => void): string {
  const model = copyModel(dir);
  const path = join(model, 'model.safetensors');
  const tensors = readSafetensors(readFileSync(path)).tensors;
  edit(tensors);
  writeFileSync(path, writeSafetensors(tensors));
  return model;
}

/** A copy of tiny-gpt2 whose model.safetensors is these bytes. */
function modelWithWeightBytes(dir: string, bytes: Uint8Array): string {
  const model = copyModel(dir);
  writeFileSync(join(model, 'model.safetensors'), bytes);
  return model;
}

/** Hand-made safetensors bytes: a header (any JSON) and `dataBytes` bytes of data. */
function rawSafetensors(header: unknown, dataBytes: number): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + dataBytes);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  return out;
}

const f32 = (shape: number[], begin: number) => ({
  dtype: 'F32',
  shape,
  data_offsets: [begin, begin + shape.reduce((a, b) => a * b, 1) * 4],
});

function jsonlFile(dir: string, lines: readonly unknown[], name = 'data.jsonl'): string {
  const path = join(dir, name);
  writeFileSync(path, lines.map((line) => (typeof line === 'string' ? line : JSON.stringify(line))).join('\n') + '\n');
  return path;
}

const GOOD = { instruction: 'Say hi', output: 'hi there' };

function train(model: string, data: string, out: string, ...more: string[]): string[] {
  return ['train', '--model', model, '--data', data, '--out', out, '--steps', '1', '--quiet', ...more];
}

function trainFlags(paths: Paths, ...flags: string[]): string[] {
  return ['train', '--model', GPT2, '--data', jsonlFile(paths.dir, [GOOD]), '--out', paths.out, '--quiet', ...flags];
}

function generateFlags(...flags: string[]): string[] {
  return ['generate', '--model', GPT2, '--prompt', 'hi', '--max-tokens', '2', ...flags];
}

/** LoRA on tiny-gpt2's attn.c_attn (in 32, out 96), r 2, in PEFT's layout; `width` makes it fit another model. */
function loraFiles(options: { config?: Record<string, unknown>; width?: number; edit?: (t: Map<string, HostTensor>) => void } = {}): Map<string, Uint8Array> {
  const width = options.width ?? 32;
  const config = {
    peft_type: 'LORA',
    task_type: 'CAUSAL_LM',
    base_model_name_or_path: '',
    r: 2,
    lora_alpha: 4,
    lora_dropout: 0,
    target_modules: ['attn.c_attn'],
    fan_in_fan_out: true,
    bias: 'none',
    ...options.config,
  };
  const tensors = new Map<string, HostTensor>();
  const filled = (shape: number[]) => ({ shape, data: Float32Array.from({ length: shape[0]! * shape[1]! }, (_, i) => Math.sin(i) / 10) });
  for (const layer of [0, 1]) {
    tensors.set(`base_model.model.transformer.h.${layer}.attn.c_attn.lora_A.weight`, filled([2, width]));
    tensors.set(`base_model.model.transformer.h.${layer}.attn.c_attn.lora_B.weight`, filled([3 * width, 2]));
  }
  options.edit?.(tensors);
  return new Map([
    ['adapter_config.json', new TextEncoder().encode(JSON.stringify(config))],
    ['adapter_model.safetensors', writeSafetensors(tensors)],
  ]);
}

function adapterDir(dir: string, files: Map<string, Uint8Array>, edit?: (files: Map<string, Uint8Array>) => void): string {
  edit?.(files);
  const to = join(dir, 'adapter');
  mkdirSync(to);
  for (const [name, bytes] of files) writeFileSync(join(to, name), bytes);
  return to;
}

function withAdapter(adapter: string): string[] {
  return ['logits', '--model', GPT2, '--prompt', 'hello', '--adapter', adapter];
}

// ---- the table ----------------------------------------------------------------------------------

const ROWS: Row[] = [
  // model folders and config.json
  { category: 'model folder', input: 'model folder does not exist', setup: ({ dir }) => ['info', '--model', join(dir, 'nope')], says: /No model folder at .*nope/ },
  { category: 'model folder', input: 'model path is a regular file', setup: ({ dir }) => ['info', '--model', jsonlFile(dir, [GOOD])], says: /No model folder at .*data\.jsonl/ },
  { category: 'model folder', input: 'config.json missing', setup: ({ dir }) => { const m = copyModel(dir); rmSync(join(m, 'config.json')); return ['info', '--model', m]; }, says: /missing config\.json/ },
  { category: 'model folder', input: 'model.safetensors missing', setup: ({ dir }) => { const m = copyModel(dir); rmSync(join(m, 'model.safetensors')); return ['info', '--model', m]; }, says: /missing model\.safetensors/ },
  { category: 'model folder', input: 'tokenizer.json missing (generate needs it)', setup: ({ dir }) => { const m = copyModel(dir); rmSync(join(m, 'tokenizer.json')); return ['generate', '--model', m, '--prompt', 'hi']; }, says: /no tokenizer\.json, so text prompts cannot be encoded; add the tokenizer\.json/ },
  { category: 'model folder', input: 'config.json is not JSON', setup: ({ dir }) => { const m = copyModel(dir); writeFileSync(join(m, 'config.json'), '{"model_type": "gpt2",'); return ['info', '--model', m]; }, says: /config\.json is invalid: not JSON/ },
  { category: 'model folder', input: 'config.json is a JSON array', setup: ({ dir }) => { const m = copyModel(dir); writeFileSync(join(m, 'config.json'), '[1, 2]'); return ['info', '--model', m]; }, says: /config\.json is invalid: expected a JSON object/ },
  { category: 'model folder', input: 'config.json lacks model_type', setup: ({ dir }) => ['info', '--model', modelWithConfig(dir, (c) => delete c.model_type)], says: /config\.json is invalid: "model_type" is missing/ },
  { category: 'model folder', input: 'config.json lacks n_embd', setup: ({ dir }) => ['info', '--model', modelWithConfig(dir, (c) => delete c.n_embd)], says: /config\.json is invalid: "n_embd" is missing/ },
  { category: 'model folder', input: 'negative layer count (n_layer -2)', setup: ({ dir }) => ['info', '--model', modelWithConfig(dir, (c) => (c.n_layer = -2))], says: /"n_layer" must be positive, got -2/ },
  { category: 'model folder', input: 'zero heads (n_head 0)', setup: ({ dir }) => ['info', '--model', modelWithConfig(dir, (c) => (c.n_head = 0))], says: /"n_head" must be positive, got 0/ },
  { category: 'model folder', input: 'hidden size not divisible by heads (n_embd 30, n_head 4)', setup: ({ dir }) => ['info', '--model', modelWithConfig(dir, (c) => (c.n_embd = 30))], says: /n_embd 30 is not divisible by n_head 4/ },
  { category: 'model folder', input: 'fractional hidden size (n_embd 32.5)', setup: ({ dir }) => ['info', '--model', modelWithConfig(dir, (c) => (c.n_embd = 32.5))], says: /"n_embd" must be an integer, got 32\.5/ },
  { category: 'model folder', input: '1e12 layers', setup: ({ dir }) => ['info', '--model', modelWithConfig(dir, (c) => (c.n_layer = 1e12))], says: /"n_layer" is 1000000000000, more than .* supports/ },
  { category: 'model folder', input: '1e12 vocabulary entries', setup: ({ dir }) => ['info', '--model', modelWithConfig(dir, (c) => (c.vocab_size = 1e12))], says: /"vocab_size" is 1000000000000, more than .* supports/ },
  { category: 'model folder', input: 'query heads not a multiple of key/value heads (Llama 4 / 3)', setup: ({ dir }) => { const m = copyModel(dir, 'tiny-llama'); editJson(join(m, 'config.json'), (c) => (c.num_key_value_heads = 3)); return ['info', '--model', m]; }, says: /num_attention_heads 4 is not a multiple of num_key_value_heads 3/ },
  { category: 'model folder', input: 'unsupported family (model_type "bert")', setup: ({ dir }) => ['info', '--model', modelWithConfig(dir, (c) => (c.model_type = 'bert'))], says: /Unsupported model: model_type "bert"/ },
  { category: 'model folder', input: 'sharded checkpoint with a shard missing', setup: ({ dir }) => { const m = copyModel(dir, 'tiny-llama-bf16-sharded'); rmSync(join(m, 'model-00002-of-00002.safetensors')); return ['info', '--model', m]; }, says: /missing model-00002-of-00002\.safetensors/ },

  // safetensors
  { category: 'safetensors', input: 'empty model.safetensors', setup: ({ dir }) => ['info', '--model', modelWithWeightBytes(dir, new Uint8Array(0))], says: /model\.safetensors is corrupt or truncated: only 0 bytes/ },
  { category: 'safetensors', input: 'truncated (last 100 bytes cut)', setup: ({ dir }) => { const bytes = readFileSync(join(GPT2, 'model.safetensors')); return ['info', '--model', modelWithWeightBytes(dir, bytes.subarray(0, bytes.length - 100))]; }, says: /model\.safetensors is corrupt or truncated: tensor ".*" ends at byte \d+ but the data section has \d+ bytes/ },
  { category: 'safetensors', input: 'header length longer than the file', setup: ({ dir }) => { const bytes = rawSafetensors({}, 0); new DataView(bytes.buffer).setBigUint64(0, 4096n, true); return ['info', '--model', modelWithWeightBytes(dir, bytes)]; }, says: /model\.safetensors is corrupt or truncated: header length 4096 exceeds the file size 10/ },
  { category: 'safetensors', input: 'header length claiming 1 TiB', setup: ({ dir }) => { const bytes = rawSafetensors({}, 64); new DataView(bytes.buffer).setBigUint64(0, 1n << 40n, true); return ['info', '--model', modelWithWeightBytes(dir, bytes)]; }, says: /model\.safetensors is corrupt or truncated: header length 1099511627776 exceeds/ },
  { category: 'safetensors', input: 'header is not JSON', setup: ({ dir }) => { const bytes = rawSafetensors({}, 8); bytes.set(new TextEncoder().encode('{x'), 8); return ['info', '--model', modelWithWeightBytes(dir, bytes)]; }, says: /model\.safetensors is corrupt or truncated: header is not valid JSON/ },
  { category: 'safetensors', input: 'tensor offsets past the end of the file', setup: ({ dir }) => ['info', '--model', modelWithWeightBytes(dir, rawSafetensors({ a: f32([2], 0), b: f32([1_000_000], 8) }, 16))], says: /tensor "b" ends at byte 4000008 but the data section has 16 bytes/ },
  { category: 'safetensors', input: 'overlapping tensors', setup: ({ dir }) => ['info', '--model', modelWithWeightBytes(dir, rawSafetensors({ a: f32([2], 0), b: f32([2], 4) }, 12))], says: /model\.safetensors is corrupt or truncated: tensor "b" starts at byte 4, inside the previous tensor "a"/ },
  { category: 'safetensors', input: 'gap between tensors', setup: ({ dir }) => ['info', '--model', modelWithWeightBytes(dir, rawSafetensors({ a: f32([2], 0), b: f32([2], 12) }, 20))], says: /model\.safetensors is corrupt or truncated: 4 unused bytes before tensor "b"/ },
  { category: 'safetensors', input: 'trailing bytes no tensor covers', setup: ({ dir }) => ['info', '--model', modelWithWeightBytes(dir, rawSafetensors({ a: f32([2], 0) }, 12))], says: /model\.safetensors is corrupt or truncated: the tensors cover 8 of the 12 data bytes/ },
  { category: 'safetensors', input: 'unknown dtype', setup: ({ dir }) => ['info', '--model', modelWithWeightBytes(dir, rawSafetensors({ a: { dtype: 'Q7', shape: [2], data_offsets: [0, 8] } }, 8))], says: /tensor "a" in model\.safetensors has dtype Q7; convert the weights to F32, F16 or BF16/ },
  { category: 'safetensors', input: 'shape disagrees with the byte count', setup: ({ dir }) => ['info', '--model', modelWithWeightBytes(dir, rawSafetensors({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, 8))], says: /tensor "a" occupies 8 bytes, its shape needs 12/ },
  { category: 'safetensors', input: 'shape disagrees with config.json (n_positions 32)', setup: ({ dir }) => ['info', '--model', modelWithConfig(dir, (c) => (c.n_positions = 32))], says: /Tensor "transformer\.wpe\.weight" has shape \[64, 32\] but config\.json implies \[32, 32\]/ },
  { category: 'safetensors', input: 'a needed tensor is missing', setup: ({ dir }) => ['info', '--model', modelWithTensors(dir, (t) => t.delete('transformer.ln_f.bias'))], says: /no tensor "transformer\.ln_f\.bias"/ },
  { category: 'safetensors', input: 'an unexpected tensor (a third layer)', setup: ({ dir }) => ['info', '--model', modelWithTensors(dir, (t) => t.set('transformer.h.2.ln_1.weight', { shape: [32], data: new Float32Array(32) }))], says: /unexpected tensor "transformer\.h\.2\.ln_1\.weight"/ },
  { category: 'safetensors', input: 'NaN in a weight', setup: ({ dir }) => ['info', '--model', modelWithTensors(dir, (t) => (t.get('transformer.h.0.ln_1.weight')!.data[3] = NaN))], says: /tensor "transformer\.h\.0\.ln_1\.weight" holds NaN or infinite values/ },
  { category: 'safetensors', input: 'Infinity in the embedding table', setup: ({ dir }) => ['generate', '--model', modelWithTensors(dir, (t) => (t.get('transformer.wte.weight')!.data[100] = Infinity)), '--prompt', 'hi'], says: /tensor "transformer\.wte\.weight" holds NaN or infinite values/ },

  // tokenizer.json
  { category: 'tokenizer', input: 'tokenizer.json is not JSON', setup: ({ dir }) => { const m = copyModel(dir); writeFileSync(join(m, 'tokenizer.json'), '{"model": '); return ['generate', '--model', m, '--prompt', 'hi']; }, says: /tokenizer\.json is corrupt or truncated: not valid JSON/ },
  { category: 'tokenizer', input: 'tokenizer.json with an empty vocabulary', setup: ({ dir }) => { const m = copyModel(dir); editJson(join(m, 'tokenizer.json'), (t) => { (t.model as Record<string, unknown>).vocab = {}; (t.model as Record<string, unknown>).merges = []; t.added_tokens = []; }); return ['generate', '--model', m, '--prompt', 'hi']; }, says: /tokenizer\.json is corrupt or truncated: its vocabulary is empty/ },
  { category: 'tokenizer', input: 'tokenizer ids beyond config vocab_size', setup: ({ dir }) => { const m = copyModel(dir); editJson(join(m, 'tokenizer.json'), (t) => { (t.model as { vocab: Record<string, number> }).vocab['zzzq'] = 5000; }); return ['generate', '--model', m, '--prompt', 'hi']; }, says: /tokenizer\.json has token id 5000 but config\.json's vocab_size is 320/ },
  { category: 'tokenizer', input: 'tokenizer_config.json is not JSON', setup: ({ dir }) => { const m = copyModel(dir); writeFileSync(join(m, 'tokenizer_config.json'), 'nope'); return ['generate', '--model', m, '--prompt', 'hi']; }, says: /tokenizer_config\.json is corrupt or truncated: not valid JSON/ },

  // datasets
  { category: 'dataset', input: 'a line that is not JSON', setup: ({ dir, out }) => train(GPT2, jsonlFile(dir, [GOOD, '{"instruction": "x", ']), out), says: /data\.jsonl line 2: not valid JSON/ },
  { category: 'dataset', input: 'instruction is a number', setup: ({ dir, out }) => train(GPT2, jsonlFile(dir, [{ instruction: 5, output: 'x' }]), out), says: /data\.jsonl line 1: .*instruction/ },
  { category: 'dataset', input: 'output missing', setup: ({ dir, out }) => train(GPT2, jsonlFile(dir, [GOOD, GOOD, { instruction: 'x' }]), out), says: /data\.jsonl line 3: .*output/ },
  { category: 'dataset', input: 'instruction empty (spaces only)', setup: ({ dir, out }) => train(GPT2, jsonlFile(dir, [{ instruction: '   ', output: 'x' }]), out), says: /data\.jsonl line 1: .*instruction/ },
  { category: 'dataset', input: 'a line that is a JSON string, not an object', setup: ({ dir, out }) => train(GPT2, jsonlFile(dir, ['"just text"']), out), says: /data\.jsonl line 1: .*object/ },
  { category: 'dataset', input: 'a broken JSON array', setup: ({ dir, out }) => train(GPT2, jsonlFile(dir, ['[{"instruction": "x", "output": "y"},'], 'data.json'), out), says: /data\.json is not a JSON array or JSON Lines file of examples/ },
  { category: 'dataset', input: 'empty file', setup: ({ dir, out }) => train(GPT2, jsonlFile(dir, ['']), out), says: /data\.jsonl holds no examples/ },
  { category: 'dataset', input: 'a 50 MB line', setup: ({ dir, out }) => { const path = join(dir, 'big.jsonl'); writeFileSync(path, `${JSON.stringify(GOOD)}\n{"instruction": "x", "output": "${'a'.repeat(50 * 1024 * 1024)}"}\n`); return train(GPT2, path, out); }, says: /big\.jsonl line 2 is longer than 1 MiB/ },
  { category: 'dataset', input: 'a binary file (a safetensors file)', setup: ({ dir, out }) => train(GPT2, join(copyModel(dir), 'model.safetensors'), out), says: /model\.safetensors is a binary file, not UTF-8 text/ },
  { category: 'dataset', input: 'UTF-16 (with a byte order mark)', setup: ({ dir, out }) => { const path = join(dir, 'utf16.jsonl'); writeFileSync(path, Buffer.from(`\uFEFF${JSON.stringify(GOOD)}\n`, 'utf16le')); return train(GPT2, path, out); }, says: /utf16\.jsonl is UTF-16 text; save it as UTF-8/ },
  { category: 'dataset', input: 'UTF-16 without a byte order mark', setup: ({ dir, out }) => { const path = join(dir, 'utf16.jsonl'); writeFileSync(path, Buffer.from(`${JSON.stringify(GOOD)}\n`, 'utf16le')); return train(GPT2, path, out); }, says: /utf16\.jsonl is UTF-16 text; save it as UTF-8/ },
  { category: 'dataset', input: 'Latin-1 bytes (not UTF-8)', setup: ({ dir, out }) => { const path = join(dir, 'latin1.jsonl'); writeFileSync(path, Buffer.concat([Buffer.from(`${JSON.stringify(GOOD)}\n{"instruction": "caf`), Buffer.from([0xe9]), Buffer.from('", "output": "x"}\n')])); return train(GPT2, path, out); }, says: /latin1\.jsonl line 2 is not valid UTF-8/ },
  { category: 'dataset', input: 'data path is a folder', setup: ({ dir, out }) => train(GPT2, dir, out), says: /cannot read .*: it is a folder, not a file/ },
  { category: 'dataset', input: 'data file does not exist', setup: ({ dir, out }) => train(GPT2, join(dir, 'missing.jsonl'), out), says: /cannot read .*missing\.jsonl: no such file/ },
  { category: 'dataset', input: 'eval: a line that is not JSON', setup: ({ dir }) => ['eval', '--model', GPT2, '--data', jsonlFile(dir, [GOOD, 'nope'])], says: /data\.jsonl line 2: not valid JSON/ },

  // PEFT adapters
  { category: 'adapter', input: 'adapter folder does not exist', setup: ({ dir }) => withAdapter(join(dir, 'none')), says: /Cannot read the adapter: .*none" is neither a folder nor a \.zip file/ },
  { category: 'adapter', input: 'adapter_config.json missing', setup: ({ dir }) => withAdapter(adapterDir(dir, loraFiles(), (f) => f.delete('adapter_config.json'))), says: /Cannot read the adapter: adapter_config\.json is missing/ },
  { category: 'adapter', input: 'adapter_model.safetensors missing', setup: ({ dir }) => withAdapter(adapterDir(dir, loraFiles(), (f) => f.delete('adapter_model.safetensors'))), says: /Cannot read the adapter: adapter_model\.safetensors is missing/ },
  { category: 'adapter', input: 'adapter_config.json is not JSON', setup: ({ dir }) => withAdapter(adapterDir(dir, loraFiles(), (f) => f.set('adapter_config.json', new TextEncoder().encode('{"r": 8,')))), says: /adapter_config\.json is not valid JSON/ },
  { category: 'adapter', input: 'unknown peft_type', setup: ({ dir }) => withAdapter(adapterDir(dir, loraFiles({ config: { peft_type: 'ADALORA' } }))), says: /adapter_config\.json "peft_type" is "ADALORA"; Attune reads LORA, PROMPT_TUNING, IA3, PREFIX_TUNING/ },
  { category: 'adapter', input: 'rank 0', setup: ({ dir }) => withAdapter(adapterDir(dir, loraFiles({ config: { r: 0 } }))), says: /Cannot read the adapter: adapter_config\.json field "r": the rank must be a whole number of at least 1/ },
  { category: 'adapter', input: 'negative rank', setup: ({ dir }) => withAdapter(adapterDir(dir, loraFiles({ config: { r: -4 } }))), says: /Cannot read the adapter: adapter_config\.json field "r": the rank must be a whole number of at least 1/ },
  { category: 'adapter', input: 'rank 1e9', setup: ({ dir }) => withAdapter(adapterDir(dir, loraFiles({ config: { r: 1e9 } }))), says: /does not fit the loaded model: .*the rank 1000000000 exceeds the smallest targeted layer width 32/ },
  { category: 'adapter', input: 'target modules the model lacks', setup: ({ dir }) => withAdapter(adapterDir(dir, loraFiles({ config: { target_modules: ['q_proj'] } }))), says: /does not fit the loaded model: .*no gpt2 module matches \["q_proj"\]/ },
  { category: 'adapter', input: 'made for a wider base model', setup: ({ dir }) => withAdapter(adapterDir(dir, loraFiles({ width: 48 }))), says: /does not fit the loaded model: "base_model\.model\.transformer\.h\.0\.attn\.c_attn\.lora_A\.weight" has shape \[2, 48\], this model needs \[2, 32\]/ },
  { category: 'adapter', input: 'truncated adapter_model.safetensors', setup: ({ dir }) => withAdapter(adapterDir(dir, loraFiles(), (f) => f.set('adapter_model.safetensors', f.get('adapter_model.safetensors')!.subarray(0, 300)))), says: /Cannot read the adapter: adapter_model\.safetensors is corrupt or truncated/ },
  { category: 'adapter', input: 'a tensor with the wrong shape (lora_B transposed)', setup: ({ dir }) => withAdapter(adapterDir(dir, loraFiles({ edit: (t) => { const b = t.get('base_model.model.transformer.h.1.attn.c_attn.lora_B.weight')!; b.shape = [2, 96]; } }))), says: /"base_model\.model\.transformer\.h\.1\.attn\.c_attn\.lora_B\.weight" has shape \[2, 96\], this model needs \[96, 2\]/ },
  { category: 'adapter', input: 'NaN in an adapter tensor', setup: ({ dir }) => withAdapter(adapterDir(dir, loraFiles({ edit: (t) => (t.get('base_model.model.transformer.h.0.attn.c_attn.lora_A.weight')!.data[0] = NaN) }))), says: /adapter_model\.safetensors is corrupt or truncated: tensor "base_model\.model\.transformer\.h\.0\.attn\.c_attn\.lora_A\.weight" holds NaN or infinite values/ },
  { category: 'adapter', input: 'a .zip that is not a zip', setup: ({ dir }) => { const path = join(dir, 'adapter.zip'); writeFileSync(path, 'PK not really'); return withAdapter(path); }, says: /Cannot read the adapter: .*adapter\.zip is not a readable zip/ },
  { category: 'adapter', input: 'a zip without adapter_config.json', setup: ({ dir }) => { const path = join(dir, 'adapter.zip'); writeFileSync(path, zipSync({ 'adapter_model.safetensors': loraFiles().get('adapter_model.safetensors')! })); return withAdapter(path); }, says: /Cannot read the adapter: adapter_config\.json is missing/ },

  // flags
  { category: 'flags', input: 'unknown flag (--stesp)', setup: (p) => trainFlags(p, '--stesp', '3'), says: /unknown flag --stesp; --help lists this command's flags/ },
  { category: 'flags', input: 'unknown method (--method dora)', setup: (p) => trainFlags(p, '--method', 'dora'), says: new RegExp(`--method must be one of ${METHOD_NAMES.join(', ')}; got "dora"`) },
  { category: 'flags', input: '--steps -5', setup: (p) => trainFlags(p, '--steps', '-5'), says: /--steps must be greater than 0/ },
  { category: 'flags', input: '--steps NaN', setup: (p) => trainFlags(p, '--steps', 'NaN'), says: /--steps must be an integer, got "NaN"/ },
  { category: 'flags', input: '--steps 2.5', setup: (p) => trainFlags(p, '--steps', '2.5'), says: /--steps must be an integer, got "2\.5"/ },
  { category: 'flags', input: '--epochs 0', setup: (p) => trainFlags(p, '--epochs', '0'), says: /--epochs must be greater than 0/ },
  { category: 'flags', input: '--lr abc', setup: (p) => trainFlags(p, '--lr', 'abc'), says: /--lr must be a number, got "abc"/ },
  { category: 'flags', input: '--lr -0.1', setup: (p) => trainFlags(p, '--lr', '-0.1'), says: /--lr must be greater than 0/ },
  { category: 'flags', input: '--batch-size 0', setup: (p) => trainFlags(p, '--batch-size', '0'), says: /--batch-size must be greater than 0/ },
  { category: 'flags', input: '--rank 0', setup: (p) => trainFlags(p, '--rank', '0'), says: /--rank must be at least 1/ },
  { category: 'flags', input: '--dropout -0.1', setup: (p) => trainFlags(p, '--dropout', '-0.1'), says: /--dropout must be at least 0/ },
  { category: 'flags', input: "another method's flag (--virtual-tokens with LoRA)", setup: (p) => trainFlags(p, '--virtual-tokens', '4'), says: /--virtual-tokens belongs to prompt-tuning, not lora/ },
  { category: 'flags', input: '--target naming no module', setup: (p) => trainFlags(p, '--target', 'no_such_proj'), says: /Invalid tuning setting "targetModules"/ },
  { category: 'flags', input: 'lightweight --parts naming no part', setup: (p) => trainFlags(p, '--method', 'lightweight', '--parts', 'head,tail'), says: /Invalid tuning setting "parts": "tail" is not a part; use head, norms, bias/ },
  { category: 'flags', input: 'lightweight --parts bias on Llama (no linear biases)', setup: ({ dir, out }) => ['train', '--model', join(FIXTURES, 'tiny-llama'), '--data', jsonlFile(dir, [GOOD]), '--out', out, '--quiet', '--method', 'lightweight', '--parts', 'bias'], says: /Cannot train part "bias": llama models have no bias parameters\. Parts this model has: head, norms\./ },
  { category: 'flags', input: '--steps and --epochs together', setup: (p) => trainFlags(p, '--steps', '2', '--epochs', '2'), says: /give --steps or --epochs, not both/ },
  { category: 'flags', input: '--out is an existing regular file', setup: ({ dir }) => { const file = join(dir, 'taken.txt'); writeFileSync(file, 'keep me'); return ['train', '--model', GPT2, '--data', jsonlFile(dir, [GOOD]), '--out', file, '--steps', '1']; }, says: /--out .*taken\.txt is a file; pass a folder/ },
  { category: 'flags', input: '--out inside a folder that cannot be written', setup: ({ dir }) => ['train', '--model', GPT2, '--data', jsonlFile(dir, [GOOD]), '--out', '/sys/attune-bad-inputs-out', '--steps', '1'], says: /--out \/sys\/attune-bad-inputs-out cannot be written/ },
  { category: 'flags', input: '--max-tokens -1', setup: () => generateFlags('--max-tokens', '-1'), says: /--max-tokens must be at least 1/ },
  { category: 'flags', input: '--max-tokens 0', setup: () => generateFlags('--max-tokens', '0'), says: /--max-tokens must be at least 1/ },
  { category: 'flags', input: '--max-tokens ten', setup: () => generateFlags('--max-tokens', 'ten'), says: /--max-tokens must be an integer, got "ten"/ },
  { category: 'flags', input: '--temperature 0', setup: () => generateFlags('--temperature', '0'), says: /--temperature must be greater than 0 .*--greedy/ },
  { category: 'flags', input: '--temperature -1', setup: () => generateFlags('--temperature', '-1'), says: /--temperature must be greater than 0/ },
  { category: 'flags', input: '--top-k 0', setup: () => generateFlags('--top-k', '0'), says: /--top-k must be a whole number of at least 1/ },
  { category: 'flags', input: '--top-k -3', setup: () => generateFlags('--top-k', '-3'), says: /--top-k must be a whole number of at least 1/ },
  { category: 'flags', input: '--top-p 0', setup: () => generateFlags('--top-p', '0'), says: /--top-p must be in \(0, 1\]/ },
  { category: 'flags', input: '--top-p 1.5', setup: () => generateFlags('--top-p', '1.5'), says: /--top-p must be in \(0, 1\]/ },
  { category: 'flags', input: '--repetition-penalty 0', setup: () => generateFlags('--repetition-penalty', '0'), says: /--repetition-penalty must be greater than 0/ },
  { category: 'flags', input: '--repetition-penalty -1', setup: () => generateFlags('--repetition-penalty', '-1'), says: /--repetition-penalty must be greater than 0/ },
  { category: 'flags', input: 'train --workers 0', setup: (paths) => trainFlags(paths, '--workers', '0'), says: /--workers must be at least 1/ },
  { category: 'flags', input: 'train --workers 2 on the CPU backend', setup: (paths) => trainFlags(paths, '--workers', '2', '--backend', 'cpu'), says: /--workers above 1 needs the wasm backend/ },
  { category: 'flags', input: '--backend tpu', setup: () => ['info', '--model', GPT2, '--backend', 'tpu'], says: /--backend must be cpu, wasm or webgpu, got "tpu"/ },
  { category: 'flags', input: 'eval --icl -1', setup: ({ dir }) => ['eval', '--model', GPT2, '--data', jsonlFile(dir, [GOOD]), '--icl', '-1'], says: /--icl must be 0 or more/ },
];

// ---- checks -------------------------------------------------------------------------------------

/** Every file under `root` (path -> sha256), so a changed, added or removed file shows. */
function snapshot(root: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) {
        files.set(`${path}/`, 'dir');
        walk(path);
      } else files.set(path, createHash('sha256').update(readFileSync(path)).digest('hex'));
    }
  };
  walk(root);
  return files;
}

let rowCount = 0;
function rowPaths(): Paths {
  const root = join(ROWS_ROOT, `row-${++rowCount}`);
  mkdirSync(join(root, 'in'), { recursive: true });
  return { dir: join(root, 'in'), out: join(root, 'out') };
}

describe('every bad input is refused cleanly (CLI)', () => {
  test('the table covers every category with at least 40 distinct rows', () => {
    const categories = new Set(ROWS.map((r) => r.category));
    expect([...categories].sort()).toEqual(['adapter', 'dataset', 'flags', 'model folder', 'safetensors', 'tokenizer']);
    expect(new Set(ROWS.map((r) => r.input)).size).toBe(ROWS.length);
    expect(ROWS.length).toBeGreaterThanOrEqual(40);
  });

  test.for(ROWS)('$category: $input', { timeout: ROW_TIMEOUT_MS + 10_000 }, (row) => {
    const paths = rowPaths();
    const args = row.setup(paths);
    const before = snapshot(join(paths.dir, '..'));
    const fixturesBefore = snapshot(FIXTURES);
    const started = performance.now();
    const r = attune(args, { timeoutMs: ROW_TIMEOUT_MS });
    const seconds = (performance.now() - started) / 1000;

    expect(r.signal, `killed after ${seconds.toFixed(1)} s`).toBeNull();
    expect(r.status).not.toBe(0);
    expect(r.status).not.toBeNull();
    const lines = r.stderr.trim().split('\n');
    expect(lines, r.stderr).toHaveLength(1);
    const line = lines[0]!;
    expect(line).toMatch(new RegExp(`^attune ${args[0]}: `));
    expect(line).toMatch(row.says);
    expect(r.stderr).not.toMatch(/^\s+at |Aborted\(\)|\bundefined\b|\[object Object\]/m);
    // Inputs unchanged, and nothing (not even a temporary file) left where output would go.
    expect(snapshot(join(paths.dir, '..'))).toEqual(before);
    expect(snapshot(FIXTURES)).toEqual(fixturesBefore);
    expect(existsSync(paths.out)).toBe(false);
  });
});

describe('good inputs next to the bad ones are accepted', { timeout: 60_000 }, () => {
  const bomCrlf = (dir: string) => {
    const path = join(dir, 'bom-crlf.jsonl');
    writeFileSync(path, `\uFEFF${JSON.stringify(GOOD)}\r\n${JSON.stringify({ instruction: 'Say bye', output: 'bye' })}\r\n`);
    return path;
  };

  test('train reads a UTF-8 BOM + CRLF JSONL and writes only the finished adapter', () => {
    const { dir, out } = rowPaths();
    const r = attune(train(GPT2, bomCrlf(dir), out, '--json'));
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'completed', steps: 1, trainExamples: 2 });
    expect(readdirSync(out).sort()).toEqual(['adapter_config.json', 'adapter_model.safetensors']);
  });

  test('eval reads a UTF-8 BOM + CRLF JSONL (both examples)', () => {
    const { dir } = rowPaths();
    const r = attune(['eval', '--model', GPT2, '--data', bomCrlf(dir), '--json', '--max-tokens', '2']);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ n: 2 });
  });

  test('the well-formed adapter the bad rows start from loads, as a folder and as a zip, and changes the logits', () => {
    const { dir } = rowPaths();
    const files = loraFiles();
    const folder = adapterDir(dir, files);
    const zip = join(dir, 'adapter.zip');
    writeFileSync(zip, zipSync(Object.fromEntries(files)));
    const base = attune(['logits', '--model', GPT2, '--prompt', 'hello', '--json']);
    const viaFolder = attune([...withAdapter(folder), '--json']);
    const viaZip = attune([...withAdapter(zip), '--json']);
    for (const r of [base, viaFolder, viaZip]) expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(viaZip.stdout).logits).toEqual(JSON.parse(viaFolder.stdout).logits);
    expect(JSON.parse(viaFolder.stdout).logits).not.toEqual(JSON.parse(base.stdout).logits);
  });

  test('a copied, untouched fixture model loads (the corrupted copies start from a good one)', () => {
    const { dir } = rowPaths();
    const r = attune(['info', '--model', copyModel(dir), '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ family: 'gpt2', vocabSize: 320 });
  });
});
