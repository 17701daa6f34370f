// Retrieved demonstrations for an adapter trained with them (TuningMethod.demonstrations, e.g.
// instruction-prompt-tuning): generate and eval retrieve K of the --pool examples for every
// request, exactly as training did, so the adapter sees the turns it was trained on.
import type { FlagSpecs } from './args';
import { getMethod } from '../tuning/registry';
import type { Adapter } from '../tuning/types';

export const POOL_FLAG: FlagSpecs = {
  pool: {
    type: 'string',
    description: 'examples to retrieve demonstrations from (JSONL of {instruction, input?, output}): for --icl, and for an adapter trained with demonstrations',
  },
};

/** Demonstrations the adapter asks for; 0 without an adapter or for methods that use none. */
export function adapterDemonstrations(adapter: Adapter | null): number {
  if (!adapter) return 0;
  return getMethod(adapter.method).demonstrations?.(adapter.config) ?? 0;
}

/** The line printed when such an adapter runs without a pool: it still works, but not as trained. */
export function noPoolWarning(k: number): string {
  return `note: this adapter was trained with ${k} retrieved demonstration(s) before every request; give --pool <examples.jsonl> to retrieve them (running without)\n`;
}
