// Builds the installable web app (PWA) from pwa/ into pwa-dist/: the same src/ components as the
// extension, plus the PWA shell. `npm run build:pwa`, then `npm run preview:pwa`. See docs/pwa.md.
import preact from '@preact/preset-vite';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { defineConfig, type Plugin } from 'vite';
import { wasmAssets } from './src/backend/wasm-assets-node';

const OUT_DIR = resolve('pwa-dist');
const SERVICE_WORKER = 'sw.js';
/** public/ files the web app does not need (extension-only strings, training notes). */
const NOT_SHIPPED = [/^_locales\//, /^model\/(README\.md|eval_results\.json|training_state\.json)$/];

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? listFiles(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

/**
 * The tfjs WASM backend's files at /wasm/ (as modules/tfjs-wasm-assets.ts does for the extension).
 * The threaded build is used only where the app's host makes it cross-origin isolated.
 */
function tfjsWasmAssets(): Plugin {
  return {
    name: 'attune-pwa-wasm',
    apply: 'build',
    generateBundle() {
      for (const asset of wasmAssets())
        this.emitFile({
          type: 'asset',
          fileName: `wasm/${asset.name}`,
          source: 'absoluteSrc' in asset ? readFileSync(asset.absoluteSrc) : asset.contents,
        });
    },
  };
}

/**
 * After the build: removes public/ files the app does not use, then prepends the precache list
 * (every file in pwa-dist but sw.js) and a content-hash version to sw.js. Walking the output
 * folder catches everything: hashed chunks, the engine worker and its chunks, public/ files.
 */
function precacheManifest(): Plugin {
  return {
    name: 'attune-pwa-precache',
    apply: 'build',
    closeBundle() {
      const hash = createHash('sha256');
      const files: string[] = [];
      for (const absolute of listFiles(OUT_DIR).sort()) {
        const path = relative(OUT_DIR, absolute).split(sep).join('/');
        if (path === SERVICE_WORKER) continue;
        if (NOT_SHIPPED.some((pattern) => pattern.test(path))) {
          rmSync(absolute);
          continue;
        }
        hash.update(path).update(readFileSync(absolute));
        files.push(`/${path}`);
      }
      rmSync(join(OUT_DIR, '_locales'), { recursive: true, force: true }); // now empty folders
      const precache = { version: hash.digest('hex').slice(0, 16), files };
      const swPath = join(OUT_DIR, SERVICE_WORKER);
      const code = readFileSync(swPath, 'utf8');
      writeFileSync(swPath, `self.__ATTUNE_PRECACHE__ = ${JSON.stringify(precache)};\n${code}`);
    },
  };
}

export default defineConfig({
  root: resolve('pwa'),
  // No SPA fallback: a missing file must be a 404 (the model reader probes optional files), not
  // index.html. The app is one page at /; share targets and views use its query and hash.
  appType: 'mpa',
  publicDir: resolve('public'),
  plugins: [preact(), tfjsWasmAssets(), precacheManifest()],
  worker: { format: 'es' }, // the engine worker imports backends lazily (code splitting)
  build: {
    outDir: OUT_DIR,
    emptyOutDir: true,
    assetsInlineLimit: 0, // the manifest and icons must stay real files
    chunkSizeWarningLimit: 4096, // tfjs is large; it is precached once
    rollupOptions: {
      input: { index: resolve('pwa/index.html'), sw: resolve('pwa/sw.ts') },
      output: {
        // The service worker needs a fixed URL at the root to control the whole app.
        entryFileNames: (chunk) => (chunk.name === 'sw' ? SERVICE_WORKER : 'assets/[name]-[hash].js'),
      },
    },
  },
  preview: { host: '127.0.0.1', port: 4174, strictPort: true },
});
