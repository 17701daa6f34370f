// Dashboard page entry: open the database, apply the saved language, render the shell.

import { render } from 'preact';
import '../../src/i18n/dashboard';
import { EngineClient, extensionConnector } from '../../src/engine/client/engine-client';
import { t } from '../../src/i18n';
import { getAttuneDb } from '../../src/storage/db';
import { getSettings } from '../../src/storage/settings-repo';
import { App, applyLocale } from '../../src/ui/dashboard/App';
import { storageOpenErrorText } from '../../src/ui/storage-error';
import '../../src/ui/theme.css';
import '../../src/ui/dashboard/dashboard.css';

async function start(root: HTMLElement): Promise<void> {
  root.textContent = t('dashboard.loading');
  try {
    const db = await getAttuneDb();
    const settings = await getSettings(db);
    applyLocale(settings);
    root.textContent = '';
    render(<App db={db} engine={new EngineClient(extensionConnector)} initialSettings={settings} />, root);
  } catch (error) {
    root.textContent = storageOpenErrorText(error, 'dashboard');
  }
}

const root = document.getElementById('app');
if (root) void start(root);
