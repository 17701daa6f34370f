// The PWA entry: installs the web platform (IndexedDB directly, engine in a Web Worker), renders
// the same dashboard views as the extension and the assistant chat, and opens the shared capture form for a share from
// another app (Web Share Target), a paste anywhere in the page, or the "New capture" button.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import '../src/i18n/dashboard';
import '../src/i18n/pwa';
import { t } from '../src/i18n';
import { installPlatform } from '../src/platform';
import { createWebPlatform } from '../src/platform/web';
import { captureTextFromPaste } from '../src/platform/web/paste';
import { parseShareTarget, withoutShareParams } from '../src/platform/web/share-target';
import { getAttuneDb, type AttuneDb } from '../src/storage/db';
import { getSettings, type Settings } from '../src/storage/settings-repo';
import { App, applyLocale } from '../src/ui/dashboard/App';
import { storageOpenErrorText } from '../src/ui/storage-error';
import '../src/ui/theme.css';
import '../src/ui/dashboard/dashboard.css';
import { dashboardViews, type DashboardView } from '../src/ui/dashboard/views';
import { ChatView } from './ChatView';
import { createCaptureLauncher, type CaptureLauncher } from './capture';
import './pwa.css';
import { registerServiceWorker, type OfflineStatus } from './register-sw';
import { EngineClient } from '../src/engine/client/engine-client';

const platform = createWebPlatform({
  db: getAttuneDb,
  createEngineWorker: () =>
    new Worker(new URL('./engine-worker.ts', import.meta.url), { type: 'module', name: 'attune-engine' }),
});
installPlatform(platform);
/** The page's one engine client, on the web platform's worker. */
const engine = new EngineClient(platform.connectEngine);

/** The extension's dashboard views, plus the assistant (a side panel there) before Settings. */
const chatView: DashboardView = { id: 'chat', labelKey: 'pwa.view.chat', component: ChatView };
const pwaViews: DashboardView[] = [
  ...dashboardViews.filter((view) => view.id !== 'settings'),
  chatView,
  ...dashboardViews.filter((view) => view.id === 'settings'),
];

interface ShellProps {
  db: AttuneDb;
  settings: Settings;
  launcher: CaptureLauncher;
  offline: Promise<OfflineStatus>;
  subscribeSaved(listener: () => void): void;
}

function Shell({ db, settings, launcher, offline, subscribeSaved }: ShellProps) {
  // Re-mounting the dashboard after a capture shows the new example in the Examples list.
  const [revision, setRevision] = useState(0);
  const [status, setStatus] = useState<OfflineStatus | null>(null);
  useEffect(() => {
    subscribeSaved(() => setRevision((r) => r + 1));
    void offline.then(setStatus);
  }, []);
  return (
    <>
      {/* A named region: every piece of page content belongs to a landmark. */}
      <section class="pwa-bar" aria-label={t('pwa.bar')} data-testid="pwa-bar">
        <button
          type="button"
          onClick={() => void launcher.open({ text: '', source: { url: '', title: '' } })}
          data-testid="pwa-capture"
        >
          {t('pwa.capture')}
        </button>
        <span class="pwa-hint">{t('pwa.pasteHint')}</span>
        {status && status.kind !== 'unsupported' && (
          <span class="pwa-offline" role="status" data-testid="pwa-offline-status" data-state={status.kind}>
            {status.kind === 'ready'
              ? t('pwa.offlineReady')
              : t('pwa.offlineFailed', { reason: status.reason })}
          </span>
        )}
      </section>
      <App key={revision} db={db} engine={engine} initialSettings={settings} views={pwaViews} />
    </>
  );
}

async function start(root: HTMLElement): Promise<void> {
  root.textContent = t('dashboard.loading');
  const offline = registerServiceWorker();
  let db: AttuneDb;
  let settings: Settings;
  try {
    db = await getAttuneDb();
    settings = await getSettings(db);
  } catch (error) {
    root.textContent = storageOpenErrorText(error, 'dashboard');
    return;
  }
  applyLocale(settings);
  const savedListeners: (() => void)[] = [];
  const launcher = createCaptureLauncher(document, platform.captureApi(), () =>
    savedListeners.forEach((l) => l()),
  );
  root.textContent = '';
  render(
    <Shell
      db={db}
      settings={settings}
      launcher={launcher}
      offline={offline}
      subscribeSaved={(listener) => savedListeners.push(listener)}
    />,
    root,
  );

  // A share from another app: open the form with it, then drop the parameters so a reload
  // does not open it again.
  const shared = parseShareTarget(location.search);
  if (shared) {
    history.replaceState(null, '', withoutShareParams(location.href));
    void launcher.open(shared);
  }
  document.addEventListener('paste', (event) => {
    const text = captureTextFromPaste(event);
    if (text === null || launcher.isOpen()) return;
    event.preventDefault();
    void launcher.open({ text, source: { url: '', title: t('pwa.pastedTitle') } });
  });
}

const root = document.getElementById('app');
if (root) void start(root);
