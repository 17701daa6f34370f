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
import * as tf from '@tensorflow/tfjs';

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
 * `fn` must be deterministic (a dropout needs a fixed seed): it runs twice while training.
 * Outside a gradient computation it is simply `fn(...)`.
 */
export function recompute(
  fn: (...tensors: tf.Tensor[]) => tf.Tensor,
  inputs: readonly tf.Tensor[],
  constants: readonly tf.Tensor[] = [],
  variables: readonly tf.Variable[] = [],
): tf.Tensor {
  if (!outermostTapeRecording()) return fn(...inputs, ...constants);
  const nIn = inputs.length;
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const given = args.slice(0, nIn) as tf.Tensor[];
    // Constants are saved but are not inputs of the op: nothing asks for their gradients.
    save([...given, ...constants]);
    return {
      value: fn(...given, ...constants),
      gradFunc: (dy, saved) => {
        const savedInputs = saved.slice(0, nIn);
        const xs = [...savedInputs, ...variables];
        const grads = nestedGradients(() => fn(...saved), xs, dy as tf.Tensor);
        return grads.map((g, i) => g ?? tf.zeros(xs[i]!.shape, 'float32'));
      },
    };
  });
  return op(...inputs, ...variables) as tf.Tensor;
}

/** engine.gradients from inside a gradient function, keeping the outer pass's tape intact. */
function nestedGradients(f: () => tf.Tensor, xs: tf.Tensor[], dy: tf.Tensor): (tf.Tensor | undefined)[] {
  const e = engine();
  const outerTape = e.state.activeTape;
  const outerDepth = e.state.gradientDepth;
  e.state.activeTape = null;
  e.state.gradientDepth = 0;
  try {
    const { value, grads } = e.gradients(f, xs, dy, true);
    value.dispose();
    return grads;
  } finally {
    e.state.activeTape = outerTape;
    e.state.gradientDepth = outerDepth;
  }
}
