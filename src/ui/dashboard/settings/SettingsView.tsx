// Settings: the selection chip, the UI language, and how much storage Attune uses.

import { useEffect, useState } from 'preact/hooks';
import { t } from '../../../i18n';
import type { LocaleSetting } from '../../../storage/settings-repo';
import { ensurePersistentStorage, getStorageStatus, type StorageStatus } from '../../../storage/persistence';
import { useDashboard } from '../context';
import { formatBytes } from '../format';
import { describeError } from '../../describe-error';

const LANGUAGES: { value: LocaleSetting; label: () => string }[] = [
  { value: 'auto', label: () => t('settings.languageAuto') },
  // Each language is named in itself, so people can find theirs whatever the UI language.
  { value: 'en', label: () => 'English' },
  { value: 'zh_CN', label: () => '简体中文' },
];

export function SettingsView() {
  const { settings, saveSettings, showToast } = useDashboard();

  async function save(patch: Parameters<typeof saveSettings>[0]) {
    try {
      await saveSettings(patch);
      showToast({ message: t('settings.saved') });
    } catch (error) {
      showToast({ kind: 'error', message: describeError(error) });
    }
  }

  return (
    <section class="view" aria-labelledby="settings-heading">
      <h1 id="settings-heading">{t('settings.heading')}</h1>
      <fieldset>
        <legend>{t('settings.capture')}</legend>
        <label class="checkbox">
          <input
            type="checkbox"
            checked={settings.chipEnabled}
            onChange={(e) => save({ chipEnabled: e.currentTarget.checked })}
            data-testid="settings-chip"
          />{' '}
          {t('settings.chip')}
        </label>
      </fieldset>
      <fieldset>
        <legend>{t('settings.language')}</legend>
        <label for="settings-language" class="visually-hidden">
          {t('settings.language')}
        </label>
        <select
          id="settings-language"
          value={settings.locale}
          onChange={(e) => save({ locale: e.currentTarget.value as LocaleSetting })}
          data-testid="settings-language"
        >
          {LANGUAGES.map((language) => (
            <option key={language.value} value={language.value}>
              {language.label()}
            </option>
          ))}
        </select>
      </fieldset>
      <StorageUsage />
    </section>
  );
}

function StorageUsage() {
  const [status, setStatus] = useState<StorageStatus | null>(null);
  const [denied, setDenied] = useState(false);
  const refresh = () => void getStorageStatus().then(setStatus);
  useEffect(refresh, []);

  async function persist() {
    const granted = await ensurePersistentStorage();
    setDenied(!granted);
    refresh();
  }

  if (!status) return null;
  const known = status.usage !== undefined && status.quota !== undefined && status.quota > 0;
  return (
    <fieldset data-testid="settings-storage">
      <legend>{t('settings.storage')}</legend>
      {known ? (
        <>
          <progress
            max={status.quota}
            value={status.usage}
            aria-labelledby="settings-storage-usage"
            data-testid="settings-storage-bar"
          />
          <p id="settings-storage-usage" data-testid="settings-storage-usage" data-usage={status.usage} data-quota={status.quota}>
            {t('settings.storageUsage', { used: formatBytes(status.usage!), quota: formatBytes(status.quota!) })}
          </p>
        </>
      ) : (
        <p>{t('settings.storageUnknown')}</p>
      )}
      <p data-testid="settings-persisted" data-persisted={String(status.persisted)}>
        {status.persisted ? t('settings.persisted') : t('settings.notPersisted')}
      </p>
      {!status.persisted && (
        <button type="button" onClick={persist} data-testid="settings-persist">
          {t('settings.persist')}
        </button>
      )}
      {denied && !status.persisted && <p role="alert">{t('settings.persistDenied')}</p>}
    </fieldset>
  );
}
