// Runs the product's own JS libraries on the model files, for the Python tests to compare against:
// @huggingface/tokenizers (encode/decode with tokenizer.json) and @huggingface/jinja (chat template).
// stdin:  {"modelDir": "...", "texts": [string], "conversations": [{"messages": [...], "addGenerationPrompt": bool}]}
// stdout: {"encoded": [{"ids": [int], "decoded": string}], "rendered": [string]}
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Tokenizer } from "@huggingface/tokenizers";
import { Template } from "@huggingface/jinja";

const request = JSON.parse(readFileSync(0, "utf8"));
const tokenizerJson = JSON.parse(readFileSync(join(request.modelDir, "tokenizer.json"), "utf8"));
const tokenizerConfig = JSON.parse(readFileSync(join(request.modelDir, "tokenizer_config.json"), "utf8"));
const tokenizer = new Tokenizer(tokenizerJson, tokenizerConfig);
const template = new Template(tokenizerConfig.chat_template);

const encoded = (request.texts ?? []).map((text) => {
  const { ids } = tokenizer.encode(text, { add_special_tokens: false });
  return { ids, decoded: tokenizer.decode(ids, { skip_special_tokens: false }) };
});
const rendered = (request.conversations ?? []).map(({ messages, addGenerationPrompt }) =>
  template.render({ messages, add_generation_prompt: addGenerationPrompt }),
);
process.stdout.write(JSON.stringify({ encoded, rendered }));
