// Copies the tfjs WASM binaries from node_modules into the extension build at /wasm/, so the
// WASM backend loads them from the extension itself (MV3 forbids remote code; Attune works
// offline). Copying at build time keeps them in step with the installed tfjs version.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { defineWxtModule } from 'wxt/modules';

// Only the single-threaded builds: extension pages are not cross-origin isolated, so the
// threaded build (SharedArrayBuffer) can never be used there. Keep in sync with WASM_FILES.
const WASM_FILES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm'];

export default defineWxtModule((wxt) => {
  const require = createRequire(import.meta.url);
  const distDir = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
  wxt.hook('build:publicAssets', (_wxt, files) => {
    for (const file of WASM_FILES)
      files.push({ absoluteSrc: join(distDir, file), relativeDest: `wasm/${file}` });
  });
  // Lets `browser.runtime.getURL('/wasm/…')` type-check like any file in public/.
  wxt.hook('prepare:publicPaths', (_wxt, paths) => {
    for (const file of WASM_FILES) paths.push(`wasm/${file}`);
  });
});
