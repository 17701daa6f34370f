// The dashboard shell: a tab list over the registered views (views.ts), the toast area, and the
// services views share. The selected view follows the URL hash so pages can link to #settings.

import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { detectLocale, setLocale, t } from '../../i18n';
import type { EngineClient } from '../../engine/client/engine-client';
import type { AttuneDb } from '../../storage/db';
import { updateSettings, type Settings } from '../../storage/settings-repo';
import { DashboardContext, type DashboardServices, type ToastRequest } from './context';
import { Toasts, type Toast } from './Toasts';
import { dashboardViews, type DashboardView } from './views';

interface AppProps {
  db: AttuneDb;
  engine: EngineClient;
  initialSettings: Settings;
  views?: DashboardView[];
}

/** Applies the language setting ('auto' follows the browser). */
export function applyLocale(settings: Settings): void {
  const locale = settings.locale === 'auto' ? detectLocale() : settings.locale;
  setLocale(locale);
  document.documentElement.lang = locale === 'zh_CN' ? 'zh-CN' : 'en';
}

export function App({ db, engine, initialSettings, views = dashboardViews }: AppProps) {
  const [settings, setSettings] = useState(initialSettings);
  const [toasts, setToasts] = useState<Toast[]>([]);
  const [active, setActive] = useState(() => viewFromHash(views));
  const nextToastId = useRef(1);

  useEffect(() => {
    const onHash = () => setActive(viewFromHash(views));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, [views]);

  useEffect(() => {
    document.title = t('dashboard.title');
  }, [settings.locale]);

  const services = useMemo<DashboardServices>(
    () => ({
      db,
      engine,
      settings,
      async saveSettings(patch) {
        const next = await updateSettings(db, patch);
        applyLocale(next);
        setSettings(next);
      },
      showToast(toast: ToastRequest) {
        const id = nextToastId.current++;
        setToasts((list) => [...list, { ...toast, id }]);
      },
    }),
    [db, engine, settings],
  );

  const select = (id: string) => {
    setActive(id);
    history.replaceState(null, '', `#${id}`);
  };
  const ActiveView = (views.find((v) => v.id === active) ?? views[0])?.component;

  return (
    <DashboardContext.Provider value={services}>
      <div class="dashboard">
        <header class="dashboard-header">
          <span class="brand">Attune</span>
          <TabList views={views} active={active} onSelect={select} />
        </header>
        {/* The tab panel sits inside <main>: a <main> may not take another role, and every page
            needs its main landmark. */}
        <main>
          <div id="dashboard-panel" role="tabpanel" aria-labelledby={`dashboard-tab-${active}`} tabIndex={-1}>
            {ActiveView && <ActiveView key={`${active}-${settings.locale}`} />}
          </div>
        </main>
        <Toasts toasts={toasts} onDismiss={(id) => setToasts((list) => list.filter((toast) => toast.id !== id))} />
      </div>
    </DashboardContext.Provider>
  );
}

function viewFromHash(views: DashboardView[]): string {
  const id = globalThis.location?.hash.replace(/^#/, '') ?? '';
  return views.some((v) => v.id === id) ? id : (views[0]?.id ?? '');
}

interface TabListProps {
  views: DashboardView[];
  active: string;
  onSelect: (id: string) => void;
}

/** WAI-ARIA tabs: one tab stop, arrow keys / Home / End move between tabs and select them. */
function TabList({ views, active, onSelect }: TabListProps) {
  const refs = useRef<(HTMLButtonElement | null)[]>([]);

  function onKeyDown(event: KeyboardEvent) {
    const index = views.findIndex((v) => v.id === active);
    const last = views.length - 1;
    const target =
      event.key === 'ArrowRight' ? (index + 1) % views.length
      : event.key === 'ArrowLeft' ? (index - 1 + views.length) % views.length
      : event.key === 'Home' ? 0
      : event.key === 'End' ? last
      : -1;
    if (target < 0) return;
    event.preventDefault();
    const view = views[target];
    if (!view) return;
    onSelect(view.id);
    refs.current[target]?.focus();
  }

  return (
    <nav aria-label={t('dashboard.views')}>
      <div role="tablist" class="tabs" onKeyDown={onKeyDown}>
        {views.map((view, i) => (
          <button
            key={view.id}
            ref={(el) => {
              refs.current[i] = el;
            }}
            id={`dashboard-tab-${view.id}`}
            type="button"
            role="tab"
            aria-selected={view.id === active}
            aria-controls="dashboard-panel"
            tabIndex={view.id === active ? 0 : -1}
            onClick={() => onSelect(view.id)}
            data-testid={`dashboard-tab-${view.id}`}
          >
            {t(view.labelKey)}
          </button>
        ))}
      </div>
    </nav>
  );
}
