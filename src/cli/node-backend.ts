// Starting a tfjs backend from Node. Uses the engine's backend selection; WASM reads its binaries
// from node_modules; WebGPU comes from the npm `webgpu` package (Dawn) installed as navigator.gpu.
import { existsSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../backend/init';
import { wasmPrefixForNode, wasmThreadingForNode, wasmThreadsProblem } from '../backend/wasm-node';
import { UsageError } from './args';

export type NodeBackend = 'cpu' | 'wasm' | 'webgpu';

/** Chromium ships a Vulkan loader and the SwiftShader ICD: a software GPU usable when no real one exists. */
const CHROMIUM_DIR = '/usr/lib/chromium';
const SWIFTSHADER_ICD = `${CHROMIUM_DIR}/vk_swiftshader_icd.json`;
const SYSTEM_VULKAN = ['/usr/lib/x86_64-linux-gnu/libvulkan.so.1', '/usr/lib/aarch64-linux-gnu/libvulkan.so.1', '/usr/lib64/libvulkan.so.1', '/usr/lib/libvulkan.so.1'];

/**
 * Environment variables Dawn needs before the process starts (the dynamic loader reads
 * LD_LIBRARY_PATH only at startup), or null when the current process already has them.
 */
export function webGpuRelaunchEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv | null {
  const hasSystemVulkan = SYSTEM_VULKAN.some((p) => existsSync(p));
  const needsLoader = !hasSystemVulkan && existsSync(`${CHROMIUM_DIR}/libvulkan.so.1`) && !(env.LD_LIBRARY_PATH ?? '').split(':').includes(CHROMIUM_DIR);
  const needsIcd = !env.VK_ICD_FILENAMES && !hasSystemVulkan && existsSync(SWIFTSHADER_ICD);
  if (!needsLoader && !needsIcd) return null;
  return {
    ...env,
    ...(needsLoader ? { LD_LIBRARY_PATH: [CHROMIUM_DIR, env.LD_LIBRARY_PATH].filter(Boolean).join(':') } : {}),
    ...(needsIcd ? { VK_ICD_FILENAMES: SWIFTSHADER_ICD } : {}),
  };
}

/** Installs Dawn's WebGPU as globalThis.navigator.gpu (must precede importing tfjs-backend-webgpu). */
async function installNodeWebGpu(): Promise<void> {
  if ((globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu) return;
  const { create, globals } = await import('webgpu');
  Object.assign(globalThis, globals);
  const gpu = create([]);
  const nav = (globalThis as { navigator?: object }).navigator;
  if (nav) Object.defineProperty(nav, 'gpu', { value: gpu, configurable: true });
  else Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true });
}

export interface StartedBackend {
  name: string;
  /** A line for stderr when the requested backend was not the one started. */
  note: string | null;
  /** WASM only: the threads its matrix products run on (ATTUNE_WASM_THREADS=1 for one). */
  threads: number | null;
}

export async function startNodeBackend(requested: NodeBackend): Promise<StartedBackend> {
  const threadsAsked = process.env.ATTUNE_WASM_THREADS;
  const problem = threadsAsked === undefined ? null : wasmThreadsProblem(threadsAsked);
  if (problem) throw new UsageError(problem);
  if (requested === 'webgpu') await installNodeWebGpu();
  const active = await initBackend({ override: requested, wasmPrefix: wasmPrefixForNode(), wasmThreads: requested === 'wasm' ? wasmThreadingForNode() : false });
  const note =
    active.name === requested ? null : `attune: ${requested} unavailable (${active.skipped.map((s) => s.reason).join('; ')}); using ${active.name}`;
  return { name: tf.getBackend(), note, threads: active.threads ?? null };
}
