// Serves tools/harness/pages on 127.0.0.1 (a random free port). Shared by e2e tests and the demo.
import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { join, normalize, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';

export const PAGES_DIR = resolve('tools/harness/pages');

export interface FixtureServer {
  origin: string;
  close(): Promise<void>;
}

export async function startFixtureServer(dir = PAGES_DIR): Promise<FixtureServer> {
  const server: Server = createServer((request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    readFile(join(dir, path))
      .then((body) => {
        response.writeHead(200, { 'content-type': path.endsWith('.html') ? 'text/html; charset=utf-8' : 'text/plain' });
        response.end(body);
      })
      .catch(() => {
        response.writeHead(404).end('not found');
      });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}
