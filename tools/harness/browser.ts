// Launches Debian's Chromium with the built extension loaded, headless, on a fresh (or given)
// profile. Every e2e test goes through here so browser flags live in one place.
import { chromium, type BrowserContext, type Worker } from 'playwright-core';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const EXTENSION_DIR = resolve('.output/chrome-mv3');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Chromium features Playwright 1.65.1 (pinned) turns off / on by default. Chromium honours only
 * the LAST `--disable-features` / `--enable-features` switch, and our switches come after
 * Playwright's, so ours must carry Playwright's list too or they would silently drop it.
 * test/e2e/privacy.test.ts reads the browser's real command line from the NetLog and fails if
 * the effective switch lost any feature an earlier one asked for (e.g. after a Playwright update).
 */
const PLAYWRIGHT_DISABLED_FEATURES = [
  'AvoidUnnecessaryBeforeUnloadCheckSync',
  'DestroyProfileOnBrowserClose',
  'HttpsUpgrades',
  'HttpsFirstBalancedModeAutoEnable',
  'LensOverlay',
  'MediaRouter',
  'PaintHolding',
  'ThirdPartyStoragePartitioning',
  'AvoidCorsURLLoaderRestartOnRedirect',
  'TcpPortRandomizationWin',
  'OptimizationHints',
  'NetworkTimeServiceQuerying',
  'AimEnabled',
  'PreconnectToSearch',
  'msForceBrowserSignIn',
  'msEdgeUpdateLaunchServicesPreferredVersion',
];
const PLAYWRIGHT_ENABLED_FEATURES = ['CDPScreenshotNewSurface', 'SkipListAccountsWithoutGaiaCookies'];

/**
 * A closed port on this machine. Two Chromium services have no off switch in Chromium 156 (the
 * sign-in cookie check and on-demand component downloads); their server URLs point here, so they
 * fail at once on this machine instead of trying the network. Nothing listens on port 1.
 */
const CLOSED_LOCAL_PORT = 'http://127.0.0.1:1/';

/**
 * Flags every test browser starts with: no sandbox (we run as root), fresh state, and Chromium's
 * own network services off, so that a privacy test can require that NOTHING leaves the machine.
 * Each flag turns off a browser service, never an Attune code path (docs/privacy.md lists them
 * with the traffic each one removed).
 */
export const QUIET_BROWSER_FLAGS = [
  '--no-sandbox',
  '--no-first-run',
  '--disable-background-networking', // variations, GCM, NTP and other background fetches
  '--disable-component-update', // background component updates (on-demand ones: see below)
  '--disable-sync',
  '--disable-quic',
  // Sign-in: Chromium checks which Google accounts are signed in on the web at start and
  // retries with back-off (accounts.google.com/ListAccounts). No switch or feature stops it here.
  `--gaia-url=${CLOSED_LOCAL_PORT}`,
  // On-demand component downloads (update.googleapis.com): Chromium 156 fetches the on-device AI
  // model manifest at start even with --disable-component-update.
  `--component-updater=url-source=${CLOSED_LOCAL_PORT}`,
  // AutofillServerCommunication: autofill field-type queries for every page with a form
  // (content-autofill.googleapis.com).
  `--disable-features=${[...PLAYWRIGHT_DISABLED_FEATURES, 'AutofillServerCommunication'].join(',')}`,
  `--enable-features=${PLAYWRIGHT_ENABLED_FEATURES.join(',')}`,
];

/**
 * Profile preferences written before launch, for what no switch controls: the spell-check
 * dictionary download (redirector.gvt1.com/.../en-us-10-2.bdic) starts when a text field is first
 * used; a blocked dictionary is never fetched. (`browser.enable_spellchecking: false` alone does
 * not stop the download.)
 */
const QUIET_PROFILE_PREFERENCES = { spellcheck: { blocked_dictionaries: ['en-US', 'en'] } };

