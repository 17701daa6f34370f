// A GGUF file of a Llama- or Qwen2-family model -> the Hugging Face files the model runtime and
// the model store already read (config.json, model.safetensors, tokenizer.json,
// tokenizer_config.json, generation_config.json). Parsed with the maintained @huggingface/gguf
// (header, metadata, tensor infos); tensor data is read here and dequantised to float32, so the
// imported model takes 4 bytes per parameter in storage and memory whatever the GGUF's type
// (a Q4_0 file grows about 7x). Llama q/k rows are un-permuted back to Hugging Face's order.
import { gguf, type GGUFParseOutput } from '@huggingface/gguf';
import { parseConfig } from '../../model/config';
import { writeSafetensors, type HostTensor } from '../../model/safetensors';
import { ggmlTypeName } from './constants';
import { byteSize, decode, isReadableType } from './decode';
import { GgufArchitectureError, GgufCorruptError, GgufTensorTypeError } from './errors';
import { hfName, permutedHeads, permuteRows } from './tensor-names';
import { tokenizerFromGguf } from './tokenizer-metadata';

/** What import reads from: a File in the browser, fs.openAsBlob in Node. */
export type GgufBlob = Pick<Blob, 'size' | 'slice'>;

/** @huggingface/gguf reads through fetch with Range requests: serve them from the Blob. */
function blobFetch(blob: GgufBlob): typeof fetch {
  return (async (_input: unknown, init?: { headers?: Record<string, string> }) => {
    const range = /bytes=(\d+)-(\d+)/.exec(init?.headers?.Range ?? '');
    const start = range ? Number(range[1]) : 0;
    const end = Math.min(range ? Number(range[2]) + 1 : blob.size, blob.size);
    const body = start < end ? await blob.slice(start, end).arrayBuffer() : new ArrayBuffer(0);
    return new Response(body, { status: 206, headers: { 'Content-Range': `bytes ${start}-${Math.max(start, end - 1)}/${blob.size}` } });
  }) as typeof fetch;
}

async function parse(blob: GgufBlob, file: string): Promise<GGUFParseOutput> {
  try {
    return await gguf('https://attune.invalid/model.gguf', { fetch: blobFetch(blob) });
  } catch (e) {
    throw new GgufCorruptError(file, (e as Error).message.split('\n')[0]!);
  }
}

const num = (v: unknown): number | undefined => (typeof v === 'bigint' ? Number(v) : typeof v === 'number' ? v : undefined);

/** A float32 metadata value as the shortest decimal that is the same float32 (1e-6, not 9.99999997e-7). */
function shortestFloat32(v: number | undefined): number | undefined {
  if (v === undefined) return undefined;
  for (let digits = 1; digits <= 17; digits++) {
    const candidate = Number(v.toPrecision(digits));
    if (Math.fround(candidate) === Math.fround(v)) return candidate;
  }
  return v;
}

/** config.json from <arch>.* metadata. */
function configFromMetadata(meta: Record<string, unknown>, arch: string, vocabSize: number, tied: boolean, bias: boolean, file: string, eos: number[], bos: number | null): Record<string, unknown> {
  const need = (key: string): number => {
    const v = num(meta[`${arch}.${key}`]);
    if (v === undefined) throw new GgufCorruptError(file, `metadata ${arch}.${key} is missing`);
    return v;
  };
  const heads = need('attention.head_count');
  const hidden = need('embedding_length');
  const headDim = num(meta[`${arch}.attention.key_length`]) ?? hidden / heads;
  const ropeDims = num(meta[`${arch}.rope.dimension_count`]);
  if (ropeDims !== undefined && ropeDims !== headDim) throw new GgufArchitectureError(file, `${arch} with partial rotary embeddings (rope.dimension_count ${ropeDims} of ${headDim})`);
  if (meta[`${arch}.rope.scaling.type`] !== undefined && meta[`${arch}.rope.scaling.type`] !== 'none') {
    throw new GgufArchitectureError(file, `${arch} with rope scaling "${String(meta[`${arch}.rope.scaling.type`])}"`);
  }
  return {
    model_type: arch,
    architectures: [arch === 'qwen2' ? 'Qwen2ForCausalLM' : 'LlamaForCausalLM'],
    vocab_size: vocabSize,
    hidden_size: hidden,
    intermediate_size: need('feed_forward_length'),
    num_hidden_layers: need('block_count'),
    num_attention_heads: heads,
    num_key_value_heads: num(meta[`${arch}.attention.head_count_kv`]) ?? heads,
    head_dim: headDim,
    max_position_embeddings: need('context_length'),
    rms_norm_eps: shortestFloat32(num(meta[`${arch}.attention.layer_norm_rms_epsilon`])) ?? 1e-6,
    rope_theta: shortestFloat32(num(meta[`${arch}.rope.freq_base`])) ?? 10000,
    hidden_act: 'silu',
    tie_word_embeddings: tied,
    attention_bias: bias,
    bos_token_id: bos,
    eos_token_id: eos.length === 1 ? eos[0] : eos,
  };
}

