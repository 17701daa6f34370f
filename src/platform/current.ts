// The platform this page runs on. The PWA shell installs the web platform at startup; extension
// pages install nothing and get the extension platform (see index.ts). Installing one hands its
// engine connector to the engine client, so the engine never reads the platform itself.
import { setEngineConnector } from '../engine/client/engine-client';
import type { Platform } from './types';

let installed: Platform | null = null;

/** Called once by a shell before it renders anything (pwa/main.tsx, the engine worker). */
export function installPlatform(platform: Platform): void {
  installed = platform;
  setEngineConnector(platform.connectEngine);
}

/** The installed platform, or null in extension pages (which use the extension defaults). */
export function installedPlatform(): Platform | null {
  return installed;
}
