// Builds the installable web app into pwa-dist/ and serves it from 127.0.0.1 on a free port with
// vite's preview server, as a real deployment would (static files, no SPA fallback). Shared by
// test/e2e/pwa.test.ts and test/e2e/pwa-privacy.test.ts.
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { preview, type PreviewServer } from 'vite';

export const PWA_DIST = resolve('pwa-dist');

export function buildPwa(): void {
  execFileSync('npx', ['vite', 'build', '--config', 'vite.pwa.config.ts', '--logLevel', 'error'], {
    stdio: 'inherit',
    env: { ...process.env, NODE_ENV: 'production' }, // vitest sets 'test', which would build in dev mode
  });
}

export interface PwaServer {
  server: PreviewServer;
  /** e.g. http://127.0.0.1:41234 */
  origin: string;
}

export async function servePwa(): Promise<PwaServer> {
  const server = await preview({ configFile: 'vite.pwa.config.ts', preview: { port: 0, strictPort: false } });
  const origin = new URL(server.resolvedUrls!.local[0]!).origin;
  if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(origin)) {
    await server.close();
    throw new Error(`the PWA preview server must listen on 127.0.0.1, got ${origin}`);
  }
  return { server, origin };
}