const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value, null, 1) + '\n');

/** The model files of a GGUF model. Nothing is written anywhere: the caller stores the result. */
export async function ggufToModelFiles(blob: GgufBlob, file: string): Promise<Map<string, Uint8Array>> {
  const parsed = await parse(blob, file);
  // The parser reads past the end as zeros rather than failing: check the header fits first.
  if (Number(parsed.tensorDataOffset) > blob.size) {
    throw new GgufCorruptError(file, `its header runs to byte ${Number(parsed.tensorDataOffset)}, past the end of the file (${blob.size} bytes): the file is truncated`);
  }
  const meta = parsed.metadata as Record<string, unknown>;
  if (meta['general.type'] === 'adapter') throw new GgufCorruptError(file, 'it is an adapter (general.type "adapter"), not a model');
  const arch = String(meta['general.architecture'] ?? '');
  if (arch !== 'llama' && arch !== 'qwen2') throw new GgufArchitectureError(file, arch || '(none)');
  const tokenizer = tokenizerFromGguf(meta, file);
  const dataStart = Number(parsed.tensorDataOffset);
  const infos = parsed.tensorInfos;
  const names = new Set(infos.map((t) => t.name));
  const embedding = infos.find((t) => t.name === 'token_embd.weight');
  if (!embedding) throw new GgufCorruptError(file, 'it has no token_embd.weight tensor');
  const vocabSize = Number(embedding.shape[1]);
  const bias = names.has('blk.0.attn_q.bias');
  const rawConfig = configFromMetadata(meta, arch, vocabSize, !names.has('output.weight'), bias && arch === 'llama', file, tokenizer.eosIds, tokenizer.bosId);
  const config = parseConfig(rawConfig);

  const tensors = new Map<string, HostTensor>();
  for (const info of infos) {
    const name = hfName(info.name);
    if (!name) throw new GgufArchitectureError(file, `${arch} with tensor "${info.name}"`);
    if (!isReadableType(info.dtype)) throw new GgufTensorTypeError(file, info.name, ggmlTypeName(info.dtype));
    const shape = info.shape.map(Number).reverse(); // GGUF lists dims innermost first
    const count = shape.reduce((a, b) => a * b, 1);
    const size = byteSize(info.dtype, count);
    if (size === null) throw new GgufCorruptError(file, `tensor "${info.name}" has ${count} values, not whole ${ggmlTypeName(info.dtype)} blocks`);
    const start = dataStart + Number(info.offset);
    if (start + size > blob.size) throw new GgufCorruptError(file, `tensor "${info.name}" ends at byte ${start + size}, past the end of the file (${blob.size} bytes): the file is truncated`);
    let data = decode(new Uint8Array(await blob.slice(start, start + size).arrayBuffer()), info.dtype, count);
    const heads = permutedHeads(arch, name, { q: config.numHeads, kv: config.numKvHeads });
    if (heads !== null) data = permuteRows(data, shape[0]!, shape.length > 1 ? shape[1]! : 1, heads, true);
    tensors.set(name, { shape, data });
  }
  const generation = { eos_token_id: tokenizer.eosIds, do_sample: false };
  return new Map([
    ['config.json', json(rawConfig)],
    ['generation_config.json', json(generation)],
    ['tokenizer.json', json(tokenizer.tokenizerJson)],
    ['tokenizer_config.json', json(tokenizer.tokenizerConfig)],
    ['model.safetensors', writeSafetensors(tensors, { format: 'pt', source: 'gguf' })],
  ]);
}
