// The one place methods are listed: one line per method. Everything that offers a choice of
// method (the Train view through the engine, CLI flags and usage, resume, adapter names, merging,
// the contract tests) iterates over this table. The table is typed by MethodName, the names the
// method folders declare, so a declared method that is not registered here fails to compile.
import { UnknownMethodError } from './errors';
import { fullMethod } from './methods/full/method';
import { adapterMethod } from './methods/adapter/method';
import { ia3Method } from './methods/ia3/method';
import { lightweightMethod } from './methods/lightweight/method';
import { lnTuningMethod } from './methods/ln-tuning/method';
import { instructionPromptTuningMethod } from './methods/instruction-prompt-tuning/method';
import { loraMethod } from './methods/lora/method';
import { pTuningMethod } from './methods/p-tuning/method';
import { pTuningV2Method } from './methods/p-tuning-v2/method';
import { prefixTuningMethod } from './methods/prefix-tuning/method';
import { promptTuningMethod } from './methods/prompt-tuning/method';
import type { MethodName, MethodSummary, TuningMethod } from './types';

const METHODS: { readonly [N in MethodName]: TuningMethod<N> } = {
  lora: loraMethod,
  'prompt-tuning': promptTuningMethod,
  ia3: ia3Method,
  'p-tuning-v2': pTuningV2Method,
  'prefix-tuning': prefixTuningMethod,
  'ln-tuning': lnTuningMethod,
  lightweight: lightweightMethod,
  full: fullMethod,
  adapter: adapterMethod,
  'p-tuning': pTuningMethod,
  'instruction-prompt-tuning': instructionPromptTuningMethod,
};

export const METHOD_NAMES = Object.keys(METHODS) as MethodName[];

export function isMethodName(name: string): name is MethodName {
  return Object.hasOwn(METHODS, name);
}

export function getMethod<N extends MethodName>(name: N): TuningMethod<N> {
  const method = METHODS[name] as TuningMethod<N> | undefined;
  if (!method) throw new UnknownMethodError(name, METHOD_NAMES);
  return method;
}

/** Every registered method, for UIs and the shared contract test. */
export function allMethods(): TuningMethod[] {
  return METHOD_NAMES.map((name) => METHODS[name] as TuningMethod);
}

/** What pages show of every method (labels, descriptions, fields, defaults), as plain data. */
export function methodSummaries(): MethodSummary[] {
  return allMethods().map((m) => ({
    name: m.name,
    text: m.text,
    fields: [...m.fields],
    optimizer: m.optimizer,
    mergeable: m.merge !== undefined,
    continuable: m.continueRefusal === undefined,
  }));
}

/**
 * The method that reads a PEFT adapter of this `peft_type` (LORA, PROMPT_TUNING, ...); where
 * methods share the type, the one whose `readsPeft` accepts the rest of adapter_config.json. A
 * method that claims the file through `readsPeft` wins over one that takes every file of its type
 * (a PROMPT_TUNING file with Attune's retrieval settings is instruction prompt tuning's).
 */
export function methodForPeftType(peftType: string, config: Record<string, unknown> = {}): TuningMethod {
  const ofType = allMethods().filter((m) => m.peftType === peftType);
  const method = ofType.find((m) => m.readsPeft?.(config) === true) ?? ofType.find((m) => m.readsPeft === undefined);
  if (!method) throw new UnknownMethodError(peftType, [...new Set(allMethods().map((m) => m.peftType))], 'peft-type');
  return method;
}
