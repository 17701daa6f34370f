// tokenizer.json via the maintained @huggingface/tokenizers, plus the chat template.
import { Tokenizer } from '@huggingface/tokenizers';
import { ChatTemplate, chatTemplateSource, PLAIN_INSTRUCTION_TEMPLATE, type ChatMessage, type ChatTemplateOptions } from './chat-template';
import { CorruptModelFileError, MissingModelFileError, TokenizerMismatchError, UnsupportedModelError } from './errors';
import type { ModelConfig } from './types';

export interface ModelTokenizer {
  encode(text: string, options?: { addSpecialTokens?: boolean }): number[];
  decode(ids: readonly number[], options?: { skipSpecialTokens?: boolean }): string;
  applyChatTemplate(messages: readonly ChatMessage[], options: ChatTemplateOptions): string;
  /** Token ids that end generation: config.json's eos ids plus the tokenizer's eos token. */
  eosTokenIds: number[];
  /** Whether the chat template came from the model (false: the plain instruction fallback). */
  hasModelChatTemplate: boolean;
  tokenToId(token: string): number | undefined;
}

export function loadTokenizer(files: ReadonlyMap<string, Uint8Array>, config: ModelConfig): ModelTokenizer {
  const tokenizerJson = parseJsonFile(files, 'tokenizer.json', true)!;
  const tokenizerConfig = parseJsonFile(files, 'tokenizer_config.json', false) ?? {};
  const tokenizer = createTokenizer(tokenizerJson, tokenizerConfig);
  checkVocabulary(tokenizerJson, config.vocabSize);
  const specialTokens = specialTokenStrings(tokenizerConfig);
  const modelTemplate = chatTemplateSource(tokenizerConfig);
  const template = new ChatTemplate(modelTemplate ?? PLAIN_INSTRUCTION_TEMPLATE, specialTokens);
  const eosTokenIds = [...config.eosTokenIds];
  const eosFromTokenizer = specialTokens.eos_token ? tokenizer.token_to_id(specialTokens.eos_token) : undefined;
  if (eosFromTokenizer !== undefined && !eosTokenIds.includes(eosFromTokenizer)) eosTokenIds.push(eosFromTokenizer);
  return {
    encode: (text, options) => tokenizer.encode(text, { add_special_tokens: options?.addSpecialTokens ?? true }).ids,
    decode: (ids, options) => tokenizer.decode([...ids], { skip_special_tokens: options?.skipSpecialTokens ?? false }),
    applyChatTemplate: (messages, options) => template.render(messages, options),
    eosTokenIds,
    hasModelChatTemplate: modelTemplate !== null,
    tokenToId: (token) => tokenizer.token_to_id(token),
  };
}

function createTokenizer(tokenizerJson: Record<string, unknown>, tokenizerConfig: Record<string, unknown>): Tokenizer {
  try {
    return new Tokenizer(tokenizerJson, tokenizerConfig);
  } catch (e) {
    throw new UnsupportedModelError(`tokenizer.json could not be loaded (${(e as Error).message})`);
  }
}

/**
 * Every prompt must encode to ids the embedding table has rows for: an empty vocabulary encodes
 * nothing, and an id at or past vocab_size would read outside the table (tf.gather does not
 * check). Reads the ids from the JSON itself: BPE/WordPiece map token -> id, Unigram lists
 * [token, score] pairs whose index is the id; added tokens carry their own ids.
 */
function checkVocabulary(json: Record<string, unknown>, vocabSize: number): void {
  const vocab = (json.model as { vocab?: unknown } | undefined)?.vocab;
  if (!vocab || typeof vocab !== 'object') throw new CorruptModelFileError('tokenizer.json', 'it has no "model.vocab"');
  const added = Array.isArray(json.added_tokens) ? (json.added_tokens as { id?: unknown }[]) : [];
  // Loops, not Math.max(...ids): a 150k-entry vocabulary would overflow the argument stack.
  let count = added.length;
  let maxId = -1;
  const see = (id: unknown) => {
    if (typeof id === 'number' && id > maxId) maxId = id;
  };
  if (Array.isArray(vocab)) {
    count += vocab.length;
    see(vocab.length - 1);
  } else {
    for (const id of Object.values(vocab)) {
      count += 1;
      see(id);
    }
  }
  for (const token of added) see(token.id);
  if (count === 0) throw new CorruptModelFileError('tokenizer.json', 'its vocabulary is empty');
  if (maxId >= vocabSize) throw new TokenizerMismatchError(maxId, vocabSize);
}

/** bos/eos/pad/unk tokens as strings (tokenizer_config.json stores a string or {content}). */
function specialTokenStrings(tokenizerConfig: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = { bos_token: '', eos_token: '' };
  for (const key of ['bos_token', 'eos_token', 'pad_token', 'unk_token']) {
    const value = tokenizerConfig[key];
    if (typeof value === 'string') out[key] = value;
    else if (value && typeof value === 'object' && typeof (value as { content?: unknown }).content === 'string') {
      out[key] = (value as { content: string }).content;
    }
  }
  return out;
}

function parseJsonFile(files: ReadonlyMap<string, Uint8Array>, name: string, required: boolean): Record<string, unknown> | null {
  const bytes = files.get(name);
  if (!bytes) {
    if (required) throw new MissingModelFileError(name);
    return null;
  }
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
  } catch (e) {
    throw new CorruptModelFileError(name, `not valid JSON (${(e as Error).message})`);
  }
}
