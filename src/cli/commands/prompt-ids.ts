// Turning --prompt (and --chat) into token ids, shared by generate and logits.
import { UsageError, type FlagSpecs, type FlagValues } from '../args';
import type { LoadedModel } from '../../model';

export const PROMPT_FLAGS: FlagSpecs = {
  prompt: { type: 'string', required: true, description: 'the prompt text' },
  chat: { type: 'boolean', description: "wrap the prompt as a user message in the model's chat template" },
};

export function promptIds(model: LoadedModel, flags: FlagValues): number[] {
  if (!model.tokenizer) throw new UsageError('this model has no tokenizer.json, so text prompts cannot be encoded; add the tokenizer.json that came with the model to its folder');
  const text = flags.chat
    ? model.tokenizer.applyChatTemplate([{ role: 'user', content: flags.prompt as string }], { addGenerationPrompt: true })
    : (flags.prompt as string);
  const ids = model.tokenizer.encode(text);
  if (ids.length === 0) throw new UsageError('the prompt encodes to no tokens');
  return ids;
}
