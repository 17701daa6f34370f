// Entry point for shared code: `currentPlatform()` is the installed platform (the PWA's web
// platform) or, in extension pages, the extension platform.
import { installedPlatform } from './current';
import { extensionPlatform } from './extension';
import type { Platform } from './types';

export { installPlatform, installedPlatform } from './current';
export type { Platform, PlatformName } from './types';

export function currentPlatform(): Platform {
  return installedPlatform() ?? extensionPlatform;
}
