// The one place methods are registered. The table is typed by the closed MethodName union, so a
// new method name that is not registered here (or a registered one without a name) fails to compile.
import { UnknownMethodError } from './errors';
import { loraMethod } from './methods/lora/method';
import { promptTuningMethod } from './methods/prompt-tuning/method';
import type { MethodName, TuningMethod } from './types';

const METHODS: { readonly [N in MethodName]: TuningMethod<N> } = {
  lora: loraMethod,
  'prompt-tuning': promptTuningMethod,
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

/** The method that reads a PEFT adapter of this `peft_type` (LORA, PROMPT_TUNING, ...). */
export function methodForPeftType(peftType: string): TuningMethod {
  const method = allMethods().find((m) => m.peftType === peftType);
  if (!method) throw new UnknownMethodError(peftType, allMethods().map((m) => m.peftType), 'peft-type');
  return method;
}
