// The side panel's context fitter as production wires it (engineContextFitter), answered by the
// engine's own `context.fit` on the shipped model's tokenizer (public/model/), with the request
// checked by the engine's validator on the way. No model weights: fitting needs only the tokenizer.
import { readFileSync } from 'node:fs';
import { fitContext } from '../../../../src/engine/host/context-fit';
import type { ContextFitPayload, ContextFitResult } from '../../../../src/engine/protocol/types';
import { isEngineRequest } from '../../../../src/engine/protocol/validate';
import type { LoadedModel } from '../../../../src/model';
import { parseConfig } from '../../../../src/model/config';
import { loadTokenizer } from '../../../../src/model/tokenizer';
import { engineContextFitter } from '../../../../src/ui/chat/context-fitter';

const files = new Map(
  ['config.json', 'tokenizer.json', 'tokenizer_config.json'].map((name) => [name, new Uint8Array(readFileSync(`public/model/${name}`))]),
);
const config = parseConfig(new TextDecoder().decode(files.get('config.json')));
export const shippedTokenizer = loadTokenizer(files, config);
const shipped = { config, tokenizer: shippedTokenizer } as unknown as LoadedModel;

/** Tokens of `text` as the engine counts them. */
export const tokensOf = (text: string) => shippedTokenizer.encode(text, { addSpecialTokens: false }).length;

/** Requests the fitter sent, for tests that check what reached the engine. */
export const fitRequests: ContextFitPayload[] = [];

export const shippedFitter = engineContextFitter({
  async request(kind, payload): Promise<ContextFitResult> {
    if (!isEngineRequest({ kind, id: 'fit', payload }, () => false)) throw new Error('malformed context.fit request');
    fitRequests.push(payload);
    return fitContext(shipped, payload);
  },
});
