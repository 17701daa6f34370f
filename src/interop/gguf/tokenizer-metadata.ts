// The tokenizer in both directions: tokenizer.json + tokenizer_config.json (Hugging Face) <->
// tokenizer.ggml.* + tokenizer.chat_template (GGUF), for byte-level BPE tokenizers
// (tokenizer.ggml.model "gpt2"). Export follows convert_hf_to_gguf.py's get_vocab_base and
// SpecialVocab: one token string per id up to vocab_size ("[PAD<id>]" UNUSED for ids the
// tokenizer lacks), special added tokens CONTROL, other added tokens USER_DEFINED, merges as
// "a b" strings, bos/eos/pad ids from tokenizer_config.json's tokens.
import { TokenType } from './constants';
import { GgufExportError, GgufTokenizerError } from './errors';
import { PRE_TOKENIZERS, preTokenizerName } from './pre-tokenizers';
import { bool, i32s, str, strings, u32, type MetadataValue } from './writer';

type Json = Record<string, unknown>;

interface AddedToken {
  id: number;
  content: string;
  special?: boolean;
}

function tokenContent(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && typeof (value as Json).content === 'string') return (value as Json).content as string;
  return null;
}

/** tokenizer.* metadata for a model with `vocabSize` embedding rows. */
export function tokenizerToGguf(tokenizerJson: Json, tokenizerConfig: Json, vocabSize: number): Map<string, MetadataValue> {
  const model = tokenizerJson.model as Json | undefined;
  if (model?.type !== 'BPE' || model.byte_fallback === true) {
    throw new GgufExportError(`the tokenizer is ${String(model?.type)}${model?.byte_fallback ? ' with byte fallback' : ''}; Attune exports byte-level BPE tokenizers`);
  }
  const pre = preTokenizerName(tokenizerJson.pre_tokenizer);
  if (!pre) throw new GgufExportError(`llama.cpp has no pre-tokenizer matching this tokenizer.json's ${JSON.stringify(tokenizerJson.pre_tokenizer)}`);
  const normalizer = tokenizerJson.normalizer as Json | null | undefined;
  if (normalizer && normalizer.type !== 'NFC') throw new GgufExportError(`llama.cpp does not run the tokenizer's ${String(normalizer.type)} normalizer`);

  const tokens: (string | null)[] = new Array<string | null>(vocabSize).fill(null);
  const types = new Int32Array(vocabSize).fill(TokenType.NORMAL);
  for (const [token, id] of Object.entries(model.vocab as Record<string, number>)) if (id < vocabSize) tokens[id] = token;
  for (const added of (tokenizerJson.added_tokens ?? []) as AddedToken[]) {
    if (added.id >= vocabSize) throw new GgufExportError(`added token ${JSON.stringify(added.content)} has id ${added.id}, past the ${vocabSize} embedding rows`);
    tokens[added.id] = added.content;
    types[added.id] = added.special ? TokenType.CONTROL : TokenType.USER_DEFINED;
  }
  const list = tokens.map((token, id) => {
    if (token !== null) return token;
    types[id] = TokenType.UNUSED;
    return `[PAD${id}]`;
  });
  const merges = ((model.merges ?? []) as (string | [string, string])[]).map((m) => (Array.isArray(m) ? `${m[0]} ${m[1]}` : m));

  const out = new Map<string, MetadataValue>([
    ['tokenizer.ggml.model', str('gpt2')],
    ['tokenizer.ggml.pre', str(pre)],
    ['tokenizer.ggml.tokens', strings(list)],
    ['tokenizer.ggml.token_type', i32s(types)],
    ['tokenizer.ggml.merges', strings(merges)],
  ]);
  const idOf = (key: string) => {
    const content = tokenContent(tokenizerConfig[key]);
    const id = content === null ? -1 : list.indexOf(content);
    return id >= 0 ? id : null;
  };
  for (const [configKey, ggufKey] of [
    ['bos_token', 'tokenizer.ggml.bos_token_id'],
    ['eos_token', 'tokenizer.ggml.eos_token_id'],
    ['unk_token', 'tokenizer.ggml.unknown_token_id'],
    ['pad_token', 'tokenizer.ggml.padding_token_id'],
  ] as const) {
    const id = idOf(configKey);
    if (id !== null) out.set(ggufKey, u32(id));
  }
  // Attune adds no special tokens to a prompt unless the tokenizer's post-processor does; say so
  // explicitly, or llama.cpp would apply its own default for the vocabulary type.
  out.set('tokenizer.ggml.add_bos_token', bool(tokenizerConfig.add_bos_token === true && hasBosPostProcessor(tokenizerJson)));
  out.set('tokenizer.ggml.add_eos_token', bool(false));
  const template = tokenizerConfig.chat_template;
  if (typeof template === 'string') out.set('tokenizer.chat_template', str(template));
  return out;
}

