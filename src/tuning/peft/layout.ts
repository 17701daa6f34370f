// The PEFT directory layout as plain data, with no tensor code, so pages that only move adapter
// bytes around (export, import) do not load tfjs.

export const ADAPTER_CONFIG_FILE = 'adapter_config.json';
export const ADAPTER_WEIGHTS_FILE = 'adapter_model.safetensors';

/** File name -> bytes. */
export type AdapterFiles = Map<string, Uint8Array>;

/** The PEFT files of a stored adapter: its parsed config and its safetensors bytes. */
export function peftFilesOf(stored: { config: unknown; weights: ArrayBuffer }): AdapterFiles {
  return new Map([
    [ADAPTER_CONFIG_FILE, new TextEncoder().encode(`${JSON.stringify(stored.config, null, 2)}\n`)],
    [ADAPTER_WEIGHTS_FILE, new Uint8Array(stored.weights)],
  ]);
}
