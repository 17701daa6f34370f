// tfjs-wasm's Identity kernel copies the data; the CPU backend's shares it. Identity is behind
// tf.clone and behind every tensor a gradient saves for the backward pass (the engine clones what
// save() and the stock gradients keep), so on wasm each saved activation existed twice. This
// kernel shares the input's buffer instead, as wasm's own Reshape already does (a reference count
// on the data, freed when the last tensor using it is disposed). Measured at 135M, 1 × 128: heap
// 2.52 → 2.30 GiB and 31 → 39 tokens/s (docs/tuning.md).
//
// Why sharing is safe: tensors are immutable, and every tfjs-wasm 4.22 kernel writes only into
// outputs it allocates (makeOutput); Variable.assign swaps the variable's buffer, it does not
// write into it. The wasm kernels that clone internally (Concat of one non-empty input, Reverse
// of a scalar, Transpose with an identity permutation) call the copying identity function of
// their own module, not this registered kernel, so they are unchanged; the tfjs-core callers that
// reach it (engine.clone for saved tensors, tf.clone, broadcastTo/concat/transpose/dropout
// no-ops, AddN's and Cast's gradients) only read what it returns
// (test/unit/backend/shared-identity.test.ts runs each and checks its input is unchanged).
import * as tf from '@tensorflow/tfjs';

interface RefCountingBackend {
  incRef(dataId: tf.DataId): void;
}

function sharedIdentity({ inputs, backend }: { inputs: tf.NamedTensorInfoMap; backend: unknown }): tf.TensorInfo {
  const x = inputs.x!;
  (backend as RefCountingBackend).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

/** Replaces tfjs-wasm's copying Identity kernel with the sharing one (idempotent). Call after importing tfjs-backend-wasm. */
export function installSharedIdentity(): void {
  const current = tf.getKernel('Identity', 'wasm');
  if (current?.kernelFunc === (sharedIdentity as unknown as tf.KernelFunc)) return;
  if (current) tf.unregisterKernel('Identity', 'wasm');
  tf.registerKernel({ kernelName: 'Identity', backendName: 'wasm', kernelFunc: sharedIdentity as unknown as tf.KernelFunc });
}
