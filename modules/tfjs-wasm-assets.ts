// Puts the tfjs WASM backend's files into the extension build at /wasm/ (src/backend/wasm-assets-node.ts
// says which), so the WASM backend loads them from the extension itself (MV3 forbids remote code;
// Attune works offline). Taken at build time, they stay in step with the installed tfjs version.
import { defineWxtModule } from 'wxt/modules';
import { wasmAssets } from '../src/backend/wasm-assets-node';

export default defineWxtModule((wxt) => {
  const assets = wasmAssets();
  wxt.hook('build:publicAssets', (_wxt, files) => {
    for (const asset of assets) {
      const relativeDest = `wasm/${asset.name}`;
      files.push('absoluteSrc' in asset ? { absoluteSrc: asset.absoluteSrc, relativeDest } : { contents: asset.contents, relativeDest });
    }
  });
  // Lets `browser.runtime.getURL('/wasm/…')` type-check like any file in public/.
  wxt.hook('prepare:publicPaths', (_wxt, paths) => {
    for (const asset of assets) paths.push(`wasm/${asset.name}`);
  });
});
