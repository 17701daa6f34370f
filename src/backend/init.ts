// Chooses, starts and reports the tfjs compute backend: WebGPU > WebGL > WASM > CPU (software GPUs
// after WASM), unless the user overrides it. A backend that fails to start is skipped with its
// reason, so the user always ends up on something that works and can see why.
import * as tf from '@tensorflow/tfjs';
import { NoBackendAvailableError } from './errors';
import { probeEnvironment } from './probe';
import { planBackends } from './select';
import { installSharedIdentity } from './shared-identity';
import type {
  ActiveBackend,
  BackendName,
  BackendOverride,
  EnvironmentDescription,
  SkippedBackend,
} from './types';
import { configureWasm, wasmPrefixForPage, wasmThreadingForPage } from './wasm';
import { startWithThreads, type WasmThreading } from './wasm-threads';
import { applyWebgpuFlags } from './webgpu-flags';

export interface InitBackendOptions {
  override?: BackendOverride;
  /** Injected in tests; probed from the real environment otherwise. */
  environment?: EnvironmentDescription;
  /** Where the .wasm files live; defaults to the page's /wasm/ folder. Node passes node_modules. */
  wasmPrefix?: string;
  /**
   * Threads for WASM (they need SharedArrayBuffer, so a cross-origin-isolated page or Node): false
   * for one thread; by default a page uses them when it is isolated (wasmThreadingForPage). Node
   * passes wasmThreadingForNode().
   */
  wasmThreads?: WasmThreading | false | null;
}

let active: ActiveBackend | null = null;

/** The backend tfjs runs on now, or null before initBackend(). */
export function getActiveBackend(): ActiveBackend | null {
  return active;
}

/** Loads the backend's module (registering it with tfjs) only when it is about to be tried. */
async function registerBackend(name: BackendName, options: InitBackendOptions): Promise<void> {
  if (name === 'webgpu') await import('@tensorflow/tfjs-backend-webgpu');
  if (name === 'wasm') {
    await import('@tensorflow/tfjs-backend-wasm');
    installSharedIdentity();
    configureWasm(options.wasmPrefix ?? wasmPrefixForPage(), { threads: wasmThreading(options) !== null });
  }
  // 'webgl' and 'cpu' come with the @tensorflow/tfjs umbrella (webgl only in browsers).
}

function wasmThreading(options: InitBackendOptions): WasmThreading | null {
  if (options.wasmThreads === undefined) return wasmThreadingForPage(options.wasmPrefix ?? wasmPrefixForPage());
  return options.wasmThreads || null;
}

/** Starts one backend; returns why it failed, or null on success. */
async function tryBackend(name: BackendName, options: InitBackendOptions): Promise<string | null> {
  try {
    await registerBackend(name, options);
    if (!tf.findBackendFactory(name)) return `tfjs has no ${name} backend in this environment`;
    const threading = name === 'wasm' ? wasmThreading(options) : null;
    const started = threading ? await startWithThreads(threading, () => tf.setBackend(name)) : await tf.setBackend(name);
    if (!started) return `${name} failed to initialise`;
    await tf.ready();
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** The last initBackend() call, settled or not: the next one starts only after it. */
let previousInit: Promise<unknown> = Promise.resolve();

/**
 * Picks and starts the best available backend; safe to call again after the override changes.
 * Calls run one after another: tfjs keeps one global engine, and two overlapping `setBackend`
 * calls corrupt it (the older async init is reported as failed, so its caller fell through to
 * another backend, or it finished last and left tfjs on a backend nobody asked for last). Queued
 * this way, the last request is the one that holds when all have settled.
 */
export function initBackend(options: InitBackendOptions = {}): Promise<ActiveBackend> {
  const run = previousInit.then(() => startBackend(options));
  previousInit = run.catch(() => undefined);
  return run;
}

async function startBackend(options: InitBackendOptions): Promise<ActiveBackend> {
  const requested = options.override ?? 'auto';
  const environment = options.environment ?? (await probeEnvironment());
  const plan = planBackends(environment, requested);
  const skipped: SkippedBackend[] = [...plan.ruledOut];
  for (const [index, name] of plan.candidates.entries()) {
    const failure = await tryBackend(name, options);
    if (failure === null) {
      // Software GPUs ranked below this one were passed over: say why the GPU is not in use.
      const later = new Set(plan.candidates.slice(index + 1));
      skipped.push(...plan.demoted.filter((d) => later.has(d.name)));
      if (name === 'webgpu') applyWebgpuFlags(environment.webgpuAdapter);
      active = {
        name,
        requested,
        adapter: name === 'webgpu' ? environment.webgpuAdapter : null,
        glRenderer: name === 'webgl' ? (environment.webglRenderer ?? null) : null,
        ...(name === 'wasm' ? { threads: await wasmThreadCount() } : {}),
        skipped,
      };
      return active;
    }
    skipped.push({ name, reason: failure });
  }
  throw new NoBackendAvailableError(skipped);
}

/** XNNPACK's pool size as the wasm backend reports it. */
async function wasmThreadCount(): Promise<number> {
  const { getThreadsCount } = await import('@tensorflow/tfjs-backend-wasm');
  return getThreadsCount();
}
