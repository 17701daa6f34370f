// Chat templates: the model's own Jinja template from tokenizer_config.json, rendered with
// @huggingface/jinja, or a plain instruction template when the model ships none.
import { Template } from '@huggingface/jinja';
import { ModelError } from './errors';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatTemplateOptions {
  /** Append the opening of an assistant turn so the model writes the reply. */
  addGenerationPrompt: boolean;
}

/** The template could not be parsed or rendered. */
export class ChatTemplateError extends ModelError {
  constructor(detail: string) {
    super('error.chat-template', { detail });
  }
}

/**
 * Used when tokenizer_config.json has no chat_template: an Alpaca-style instruction layout that
 * small base models follow reasonably. Written in Jinja so both paths render the same way.
 */
export const PLAIN_INSTRUCTION_TEMPLATE =
  "{% for message in messages %}" +
  "{% if message['role'] == 'system' %}{{ message['content'] }}\n\n" +
  "{% elif message['role'] == 'user' %}### Instruction:\n{{ message['content'] }}\n\n" +
  "{% else %}### Response:\n{{ message['content'] }}{{ eos_token }}\n\n{% endif %}" +
  "{% endfor %}" +
  "{% if add_generation_prompt %}### Response:\n{% endif %}";

export class ChatTemplate {
  private readonly template: Template;

  constructor(
    readonly source: string,
    private readonly specialTokens: Record<string, string>,
  ) {
    try {
      this.template = new Template(source);
    } catch (e) {
      throw new ChatTemplateError(`it does not parse (${(e as Error).message})`);
    }
  }

  render(messages: readonly ChatMessage[], options: ChatTemplateOptions): string {
    try {
      return this.template.render({
        ...this.specialTokens,
        messages,
        add_generation_prompt: options.addGenerationPrompt,
      });
    } catch (e) {
      throw new ChatTemplateError((e as Error).message);
    }
  }
}

/** Reads chat_template (a string, or a list of named templates: "default" wins) from tokenizer_config.json. */
export function chatTemplateSource(tokenizerConfig: Record<string, unknown>): string | null {
  const value = tokenizerConfig.chat_template;
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) {
    const named = value as { name?: string; template?: string }[];
    return (named.find((t) => t.name === 'default') ?? named[0])?.template ?? null;
  }
  return null;
}
