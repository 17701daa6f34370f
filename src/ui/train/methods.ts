// The tuning methods as pages see them: asked from the engine (which owns the registry), so pages
// show every registered method without loading tensor code.
import { useEffect, useState } from 'preact/hooks';
import type { EngineClient } from '../../engine/client/engine-client';
import { getLocale } from '../../i18n';
import type { MethodSummary } from '../../tuning/types';

/** The methods the engine trains; null until it answers. */
export function useMethods(engine: EngineClient, onError: (error: unknown) => void): MethodSummary[] | null {
  const [methods, setMethods] = useState<MethodSummary[] | null>(null);
  useEffect(() => {
    let current = true;
    engine
      .request('train.methods', {})
      .then((list) => current && setMethods(list), (error: unknown) => current && onError(error));
    return () => {
      current = false;
    };
  }, [engine]);
  return methods;
}

/** A method's label in the reader's language; its name while the list is not known. */
export function methodLabel(methods: readonly MethodSummary[] | null, name: string): string {
  return methods?.find((m) => m.name === name)?.text[getLocale()].label ?? name;
}
