// Activation recomputation (gradient checkpointing) on top of tf.customGrad.
//
// tfjs keeps every tensor a gradient needs from the forward pass until the backward pass reaches
// it, so a whole model's activations are alive at the end of a forward pass. `recompute(fn, …)`
// runs `fn` with the tape off (customGrad's forward is not recorded) and keeps only its inputs;
// when the backward pass reaches it, `fn` runs again under a tape of its own, its gradients are
// taken at once, and that tape is freed. Only one recomputed section's activations are then alive.
//
// The nested gradient is engine.gradients inside a gradient function. At the outer backward pass
// the gradient depth is back to 0, so engine.gradients would start a fresh tape by replacing the
// engine's active one and end by setting it to null, which breaks the outer pass when it later
// frees its own tape. The outer tape is therefore set aside and put back around the nested call.
//
// With `keepFrozenProducts` (selective recomputation, kept-products.ts) the first run also keeps
// its frozen matrix products' outputs, and the recomputation reuses them instead of multiplying.
import * as tf from '@tensorflow/tfjs';
import { KeptProducts } from './kept-products';

interface EngineState {
  gradientDepth: number;
  kernelDepth: number;
  activeTape: unknown[] | null;
}

interface EngineInternals {
  state: EngineState;
  gradients(f: () => tf.Tensor, xs: tf.Tensor[], dy?: tf.Tensor, allowNoGradients?: boolean): { value: tf.Tensor; grads: (tf.Tensor | undefined)[] };
}

function engine(): EngineInternals {
  return tf.engine() as unknown as EngineInternals;
}

/**
 * True when a gradient tape of the outermost gradient call is recording. Recomputation needs the
 * outer backward pass to run at depth 0 (a higher-order gradient would see a half-freed tape), so
 * it is used only then; otherwise sections run as plain ops.
 */
function outermostTapeRecording(): boolean {
  const state = engine().state;
  return state.gradientDepth === 1 && state.kernelDepth === 0;
}

/**
 * Runs `fn(...inputs, ...constants)` so that its intermediates are not kept for the backward pass.
 *
 * - `inputs`: tensors the result depends on differentiably (their gradients flow back).
 * - `constants`: tensors `fn` reads without needing their gradients (masks, rotary tables). They
 *   are passed in rather than closed over because the backward pass runs after the scope that
 *   made them has been freed; kept copies go along with the section.
 * - `variables`: trainable variables `fn` may read by closure (adapter weights). Their gradients
 *   are summed into the outer gradient; ones `fn` does not use get zeros, so pass only those that
 *   can matter (the cost is one zero tensor per variable per section).
 *
 * `keepFrozenProducts`: keep the outputs of `fn`'s frozen matrix products (layers.ts
 * matMulFrozenWeight) from the first run and reuse them in the recomputation; they are freed when
 * the section's backward has run (or by releaseKeptProducts after a gradient computation that
 * never reached it).
 *
 * `fn` must be deterministic (a dropout needs a fixed seed): it runs twice while training.
 * Outside a gradient computation it is simply `fn(...)`.
 */
export function recompute(
  fn: (...tensors: tf.Tensor[]) => tf.Tensor,
  inputs: readonly tf.Tensor[],
  constants: readonly tf.Tensor[] = [],
  variables: readonly tf.Variable[] = [],
  options: { keepFrozenProducts?: boolean } = {},
): tf.Tensor {
  if (!outermostTapeRecording()) return fn(...inputs, ...constants);
  const nIn = inputs.length;
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const given = args.slice(0, nIn) as tf.Tensor[];
    // Constants are saved but are not inputs of the op: nothing asks for their gradients.
    save([...given, ...constants]);
    const kept = options.keepFrozenProducts ? new KeptProducts() : null;
    let value: tf.Tensor;
    try {
      value = kept ? kept.runRecording(() => fn(...given, ...constants)) : fn(...given, ...constants);
    } catch (error) {
      kept?.dispose();
      throw error;
    }
    return {
      value,
      gradFunc: (dy, saved) => {
        const savedInputs = saved.slice(0, nIn);
        const xs = [...savedInputs, ...variables];
        let grads: (tf.Tensor | undefined)[];
        try {
          grads = nestedGradients(() => (kept ? kept.runReplaying(() => fn(...saved)) : fn(...saved)), xs, dy as tf.Tensor);
        } finally {
          kept?.dispose();
        }
        return grads.map((g, i) => g ?? tf.zeros(xs[i]!.shape, 'float32'));
      },
    };
  });
  return op(...inputs, ...variables) as tf.Tensor;
}

