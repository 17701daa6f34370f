// The toolbar popup: how many examples there are, "Capture selection" for the current tab, and
// the way to the dashboard. Pages extensions cannot script get a disabled button and the reason.

import { useEffect, useState } from 'preact/hooks';
import type { JSX } from 'preact';
import { t } from '../../i18n';
import '../../i18n/capture';
import { captureEligibility, type Eligibility } from '../../capture/eligibility';

export interface PopupApi {
  countExamples(): Promise<number>;
  activeTab(): Promise<{ id?: number; url?: string } | undefined>;
  /** Opens the capture form in the tab; false when the page could not host it. */
  startCapture(tabId: number): Promise<boolean>;
  openDashboard(): Promise<void>;
  /** Opens the assistant in the browser's side panel (needs the click's user gesture). */
  openAssistant(): Promise<void>;
  /** Asks for persistent storage (must run in a page: service workers cannot ask). */
  requestPersistence(): Promise<boolean>;
  closePopup(): void;
}

function countText(count: number): string {
  if (count === 0) return t('popup.countZero');
  if (count === 1) return t('popup.countOne');
  return t('popup.count', { count });
}

export function Popup({ api }: { api: PopupApi }): JSX.Element {
  const [count, setCount] = useState<number | null>(null);
  const [tab, setTab] = useState<{ id?: number; url?: string } | undefined>(undefined);
  const [eligibility, setEligibility] = useState<Eligibility | null>(null);
  const [error, setError] = useState('');

  useEffect(() => {
    void api
      .countExamples()
      .then((n) => {
        setCount(n);
        // Once something is worth keeping, ask the browser not to evict it.
        if (n > 0) void api.requestPersistence();
      })
      .catch((e: unknown) => setError(String((e as Error).message ?? e)));
    void api.activeTab().then((active) => {
      setTab(active);
      setEligibility(active?.id === undefined ? { ok: false, reason: 'no-page' } : captureEligibility(active.url));
    });
  }, []);

  const capture = async (): Promise<void> => {
    if (tab?.id === undefined) return;
    setError('');
    void api.requestPersistence();
    try {
      if (await api.startCapture(tab.id)) api.closePopup();
      else setError(t('popup.failed', { reason: t('popup.disabled.browser-page') }));
    } catch (e) {
      setError(t('popup.failed', { reason: String((e as Error).message ?? e) }));
    }
  };

  const openDashboard = async (): Promise<void> => {
    await api.openDashboard();
    api.closePopup();
  };

  const openAssistant = async (): Promise<void> => {
    try {
      await api.openAssistant();
      api.closePopup();
    } catch (e) {
      setError(t('popup.failed', { reason: String((e as Error).message ?? e) }));
    }
  };

  const disabledReason = eligibility && !eligibility.ok ? t(`popup.disabled.${eligibility.reason}`) : '';

  return (
    <main class="popup">
      <h1>{t('popup.title')}</h1>
      <p data-testid="popup-count" aria-live="polite" data-count={count ?? ''}>
        {count === null ? t('popup.loading') : countText(count)}
      </p>
      <button
        type="button"
        class="primary"
        disabled={!eligibility?.ok}
        aria-describedby={disabledReason ? 'popup-disabled-reason' : undefined}
        onClick={() => void capture()}
        data-testid="popup-capture"
      >
        {t('popup.capture')}
      </button>
      {disabledReason && (
        <p id="popup-disabled-reason" class="hint" data-testid="popup-disabled-reason">
          {disabledReason}
        </p>
      )}
      <button type="button" onClick={() => void openDashboard()} data-testid="popup-open-dashboard">
        {t('popup.openDashboard')}
      </button>
      <button type="button" onClick={() => void openAssistant()} data-testid="popup-open-assistant">
        {t('popup.openAssistant')}
      </button>
      {error && (
        <p class="error" role="alert" data-testid="popup-error">
          {error}
        </p>
      )}
    </main>
  );
}
