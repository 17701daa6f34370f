import { defineConfig } from 'wxt';
import preact from '@preact/preset-vite';

// WXT builds the extension; entrypoints/ holds only thin wiring (see docs/architecture.md).
export default defineConfig({
  srcDir: '.',
  entrypointsDir: 'entrypoints',
  publicDir: 'public',
  manifestVersion: 3,
  vite: () => ({
    plugins: [preact()],
  }),
  manifest: {
    name: '__MSG_extName__',
    description: '__MSG_extDescription__',
    default_locale: 'en',
    // Shared with the PWA (public/icon/, pwa/manifest.webmanifest).
    icons: { 16: 'icon/16.png', 32: 'icon/32.png', 48: 'icon/48.png', 128: 'icon/128.png' },
    permissions: ['contextMenus', 'activeTab', 'scripting', 'unlimitedStorage', 'offscreen'], // each justified in docs/permissions.md
    // Model downloads from a URL the user types: asked for one origin at the moment of download
    // (src/model-store/host-permission.ts), never granted up front.
    optional_host_permissions: ['https://*/*', 'http://*/*'],
    content_security_policy: {
      extension_pages: "script-src 'self' 'wasm-unsafe-eval'; object-src 'self'",
    },
    // Cross-origin isolation for the extension's pages: it gives them SharedArrayBuffer, which the
    // threaded WASM build needs (src/backend/wasm-threads.ts). Extension pages load nothing from
    // other origins, so require-corp costs nothing; see docs/backends.md.
    cross_origin_embedder_policy: { value: 'require-corp' },
    cross_origin_opener_policy: { value: 'same-origin' },
    commands: {
      'capture-selection': {
        suggested_key: { default: 'Alt+Shift+S' },
        description: '__MSG_commandCapture__',
      },
    },
  },
});