function hasBosPostProcessor(tokenizerJson: Json): boolean {
  const post = tokenizerJson.post_processor as Json | null | undefined;
  return post?.type === 'TemplateProcessing';
}

/** What import needs of the GGUF metadata (values as @huggingface/gguf parses them). */
export type GgufMetadata = Record<string, unknown>;

/** tokenizer.json + tokenizer_config.json rebuilt from tokenizer.* metadata. */
export function tokenizerFromGguf(meta: GgufMetadata, file: string): { tokenizerJson: Json; tokenizerConfig: Json; eosIds: number[]; bosId: number | null } {
  const kind = meta['tokenizer.ggml.model'];
  if (kind !== 'gpt2') throw new GgufTokenizerError(file, `tokenizer.ggml.model is ${JSON.stringify(kind ?? null)}`);
  const preName = typeof meta['tokenizer.ggml.pre'] === 'string' ? (meta['tokenizer.ggml.pre'] as string) : 'gpt-2';
  const pre = PRE_TOKENIZERS[preName];
  if (!pre) throw new GgufTokenizerError(file, `pre-tokenizer "${preName}" (tokenizer.ggml.pre) is not one Attune rebuilds (gpt-2, qwen2, llama-bpe)`);
  const tokens = meta['tokenizer.ggml.tokens'];
  const types = meta['tokenizer.ggml.token_type'];
  const merges = meta['tokenizer.ggml.merges'];
  if (!Array.isArray(tokens) || tokens.length === 0 || !tokens.every((t) => typeof t === 'string')) {
    throw new GgufTokenizerError(file, 'tokenizer.ggml.tokens is missing or not a list of strings');
  }
  if (!Array.isArray(merges)) throw new GgufTokenizerError(file, 'tokenizer.ggml.merges is missing');
  if (types !== undefined && (!Array.isArray(types) || types.length !== tokens.length)) {
    throw new GgufTokenizerError(file, 'tokenizer.ggml.token_type does not have one entry per token');
  }
  const vocab: Record<string, number> = {};
  const added: Json[] = [];
  tokens.forEach((token: string, id: number) => {
    const type = Number((types as unknown[] | undefined)?.[id] ?? TokenType.NORMAL);
    if (type === TokenType.UNUSED) return;
    vocab[token] = id;
    if (type === TokenType.CONTROL || type === TokenType.USER_DEFINED) {
      added.push({ id, content: token, single_word: false, lstrip: false, rstrip: false, normalized: false, special: type === TokenType.CONTROL });
    }
  });
  const idKey = (key: string): number | null => {
    const v = meta[key];
    const id = typeof v === 'bigint' ? Number(v) : v;
    return typeof id === 'number' && Number.isInteger(id) && id >= 0 && id < tokens.length ? id : null;
  };
  const bosId = idKey('tokenizer.ggml.bos_token_id');
  const eosId = idKey('tokenizer.ggml.eos_token_id');
  const eotId = idKey('tokenizer.ggml.eot_token_id');
  const padId = idKey('tokenizer.ggml.padding_token_id');
  const addBos = meta['tokenizer.ggml.add_bos_token'] === true && bosId !== null;
  const tokenizerJson: Json = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: added,
    normalizer: pre.normalizer,
    pre_tokenizer: pre.preTokenizer,
    post_processor: addBos
      ? {
          type: 'TemplateProcessing',
          single: [{ SpecialToken: { id: tokens[bosId!], type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
          pair: [{ SpecialToken: { id: tokens[bosId!], type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { Sequence: { id: 'B', type_id: 1 } }],
          special_tokens: { [tokens[bosId!] as string]: { id: tokens[bosId!], ids: [bosId], tokens: [tokens[bosId!]] } },
        }
      : null,
    decoder: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab,
      merges,
    },
  };
  const name = (id: number | null) => (id === null ? null : tokens[id]);
  const tokenizerConfig: Json = {
    tokenizer_class: 'PreTrainedTokenizerFast',
    bos_token: name(bosId),
    eos_token: name(eosId),
    pad_token: name(padId),
    unk_token: null,
    add_bos_token: addBos,
    add_eos_token: false,
    clean_up_tokenization_spaces: false,
  };
  if (typeof meta['tokenizer.chat_template'] === 'string') tokenizerConfig.chat_template = meta['tokenizer.chat_template'];
  const eosIds = [...new Set([eosId, eotId].filter((id): id is number => id !== null))];
  return { tokenizerJson, tokenizerConfig, eosIds, bosId };
}
