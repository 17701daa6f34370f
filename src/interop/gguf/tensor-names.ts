// Hugging Face tensor names <-> GGUF tensor names for the Llama and Qwen2 families (llama.cpp's
// gguf-py/gguf/tensor_mapping.py), and the row permutation convert_hf_to_gguf.py applies to
// Llama's q_proj/k_proj (LlamaModel.permute): Hugging Face splits each head's rotary pairs into
// halves, llama.cpp's rope interleaves them. Qwen2 uses llama.cpp's NEOX rope and is not permuted.

const BLOCK_NAMES: [hf: string, gguf: string][] = [
  ['input_layernorm', 'attn_norm'],
  ['self_attn.q_proj', 'attn_q'],
  ['self_attn.k_proj', 'attn_k'],
  ['self_attn.v_proj', 'attn_v'],
  ['self_attn.o_proj', 'attn_output'],
  ['post_attention_layernorm', 'ffn_norm'],
  ['mlp.gate_proj', 'ffn_gate'],
  ['mlp.up_proj', 'ffn_up'],
  ['mlp.down_proj', 'ffn_down'],
];

const TOP_NAMES: [hf: string, gguf: string][] = [
  ['model.embed_tokens', 'token_embd'],
  ['model.norm', 'output_norm'],
  ['lm_head', 'output'],
];

/** `model.layers.3.self_attn.q_proj.weight` -> `blk.3.attn_q.weight`; null for a name with no GGUF place. */
export function ggufName(hfName: string): string | null {
  const suffix = hfName.endsWith('.weight') ? '.weight' : hfName.endsWith('.bias') ? '.bias' : null;
  if (!suffix) return null;
  const stem = hfName.slice(0, -suffix.length);
  const top = TOP_NAMES.find(([hf]) => hf === stem);
  if (top) return top[1] + suffix;
  const block = /^model\.layers\.(\d+)\.(.+)$/.exec(stem);
  const mapped = block && BLOCK_NAMES.find(([hf]) => hf === block[2]);
  return mapped ? `blk.${block[1]}.${mapped[1]}${suffix}` : null;
}

/** The inverse of ggufName. */
export function hfName(ggufTensorName: string): string | null {
  const suffix = ggufTensorName.endsWith('.weight') ? '.weight' : ggufTensorName.endsWith('.bias') ? '.bias' : null;
  if (!suffix) return null;
  const stem = ggufTensorName.slice(0, -suffix.length);
  const top = TOP_NAMES.find(([, gguf]) => gguf === stem);
  if (top) return top[0] + suffix;
  const block = /^blk\.(\d+)\.(.+)$/.exec(stem);
  const mapped = block && BLOCK_NAMES.find(([, gguf]) => gguf === block[2]);
  return mapped ? `model.layers.${block[1]}.${mapped[0]}${suffix}` : null;
}

/**
 * How many heads a Llama q/k tensor is permuted over (q: attention heads, k: key/value heads);
 * null for every other tensor and for Qwen2.
 */
export function permutedHeads(architecture: string, hfTensorName: string, heads: { q: number; kv: number }): number | null {
  if (architecture !== 'llama') return null;
  if (/\.self_attn\.q_proj\.(weight|bias)$/.test(hfTensorName)) return heads.q;
  if (/\.self_attn\.k_proj\.(weight|bias)$/.test(hfTensorName)) return heads.kv;
  return null;
}

/**
 * LlamaModel.permute on a [rows, cols] row-major tensor: rows viewed as [heads, 2, rows/heads/2]
 * with the middle two axes swapped. `inverse` undoes it (import).
 */
export function permuteRows(data: Float32Array, rows: number, cols: number, heads: number, inverse = false): Float32Array {
  const half = rows / heads / 2;
  const out = new Float32Array(data.length);
  for (let h = 0; h < heads; h++) {
    for (let pair = 0; pair < 2; pair++) {
      for (let i = 0; i < half; i++) {
        const hfRow = h * 2 * half + pair * half + i; // [h, pair, i]
        const ggufRow = h * 2 * half + i * 2 + pair; // [h, i, pair]
        const [from, to] = inverse ? [ggufRow, hfRow] : [hfRow, ggufRow];
        out.set(data.subarray(from * cols, (from + 1) * cols), to * cols);
      }
    }
  }
  return out;
}
