// Every error a person can meet, by key: `error.<code>` or `error.<code>.<variant>`. The code is
// stable (pages branch on it, tests assert it); a variant picks the wording when the same failure
// reads differently (a tag or none, a known status or not). The English text is also the error's
// `message` (logs, the CLI), so the catalogue is the only place these sentences live.
// {name} placeholders are filled from the error's params.

import { registerCatalogue, type AreaCatalogue } from './index';
import { errorsZhCN } from './errors.zh_CN';

export const errorsEn = {
  // ---- model files and the model itself --------------------------------------------------------
  // ---- GGUF (llama.cpp's format): src/interop/gguf/ -----------------------------------------------
  'error.gguf-corrupt': '{file} is not a readable GGUF file: {detail}. Re-download or re-export it.',
  'error.gguf-unsupported.tensor-type': '{file}: tensor "{tensor}" is stored as {type}, which Attune cannot read. Supported: F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q6_K.',
  'error.gguf-unsupported.architecture': '{file}: architecture "{architecture}" is not supported. Attune reads llama and qwen2 GGUF files.',
  'error.gguf-unsupported.tokenizer': '{file}: {detail}. Attune reads GGUF files with a byte-level BPE tokenizer (tokenizer.ggml.model "gpt2").',
  'error.gguf-export': 'Cannot export as GGUF: {detail}.',
  'error.model-file-corrupt': '{file} is corrupt or truncated: {detail}. Re-download or re-export the model file.',
  'error.model-file-missing': 'The model is missing {file}. Add it next to the other model files.',
  'error.model-file-missing.hint': 'The model is missing {file}. {hint}',
  'error.model-folder-missing': 'No model folder at {path}. {hint}',
  'error.tensor-missing': 'The checkpoint has no tensor "{tensor}" (expected shape [{expected}]). Check that config.json matches the weights.',
  'error.tensor-unexpected':
    'The checkpoint has an unexpected tensor "{tensor}" that the model config.json describes does not use (more layers or other modules). Check that config.json matches the weights.',
  'error.tensor-shape': 'Tensor "{tensor}" has shape [{actual}] but config.json implies [{expected}]. The weights and config.json do not belong together.',
  'error.tokenizer-mismatch':
    "tokenizer.json has token id {tokenId} but config.json's vocab_size is {vocabSize}: the tokenizer belongs to another model. Use the tokenizer.json that came with these weights.",
  'error.model-unsupported': 'Unsupported model: {detail}. Supported: GPT-2 and Llama/Qwen2/SmolLM/Mistral-style decoders.',
  'error.model-config-invalid': 'config.json is invalid: {detail}. Fix it or re-download the model.',
  'error.chat-template': "The model's chat template failed: {detail}. Edit chat_template in tokenizer_config.json or remove it to use the plain template.",
  'error.invalid-input': '{detail}',
  'error.generation-cancelled': 'Generation was cancelled.',
  'error.recompute-mismatch':
    'A recomputed block ran differently the second time ({detail}); its kept frozen-product outputs do not fit. Train with full recomputation and report this as a bug.',

  // ---- getting a model onto the device ----------------------------------------------------------
  'error.model-url-invalid': '"{input}" is not a model address: {detail}. Enter a folder URL such as https://huggingface.co/<org>/<name>/resolve/main/',
  'error.download-http': 'Downloading {url} failed: the server answered HTTP {status}.',
  'error.download-http.gated':
    'Downloading {url} failed: the server answered HTTP {status} (the model may be private or gated; download it in the browser and import the files instead).',
  'error.download-http.not-found': 'Downloading {url} failed: the server answered HTTP {status} (no such file: check the address and the branch, e.g. resolve/main/).',
  'error.download-http.server': 'Downloading {url} failed: the server answered HTTP {status} (a server problem; try again later).',
  'error.download-network': 'Could not reach {url} ({cause}). Check your connection and the address; the server must allow downloads from the browser.',
  'error.download-truncated': '{file} stopped after {received} of {expected} ({receivedBytes} of {expectedBytes} bytes). Nothing was kept; try the download again.',
  'error.download-cancelled': 'The download was cancelled; nothing was kept.',
  'error.model-storage-full': 'Browser storage ran out while saving the model; nothing was kept. Remove models you no longer use, free disk space, or choose a smaller model.',
  'error.model-storage-full.estimate':
    'The model needs {needed} but only {available} of browser storage is free. Remove models you no longer use, free disk space, or choose a smaller model.',
  'error.host-permission': '{origin} does not allow downloads from the browser, so Attune needs your permission to read from it. Press Download again and choose "Allow".',
  'error.stored-model-missing': 'The model "{id}" is not on this device any more; reload the model list.',
  'error.bundled-model-removal': 'The default model ships with Attune and cannot be removed.',

  // ---- compute backends ------------------------------------------------------------------------
  'error.model-too-large-for-gpu':
    'The weight "{tensor}" needs {size} ({tensorBytes} bytes) in one GPU buffer, but this GPU allows at most {limit} ({limitName} = {limitBytes} bytes). Switch the compute backend to WASM, or choose a smaller model.',
  'error.no-backend': 'No compute backend could start: {failures}. Try reloading the page or another browser.',

  // ---- local storage ---------------------------------------------------------------------------
  'error.storage-full':
    'Browser storage for Attune is full, so nothing was saved. Delete examples, models or adapters you no longer need (Dashboard → Settings shows usage), then try again.',
  'error.storage-full.checkpoint':
    'Browser storage is full, so the checkpoint at step {step} was not saved. Training goes on; if it is interrupted, it continues from step {savedStep}. Free some space (Dashboard → Settings shows usage) and the next checkpoint is saved.',
  'error.storage-full.checkpoint-none':
    'Browser storage is full, so the checkpoint at step {step} was not saved. Training goes on; if it is interrupted, it starts again from the beginning. Free some space (Dashboard → Settings shows usage) and the next checkpoint is saved.',
  'error.storage-full.adapter':
    'Browser storage is full, so the trained adapter was not saved (your other adapters are unchanged). Delete examples, models or adapters you no longer need (Dashboard → Settings shows usage), then train again.',
  'error.storage-unavailable':
    'Attune could not open its local database ({cause}). Your data has not been changed; close other Attune tabs and reload, or restart the browser.',
  'error.storage-blocked': 'Another Attune tab or window is still open with an older version; close it, then reload.',
  'error.invalid-example': 'The example was not saved: {problems}',
  'error.example-missing': 'Example {id} no longer exists (it may have been deleted in another tab); reload the list.',
  'error.example-duplicate': 'An example with the same instruction, input and output already exists; nothing was changed.',
  'error.training-run-missing': 'Training run {id} no longer exists; reload the list.',
  'error.conversation-missing': 'Conversation {id} no longer exists (it may have been deleted in another window); start a new one.',
  'error.invalid-message': '{detail}',
  'error.conversation-title': 'A conversation name needs some text and at most {max} characters.',
  'error.invalid-template': '{detail}',
  'error.import-unreadable': 'This file is not a JSON array or JSON Lines file of examples ({detail}). Nothing was imported.',

  // ---- tuning ----------------------------------------------------------------------------------
  'error.tuning-config': 'Invalid tuning setting "{field}": {detail}',
  'error.tuning-config.missing-part': 'Cannot train part "{part}": {family} models have no {part} parameters. Parts this model has: {available}.',
  'error.unknown-method': 'Unknown tuning method "{method}". Known methods: {known}.',
  'error.unknown-peft-type': 'Cannot read the adapter: adapter_config.json "peft_type" is "{peftType}"; Attune reads {known}. Load an adapter of one of those types.',
  'error.adapter-mismatch': 'This adapter does not fit the loaded model: {reason}. Load the base model it was trained on.',
  'error.adapter-mismatch.other-model': '"{name}" was trained on another model ({modelId}). Make that model active in the Models tab to use it.',
  'error.adapter-format': 'Cannot read the adapter: {reason}. Export the adapter again (PEFT save_pretrained or Attune) and load that.',
  'error.adapter-format.complete': 'Cannot read the adapter: {reason}',
  'error.training-data': '{detail}',
  'error.training-data.no-tokenizer': 'This model has no tokenizer.json, so examples cannot be turned into tokens.',
  'error.training-data.none': 'There are no training examples; capture or import some first.',
  'error.training-data.none-usable': 'No usable training examples: every example is empty or too long.',
  'error.training-worker': 'Training worker {worker} stopped: {detail}',
  'error.training-diverged':
    'Training stopped at step {step}: the loss became NaN or infinite. The adapter from the last good step was kept. Try a lower learning rate.',
  'error.too-large-to-train.weights':
    "Training this model needs about {fixed} for its weights and training state before any example, more than the {backend} backend can use ({usable}). Choose a smaller model.",
  'error.too-large-to-train.length':
    'Even one example of {length} tokens needs about {needed} on the {backend} backend, which can use {usable}. Limit examples to {fits} tokens (Advanced → Longest example), or choose a smaller model.',
  'error.too-large-to-train.model':
    'Even one example needs about {needed} on the {backend} backend, which can use {usable}. Choose a smaller model.',
  'error.too-large-to-train.buffer':
    "One tensor of this run needs {largest}, more than the {backend} backend's largest buffer ({limit}). Switch the compute backend to WASM, or choose a smaller model.",
  'error.snapshot-mismatch': 'Cannot resume training from this checkpoint: {reason}. Start a new run instead.',

  // ---- the engine ------------------------------------------------------------------------------
  'error.no-model': 'No model is installed. Open the Models tab and import or download one.',
  'error.no-tokenizer': 'This model has no tokenizer.json, so text cannot be encoded. Import the model with its tokenizer.',
  'error.adapter-version-missing': 'Version {version} of adapter {id} no longer exists; reload the adapter list.',
  'error.adapter-not-found': 'Adapter {id} no longer exists; reload the adapter list.',
  'error.busy': 'A training run is already going on. Wait for it to finish, or cancel it first.',
  'error.busy.model': 'The engine is busy with another model (training or a reply). Try again when it is done.',
  'error.not-running': 'There is no training run to {action}.',
  'error.no-examples': 'There are no examples yet. Capture or import some first.',
  'error.no-examples.tag': 'No examples have the tag "{tag}". Choose another tag or all examples.',
  'error.no-new-examples': 'No new examples to continue "{name}" with: every selected example was already used by its versions. Capture or correct some answers first, or start a new adapter.',
  'error.cannot-continue': '"{name}" cannot be trained further: {reason}. Start a new adapter instead.',
  'error.examples-deleted': '{missing} example(s) this run trains on were deleted, so it cannot continue. Start a new run.',
  'error.cancelled': 'Stopped.',
  'error.not-mergeable': 'This adapter cannot be merged: {reason}. It still works unmerged.',
  'error.not-mixable': '"{name}" is a {method} adapter; only LoRA adapters can be mixed.',
  'error.malformed': 'The engine cannot read this request.',
  'error.malformed.empty-prompt': 'The prompt is empty.',
  'error.engine-unavailable': 'The on-device engine is not available: {detail}. Reload the extension and try again.',
  'error.internal': '{detail}',

  // ---- messages between the extension's parts ----------------------------------------------------
  'error.foreign-sender': 'Messages are accepted only from Attune itself.',
  'error.not-allowed.engine': 'Only Attune pages may start the engine.',
  'error.not-allowed.page-only': '"{kind}" may only come from an extension page.',
  'error.malformed.message': 'Malformed "{kind}" message.',
  'error.malformed.template-name': 'A template name needs 1–{max} characters.',
  'error.malformed.template-instruction': 'A template instruction needs 1–{max} characters.',
  'error.no-receiver.background': 'No answer from the extension background. Reload the page or the extension and try again.',
  'error.no-receiver.page': 'No answer from the page. Reload the page or the extension and try again.',

  // ---- the assistant and the CLI ----------------------------------------------------------------
  'error.page-unreadable': "This page's text cannot be read ({detail}). Open a normal web page, click the Attune icon once on it, and try again.",
  'error.empty-selection': 'Nothing is selected on the page. Select some text first, or use the whole page.',
  'error.usage': '{detail}',

  // ---- adapter bindings (src/binding/) ------------------------------------------------------------
  'error.site-pattern.empty': 'A site pattern is empty. Write a host such as docs.python.org or *.example.com.',
  'error.site-pattern.too-long': 'Site pattern "{pattern}…" is longer than {max} characters.',
  'error.site-pattern.spaces': 'Site pattern "{pattern}" contains a space; write one pattern per entry, separated by commas.',
  'error.site-pattern.scheme': 'Site pattern "{pattern}": only http:// and https:// pages can be bound (or leave the scheme out for both).',
  'error.site-pattern.wildcard': 'Site pattern "{pattern}": * may only start a host name (*.example.com) or end a path (/wiki/*).',
  'error.site-pattern.host': 'Site pattern "{pattern}" has no valid host name; write e.g. example.com, *.example.com or 127.0.0.1.',
  'error.site-pattern.port': 'Site pattern "{pattern}" has an invalid port; a port is a number from 1 to 65535.',
  'error.site-pattern.path': 'Site pattern "{pattern}" has an invalid path; a path starts with / and * may only follow a / at its end.',
  'error.site-pattern.query': 'Site pattern "{pattern}": ? and # parts of an address cannot be bound; remove them.',
  'error.adapter-bindings.wrong-type': 'Adapter bindings: "{field}" must be a list of text entries.',
  'error.adapter-bindings.too-many': 'Adapter bindings: at most {max} entries in "{field}".',
  'error.adapter-bindings.tag-too-long': 'Adapter bindings: a tag may have at most {max} characters.',
} as const;

export type ErrorKey = keyof typeof errorsEn;

export const errorsCatalogue: AreaCatalogue = { en: errorsEn, zh_CN: errorsZhCN };

registerCatalogue(errorsCatalogue);
