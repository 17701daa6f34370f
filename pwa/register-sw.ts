// Registers the service worker that precaches the app and the default model (pwa/sw.ts), so the
// app starts offline after the first visit. Only the built app (pwa-dist) has a sw.js; elsewhere
// registration fails and the app says offline use is not available.

export type OfflineStatus = { kind: 'ready' } | { kind: 'failed'; reason: string } | { kind: 'unsupported' };

export async function registerServiceWorker(): Promise<OfflineStatus> {
  if (!('serviceWorker' in navigator)) return { kind: 'unsupported' };
  try {
    await navigator.serviceWorker.register('/sw.js', { scope: '/' });
    await navigator.serviceWorker.ready; // resolves once a worker is active (precache filled)
    return { kind: 'ready' };
  } catch (error) {
    return { kind: 'failed', reason: error instanceof Error ? error.message : String(error) };
  }
}
