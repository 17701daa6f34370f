// Pure backend selection: environment description + user override -> ordered candidates.
// No tfjs, no navigator: the caller probes the environment and tries candidates in order.
import {
  BACKEND_PREFERENCE,
  type BackendName,
  type BackendOverride,
  type EnvironmentDescription,
  type SkippedBackend,
} from './backend-types';

export interface BackendPlan {
  /** Backends to try, best first; always ends with 'cpu', which exists everywhere. */
  candidates: BackendName[];
  /** Backends ruled out before trying, with the reason shown to the user. */
  ruledOut: SkippedBackend[];
}

/** Why the environment cannot offer a backend, or null when it can. */
export function unavailableReason(name: BackendName, env: EnvironmentDescription): string | null {
  switch (name) {
    case 'webgpu':
      return env.webgpuAdapter ? null : 'no WebGPU adapter in this browser';
    case 'webgl':
      return env.webgl ? null : 'no WebGL context in this environment';
    case 'wasm':
      return env.wasm ? null : 'WebAssembly is not available';
    case 'cpu':
      return null;
  }
}

/**
 * Orders the backends to try. 'auto' is WebGPU > WebGL > WASM > CPU, keeping only what the
 * environment offers. An override goes first when available; when it is not, it is reported in
 * `ruledOut` and the automatic order follows, so a stale setting never leaves the user stuck.
 */
export function planBackends(env: EnvironmentDescription, override: BackendOverride): BackendPlan {
  const ordered: BackendName[] =
    override === 'auto'
      ? [...BACKEND_PREFERENCE]
      : [override, ...BACKEND_PREFERENCE.filter((b) => b !== override)];
  const candidates: BackendName[] = [];
  const ruledOut: SkippedBackend[] = [];
  for (const name of ordered) {
    const reason = unavailableReason(name, env);
    if (reason === null) candidates.push(name);
    // Only the user's explicit choice is worth explaining; auto-skips are expected.
    else if (name === override) ruledOut.push({ name, reason });
  }
  return { candidates, ruledOut };
}
