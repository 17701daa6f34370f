// The PWA's service worker: precaches the app shell, the tfjs WASM binaries and the default
// model at install, then serves them cache-first, so the app starts and works offline after the
// first visit. The build (vite.pwa.config.ts) prepends `self.__ATTUNE_PRECACHE__` with every file
// of pwa-dist and a version hashed from their contents: a new build gets a new cache, and the
// old one is deleted on activate. Written as a plain script (no imports): a classic worker.
/// <reference lib="webworker" />

interface Precache {
  version: string;
  /** Root-relative paths, e.g. '/index.html', '/model/model.safetensors'. */
  files: string[];
}

const sw = self as unknown as ServiceWorkerGlobalScope & { __ATTUNE_PRECACHE__?: Precache };
const precache: Precache = sw.__ATTUNE_PRECACHE__ ?? { version: 'dev', files: [] };
const CACHE_PREFIX = 'attune-pwa-';
const CACHE_NAME = `${CACHE_PREFIX}${precache.version}`;
/** Navigations (any path or query: share targets, #views) get the app shell. */
const APP_SHELL = '/index.html';

sw.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE_NAME);
      // cache: 'reload' skips the HTTP cache, so a new version never stores a stale file.
      await cache.addAll(precache.files.map((file) => new Request(file, { cache: 'reload' })));
      await sw.skipWaiting();
    })(),
  );
});

sw.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      const names = await caches.keys();
      await Promise.all(
        names
          .filter((name) => name.startsWith(CACHE_PREFIX) && name !== CACHE_NAME)
          .map((name) => caches.delete(name)),
      );
      await sw.clients.claim();
    })(),
  );
});

/** The shipped default model is exactly its precached files. */
const MODEL_FOLDER = '/model/';

async function respond(request: Request): Promise<Response> {
  const cache = await caches.open(CACHE_NAME);
  // ignoreVary: module scripts are requested with an Origin header that install's requests lack,
  // and servers often answer `Vary: Origin`; the precached file is the same either way.
  const options: CacheQueryOptions = { ignoreSearch: true, ignoreVary: true };
  const cached = await cache.match(request.mode === 'navigate' ? APP_SHELL : request, options);
  if (cached) return cached;
  // Optional model files this build does not ship (a shard index, say) are a plain 404, even on
  // hosts that answer unknown paths with index.html: the model reader must not parse a web page.
  if (new URL(request.url).pathname.startsWith(MODEL_FOLDER)) return new Response(null, { status: 404 });
  return fetch(request);
}

sw.addEventListener('fetch', (event) => {
  const { request } = event;
  // Only this app's own GET requests; anything else (a model download the user starts from
  // another origin) goes to the network untouched.
  if (request.method !== 'GET' || new URL(request.url).origin !== sw.location.origin) return;
  event.respondWith(respond(request));
});
