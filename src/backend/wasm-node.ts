// Node only (CLI, tests, bench): the WASM binaries straight from node_modules.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export function wasmPrefixForNode(): string {
  const require = createRequire(import.meta.url);
  const packageDir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
  return join(packageDir, 'dist') + '/';
}
