// The small files of a model folder (config.json, tokenizer files, generation_config.json) that a
// fully fine-tuned model keeps from its base: the architecture and vocabulary do not change.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_FILE, OPTIONAL_FILES, TOKENIZER_FILE } from '../model-store/model-files';

export function readModelFolderFiles(dir: string): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  for (const name of [CONFIG_FILE, TOKENIZER_FILE, ...OPTIONAL_FILES]) {
    const path = join(dir, name);
    if (existsSync(path)) files.set(name, new Uint8Array(readFileSync(path)));
  }
  return files;
}
