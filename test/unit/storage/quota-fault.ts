// Makes the real (fake-indexeddb) object stores refuse writes the way a full disk does: `put`
// and `add` throw a DOMException named QuotaExceededError. The repositories and the engine run
// unchanged on top; only the browser's store is wrapped.
import 'fake-indexeddb/auto';

export interface QuotaFault {
  /** Writes refused so far. */
  readonly refused: number;
  /** Lets writes through again ("the user freed some space"). */
  restore(): void;
}

/**
 * Refuses every put/add into one of `stores` for which `when(value)` is true (by default all of
 * them) until `restore()` is called.
 */
export function refuseWrites(stores: readonly string[], when: (value: unknown) => boolean = () => true): QuotaFault {
  const proto = IDBObjectStore.prototype;
  const originals = { put: proto.put, add: proto.add };
  let refused = 0;
  let active = true;
  const wrap = (original: typeof proto.put): typeof proto.put =>
    function (this: IDBObjectStore, value: unknown, key?: IDBValidKey) {
      if (active && stores.includes(this.name) && when(value)) {
        refused += 1;
        throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      }
      return key === undefined ? original.call(this, value) : original.call(this, value, key);
    };
  proto.put = wrap(originals.put);
  proto.add = wrap(originals.add);
  return {
    get refused() {
      return refused;
    },
    restore() {
      active = false;
      proto.put = originals.put;
      proto.add = originals.add;
    },
  };
}
