// Which Architecture drives a config's model family. Its own module so that loading a model
// (model.ts) and running it (forward.ts) can both ask without importing each other.
import type { Architecture } from './architecture';
import { gpt2 } from './gpt2';
import { llama } from './llama';
import type { ModelConfig } from './types';

export function architectureOf(config: ModelConfig): Architecture {
  return config.family === 'gpt2' ? gpt2 : llama;
}
