// What shared UI and engine code need from the shell they run in. Two implementations: the
// extension (runtime messages to the background, offscreen engine, packaged files) and the web
// app (direct IndexedDB, engine in a dedicated Web Worker, files served next to the page).
// Shared code asks `currentPlatform()` instead of testing "am I an extension?" itself.
import type { EngineConnector } from '../engine/client/engine-client';
import type { CaptureApi } from '../capture/api';

export type PlatformName = 'extension' | 'web';

export interface Platform {
  readonly name: PlatformName;
  /** Absolute URL of a file shipped with the app, e.g. assetUrl('/model/config.json'). */
  assetUrl(path: string): string;
  /** Opens one connection to the on-device engine (offscreen document or Web Worker). */
  connectEngine: EngineConnector;
  /** Where the capture form saves examples and templates, and reads capture settings. */
  captureApi(): CaptureApi;
}