/**
 * Merges every `--enable-features=` / `--disable-features=` in `args` into one switch each, at
 * the end: Chromium would otherwise keep only the last one of each.
 */
export function mergeFeatureSwitches(args: string[]): string[] {
  const merged: Record<'enable' | 'disable', string[]> = { enable: [], disable: [] };
  const rest: string[] = [];
  for (const arg of args) {
    const match = /^--(enable|disable)-features=(.*)$/.exec(arg);
    if (!match) {
      rest.push(arg);
      continue;
    }
    for (const feature of match[2]!.split(',').filter(Boolean)) {
      const list = merged[match[1] as 'enable' | 'disable'];
      if (!list.includes(feature)) list.push(feature);
    }
  }
  if (merged.disable.length) rest.push(`--disable-features=${merged.disable.join(',')}`);
  if (merged.enable.length) rest.push(`--enable-features=${merged.enable.join(',')}`);
  return rest;
}

/** Adds QUIET_PROFILE_PREFERENCES to the profile's Default/Preferences (kept on relaunch). */
export function writeQuietPreferences(profileDir: string): void {
  const file = join(profileDir, 'Default', 'Preferences');
  mkdirSync(join(profileDir, 'Default'), { recursive: true });
  const current = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
  const spellcheck = {
    ...(current.spellcheck as object | undefined),
    ...QUIET_PROFILE_PREFERENCES.spellcheck,
  };
  writeFileSync(file, JSON.stringify({ ...current, spellcheck }));
}

/**
 * Offline proof: every host name fails to resolve (only IP literals such as 127.0.0.1 can be
 * reached) and Chromium writes every network event of every context to the NetLog file.
 */
export function offlineProofFlags(netLogPath: string): string[] {
  return [`--log-net-log=${netLogPath}`, '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1'];
}

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
  writeQuietPreferences(profileDir);
  const args = [
    '--headless=new',
    ...QUIET_BROWSER_FLAGS,
    `--disable-extensions-except=${EXTENSION_DIR}`,
    `--load-extension=${EXTENSION_DIR}`,
  ];
  if (options.netLogPath) args.push(...offlineProofFlags(options.netLogPath));
  if (options.webgpu)
    args.push('--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-angle=swiftshader');
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: false, // '--headless=new' above: the old headless mode cannot load extensions
    args: mergeFeatureSwitches(args),
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

/**
 * Kills the browser the way a crash or a power cut would: SIGKILL to every Chromium process of
 * this profile, so nothing is flushed or closed cleanly. Playwright's side is closed afterwards.
 */
export async function killBrowser(ext: LaunchedExtension): Promise<void> {
  const marker = `--user-data-dir=${ext.profileDir}`;
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    let cmdline = '';
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    if (!cmdline.split('\0').includes(marker)) continue;
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      // exited meanwhile
    }
  }
  await ext.context.close().catch(() => undefined);
}

export function extensionUrl(ext: LaunchedExtension, path: string): string {
  return `chrome-extension://${ext.extensionId}/${path.replace(/^\//, '')}`;
}

export interface LaunchedBrowser {
  context: BrowserContext;
  profileDir: string;
  close(): Promise<void>;
}

/**
 * A plain browser (no extension) on a fresh or given profile, with the same quiet flags and
 * preferences as launchExtension: for the web app (PWA) and for pages that need no extension.
 */
export async function launchBrowser(
  options: Pick<LaunchOptions, 'profileDir' | 'netLogPath'> = {},
): Promise<LaunchedBrowser> {
  const profileDir = options.profileDir ?? newProfileDir();
  writeQuietPreferences(profileDir);
  const args = ['--headless=new', ...QUIET_BROWSER_FLAGS];
  if (options.netLogPath) args.push(...offlineProofFlags(options.netLogPath));
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: false, // '--headless=new' above, the same mode as the extension tests
    args: mergeFeatureSwitches(args),
  });
  return { context, profileDir, close: () => context.close() };
}
