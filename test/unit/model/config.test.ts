import { describe, expect, test } from 'vitest';
import { InvalidConfigError, parseConfig, UnsupportedModelError } from '../../../src/model';

describe('parseConfig', () => {
  test('GPT-2: fused sizes, tied head, defaults', () => {
    const c = parseConfig({ model_type: 'gpt2', vocab_size: 50257, n_embd: 768, n_layer: 12, n_head: 12, n_positions: 1024, eos_token_id: 50256 });
    expect(c).toMatchObject({ family: 'gpt2', headDim: 64, numKvHeads: 12, intermediateSize: 3072, tieWordEmbeddings: true, attentionBias: true, normEps: 1e-5, eosTokenIds: [50256] });
  });

  test('Llama (SmolLM-like) and Qwen2 (biases, GQA, eos list)', () => {
    const base = { vocab_size: 49152, hidden_size: 576, intermediate_size: 1536, num_hidden_layers: 30, num_attention_heads: 9, num_key_value_heads: 3, max_position_embeddings: 8192, rope_theta: 100000, tie_word_embeddings: true };
    const smol = parseConfig({ model_type: 'llama', ...base });
    expect(smol).toMatchObject({ family: 'llama', headDim: 64, numKvHeads: 3, ropeTheta: 100000, attentionBias: false, tieWordEmbeddings: true });
    const qwen = parseConfig(JSON.stringify({ model_type: 'qwen2', ...base, tie_word_embeddings: false, eos_token_id: [1, 2] }));
    expect(qwen).toMatchObject({ family: 'llama', modelType: 'qwen2', attentionBias: true, tieWordEmbeddings: false, eosTokenIds: [1, 2] });
  });

  test('unknown model_type, rope scaling and bad fields are named errors', () => {
    expect(() => parseConfig({ model_type: 'bert' })).toThrow(UnsupportedModelError);
    expect(() => parseConfig({ model_type: 'bert' })).toThrow(/bert/);
    expect(() => parseConfig({ model_type: 'llama', vocab_size: 1, hidden_size: 8, intermediate_size: 8, num_hidden_layers: 1, num_attention_heads: 2, max_position_embeddings: 8, rope_scaling: { rope_type: 'llama3' } })).toThrow(UnsupportedModelError);
    expect(() => parseConfig({ model_type: 'gpt2', n_embd: 10, n_layer: 1, n_head: 3, n_positions: 8, vocab_size: 5 })).toThrow(InvalidConfigError);
    expect(() => parseConfig({ model_type: 'gpt2' })).toThrow(/vocab_size|n_embd/);
    expect(() => parseConfig('{not json')).toThrow(InvalidConfigError);
    expect(() => parseConfig({})).toThrow(/model_type/);
  });
});
