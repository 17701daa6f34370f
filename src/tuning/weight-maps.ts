// Weight maps derived from a base map (a merge, a method's trained copies) share every tensor they
// did not change; freeing one must leave the base intact.
import type { WeightMap } from '../model/types';

/** Disposes the tensors of `derived` that are not shared with `original`. */
export function disposeReplaced(derived: WeightMap, original: WeightMap): void {
  for (const [name, tensor] of derived) {
    if (original.get(name) !== tensor) tensor.dispose();
  }
}
