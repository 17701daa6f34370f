// A real HTTP server on 127.0.0.1 serving model folders from test/fixtures/models, with
// per-file failure modes, for the download tests (unit tests in Node and the Chromium e2e test).
import { readFileSync, readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';

export const FIXTURES = resolve('test/fixtures/models');

/** How to answer one path instead of serving the file. */
export type Fault =
  | { kind: 'status'; status: number }
  | { kind: 'truncate'; keepBytes: number } // promise the full length, send fewer, drop the socket
  | { kind: 'html' } // a 200 web page, as a site's HTML view would be
  | { kind: 'body'; body: Uint8Array | string }
  | { kind: 'slow'; chunkBytes: number; delayMs: number };

export interface ModelServer {
  /** e.g. http://127.0.0.1:1234/ */
  origin: string;
  /** Base URL of a fixture folder, ending in '/'. */
  folderUrl(fixture: string): string;
  faults: Map<string, Fault>;
  /** Paths requested, in order. */
  requests: string[];
  close(): Promise<void>;
}

function loadFolders(): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  for (const folder of readdirSync(FIXTURES)) {
    for (const name of readdirSync(join(FIXTURES, folder))) {
      if (name !== 'golden.json') files.set(`/${folder}/${name}`, readFileSync(join(FIXTURES, folder, name)));
    }
  }
  return files;
}

export async function startModelServer(): Promise<ModelServer> {
  const files = loadFolders();
  const faults = new Map<string, Fault>();
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    requests.push(path);
    res.setHeader('access-control-allow-origin', '*');
    const fault = faults.get(path);
    const bytes = files.get(path);
    if (fault?.kind === 'status') return void res.writeHead(fault.status).end('error');
    if (fault?.kind === 'html')
      return void res
        .writeHead(200, { 'content-type': 'text/html' })
        .end('<!doctype html><html><body>Model page</body></html>');
    if (fault?.kind === 'body') return void res.writeHead(200).end(fault.body);
    if (!bytes) return void res.writeHead(404).end('not found');
    res.setHeader('content-type', 'application/octet-stream');
    res.setHeader('content-length', String(bytes.length));
    if (fault?.kind === 'truncate') {
      res.writeHead(200);
      res.write(bytes.subarray(0, fault.keepBytes), () => setTimeout(() => res.destroy(), 20));
      return;
    }
    if (fault?.kind === 'slow') return void sendSlowly(res, bytes, fault.chunkBytes, fault.delayMs);
    res.writeHead(200).end(bytes);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return {
    origin,
    folderUrl: (fixture) => `${origin}${fixture}/`,
    faults,
    requests,
    close: () =>
      new Promise((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

function sendSlowly(
  res: import('node:http').ServerResponse,
  bytes: Uint8Array,
  chunkBytes: number,
  delayMs: number,
): void {
  res.writeHead(200);
  let offset = 0;
  const next = () => {
    if (res.destroyed) return;
    if (offset >= bytes.length) return void res.end();
    res.write(bytes.subarray(offset, offset + chunkBytes));
    offset += chunkBytes;
    setTimeout(next, delayMs);
  };
  next();
}

export function fixtureBytes(fixture: string, name: string): Uint8Array {
  return readFileSync(join(FIXTURES, fixture, name));
}
