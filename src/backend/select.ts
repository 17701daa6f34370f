// Pure backend selection: environment description + user override -> ordered candidates.
// No tfjs, no navigator: the caller probes the environment and tries candidates in order.
import { isSoftwareAdapter, isSoftwareRenderer } from './software';
import {
  BACKEND_PREFERENCE,
  type BackendName,
  type BackendOverride,
  type EnvironmentDescription,
  type SkippedBackend,
} from './types';

export interface BackendPlan {
  /** Backends to try, best first; always ends with 'cpu', which exists everywhere. */
  candidates: BackendName[];
  /** Backends ruled out before trying, with the reason shown to the user. */
  ruledOut: SkippedBackend[];
  /** Available but ranked below WASM by 'auto' (software GPUs), with the reason shown to the user. */
  demoted: SkippedBackend[];
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

/** A GPU backend that this environment only emulates on the CPU. */
export function isSoftwareGpu(name: BackendName, env: EnvironmentDescription): boolean {
  if (name === 'webgpu') return isSoftwareAdapter(env.webgpuAdapter);
  if (name === 'webgl') return isSoftwareRenderer(env.webglRenderer);
  return false;
}

/** 'auto': hardware GPUs, then WASM, then software GPUs, then CPU. */
function automaticOrder(env: EnvironmentDescription): BackendName[] {
  const soft = BACKEND_PREFERENCE.filter((b) => isSoftwareGpu(b, env));
  const rest = BACKEND_PREFERENCE.filter((b) => b !== 'cpu' && !soft.includes(b));
  return [...rest, ...soft, 'cpu'];
}

/**
 * Orders the backends to try. 'auto' is WebGPU > WebGL > WASM > CPU, keeping only what the
 * environment offers, except that a software GPU (SwiftShader and the like) ranks below WASM. An
 * override goes first when available; when it is not, it is reported in `ruledOut` and the
 * automatic order follows, so a stale setting never leaves the user stuck.
 */
export function planBackends(env: EnvironmentDescription, override: BackendOverride): BackendPlan {
  const automatic = automaticOrder(env);
  const ordered: BackendName[] =
    override === 'auto' ? automatic : [override, ...automatic.filter((b) => b !== override)];
  const candidates: BackendName[] = [];
  const ruledOut: SkippedBackend[] = [];
  for (const name of ordered) {
    const reason = unavailableReason(name, env);
    if (reason === null) candidates.push(name);
    // Only the user's explicit choice is worth explaining; auto-skips are expected.
    else if (name === override) ruledOut.push({ name, reason });
  }
  const demoted = candidates
    .filter((name) => name !== override && isSoftwareGpu(name, env) && env.wasm)
    .map((name) => ({
      name,
      reason: 'a software GPU emulated on the CPU, slower here than WebAssembly',
      code: 'software-gpu' as const,
    }));
  return { candidates, ruledOut, demoted };
}
