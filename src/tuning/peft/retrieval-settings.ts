// Attune's retrieval settings inside adapter_config.json: an adapter trained with retrieved
// demonstrations (TuningMethod.demonstrations) records how many it saw, so every place that uses
// it (CLI generate/eval, the chat) retrieves the same way. PEFT ignores the unknown key with a
// warning (PeftConfig.from_peft_type drops unexpected keyword arguments) and loads the rest.
// Pure data: the side panel reads it without TensorFlow.js.
import { AdapterFormatError } from '../errors';
import type { JsonObject } from './fields';

/** The extra adapter_config.json key. */
export const RETRIEVAL_SETTINGS_KEY = 'attune_retrieval';

/** At most this many demonstrations: each one costs a whole example of context. */
export const MAX_DEMONSTRATIONS = 8;

export interface RetrievalSettings {
  /** Demonstrations put before every request: the K most similar captured examples. */
  demonstrations: number;
}

/** The key as written: what is retrieved, from where, and how it is shown to the model. */
export function retrievalSettingsFields(settings: RetrievalSettings): JsonObject {
  return {
    [RETRIEVAL_SETTINGS_KEY]: {
      demonstrations: settings.demonstrations,
      // Documented so another tool can reproduce it: BM25 over instruction + input, best first,
      // each shown as an earlier user turn and its output as the assistant's answer.
      retriever: 'bm25',
      match: 'instruction+input',
      rendering: 'chat-turns',
    },
  };
}

/** Whether this adapter_config.json carries Attune's retrieval settings. */
export function hasRetrievalSettings(config: JsonObject): boolean {
  return Object.hasOwn(config, RETRIEVAL_SETTINGS_KEY);
}

/** The settings in this adapter_config.json; null when it has none. Refuses a malformed key. */
export function readRetrievalSettings(config: JsonObject): RetrievalSettings | null {
  if (!hasRetrievalSettings(config)) return null;
  const value = config[RETRIEVAL_SETTINGS_KEY];
  const k = typeof value === 'object' && value !== null ? (value as JsonObject).demonstrations : undefined;
  if (typeof k !== 'number' || !Number.isInteger(k) || k < 1 || k > MAX_DEMONSTRATIONS) {
    throw new AdapterFormatError(
      `adapter_config.json field "${RETRIEVAL_SETTINGS_KEY}.demonstrations" must be a whole number from 1 to ${MAX_DEMONSTRATIONS}`,
    );
  }
  return { demonstrations: k };
}

/** Demonstrations a stored adapter asks for (0 for none, or for a config that cannot be read). */
export function demonstrationsOf(config: JsonObject): number {
  try {
    return readRetrievalSettings(config)?.demonstrations ?? 0;
  } catch {
    return 0;
  }
}