/**
 * A scalar section whose gradient is taken at once, in the forward pass: `fn(...inputs,
 * ...constants)` runs under a tape of its own, its gradients with respect to `inputs` and
 * `variables` (for an upstream gradient of 1) are kept and that tape is freed; the backward pass
 * only scales the kept gradients by the upstream one (exact: the section's output is a scalar, so
 * its upstream gradient is one number). Against `recompute` this saves running `fn` a second time
 * (for the chunked head: one [rows, D] × [D, V] product and the softmax), and keeps the same
 * amount: the inputs' gradients instead of the inputs.
 *
 * Returns null, having kept nothing, when the variables' gradients would hold more than
 * `maxVariableGradElements` numbers (a trained embedding table read by every chunk): the caller
 * then uses `recompute`, which adds each chunk's variable gradients into the pass as it goes.
 * Outside a gradient computation it is simply `fn(...)`.
 */
export function gradientNow(
  fn: (...tensors: tf.Tensor[]) => tf.Scalar,
  inputs: readonly tf.Tensor[],
  constants: readonly tf.Tensor[],
  variables: readonly tf.Variable[],
  maxVariableGradElements: number,
): tf.Scalar | null {
  if (!outermostTapeRecording()) return fn(...inputs, ...constants);
  const xs = [...inputs, ...variables];
  const { value, grads } = nestedValueAndGradients(() => fn(...inputs, ...constants), xs, tf.scalar(1));
  // Only what received a gradient becomes an input of the op: unused variables cost nothing.
  const used = grads.flatMap((g, i) => (g ? [i] : []));
  const variableElements = used.filter((i) => i >= inputs.length).reduce((n, i) => n + grads[i]!.size, 0);
  if (variableElements > maxVariableGradElements) {
    tf.dispose([value, ...grads.filter((g): g is tf.Tensor => g !== undefined)]);
    return null;
  }
  const kept = used.map((i) => grads[i]!);
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    save(kept);
    return {
      value: tf.reshape(value, []),
      gradFunc: (dy, saved) => saved.map((g) => tf.mul(g, dy as tf.Tensor)),
    };
  });
  const out = op(...used.map((i) => xs[i]!)) as tf.Scalar;
  // save() kept its own references; these were only needed until then.
  tf.dispose([value, ...kept]);
  return out;
}

/** engine.gradients from inside a gradient function, keeping the outer pass's tape intact. */
function nestedGradients(f: () => tf.Tensor, xs: tf.Tensor[], dy: tf.Tensor): (tf.Tensor | undefined)[] {
  const { value, grads } = nestedValueAndGradients(f, xs, dy);
  value.dispose();
  return grads;
}

/** engine.gradients under a tape of its own, with the outer pass's tape set aside meanwhile. */
function nestedValueAndGradients(f: () => tf.Tensor, xs: tf.Tensor[], dy: tf.Tensor): { value: tf.Tensor; grads: (tf.Tensor | undefined)[] } {
  const e = engine();
  const outerTape = e.state.activeTape;
  const outerDepth = e.state.gradientDepth;
  e.state.activeTape = null;
  e.state.gradientDepth = 0;
  try {
    const { value, grads } = e.gradients(f, xs, dy, true);
    return { value, grads };
  } finally {
    e.state.activeTape = outerTape;
    e.state.gradientDepth = outerDepth;
  }
}
