// The platform this page runs on. The PWA shell installs the web platform at startup; extension
// pages install nothing and get the extension platform (see index.ts). Pages build their engine
// client from the platform's connector and pass it to the views.
import type { Platform } from './types';

let installed: Platform | null = null;

/** Called once by a shell before it renders anything (pwa/main.tsx, the engine worker). */
export function installPlatform(platform: Platform): void {
  installed = platform;
}

/** The installed platform, or null in extension pages (which use the extension defaults). */
export function installedPlatform(): Platform | null {
  return installed;
}
