// Launches Debian's Chromium with the built extension loaded, headless, on a fresh (or given)
// profile. Every e2e test goes through here so browser flags live in one place.
import { chromium, type BrowserContext, type Worker } from 'playwright-core';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const EXTENSION_DIR = resolve('.output/chrome-mv3');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Flags every test browser starts with: no sandbox (root), no background traffic, fresh state. */
export const QUIET_BROWSER_FLAGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export interface LaunchedExtension {
  context: BrowserContext;
  extensionId: string;
  serviceWorker: Worker;
  profileDir: string;
  close(): Promise<void>;
}

export function newProfileDir(): string {
  return mkdtempSync(join(tmpdir(), 'attune-profile-'));
}

export interface LaunchOptions {
  profileDir?: string;
  webgpu?: boolean;
  /**
   * Offline proof: every host name fails to resolve (only IP literals such as 127.0.0.1 can be
   * reached) and Chromium writes every network event it makes to this NetLog file.
   */
  netLogPath?: string;
}

export async function launchExtension(options: LaunchOptions = {}): Promise<LaunchedExtension> {
  const profileDir = options.profileDir ?? newProfileDir();
  const args = [
    '--headless=new',
    ...QUIET_BROWSER_FLAGS,
    `--disable-extensions-except=${EXTENSION_DIR}`,
    `--load-extension=${EXTENSION_DIR}`,
  ];
  if (options.netLogPath) {
    args.push(`--log-net-log=${options.netLogPath}`, '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1');
  }
  if (options.webgpu) args.push('--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-angle=swiftshader');
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: false, // '--headless=new' above: the old headless mode cannot load extensions
    args,
  });
  let [serviceWorker] = context.serviceWorkers();
  serviceWorker ??= await context.waitForEvent('serviceworker', { timeout: 90_000 });
  const extensionId = new URL(serviceWorker.url()).host;
  return {
    context,
    extensionId,
    serviceWorker,
    profileDir,
    close: () => context.close(),
  };
}

export function extensionUrl(ext: LaunchedExtension, path: string): string {
  return `chrome-extension://${ext.extensionId}/${path.replace(/^\//, '')}`;
}
