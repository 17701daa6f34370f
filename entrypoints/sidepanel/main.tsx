// Side panel entry: open the database, follow the language setting, wire the chat to the engine.
import { render } from 'preact';
import '../../src/i18n/chat';
import { detectLocale, getLocale, setLocale, t } from '../../src/i18n';
import { EngineClient, extensionConnector } from '../../src/engine/client/engine-client';
import { getAttuneDb } from '../../src/storage/db';
import { getSettings } from '../../src/storage/settings-repo';
import { Chat } from '../../src/ui/chat/Chat';
import { ChatController } from '../../src/ui/chat/controller';
import { createContentApi } from '../../src/capture/content-api';
import { readActiveTabContext } from '../../src/ui/chat/page-context';
import { engineContextFitter } from '../../src/ui/chat/context-fitter';
import { currentPageUrl } from '../../src/ui/chat/current-page';
import '../../src/ui/theme.css';
import '../../src/ui/chat/chat.css';
import { storageOpenErrorText } from '../../src/ui/storage-error';

async function start(root: HTMLElement): Promise<void> {
  root.textContent = t('chat.loading');
  try {
    const db = await getAttuneDb();
    const settings = await getSettings(db);
    setLocale(settings.locale === 'auto' ? detectLocale() : settings.locale);
    document.documentElement.lang = getLocale() === 'zh_CN' ? 'zh-CN' : 'en';
    const engine = new EngineClient(extensionConnector);
    // Page context is fitted to the active model's context in its tokens, by the engine.
    const fitContext = engineContextFitter(engine);
    const controller = new ChatController({
      db,
      engine,
      readContext: (source) => readActiveTabContext(source, fitContext),
      // The page beside the panel: its site picks the bound adapter (src/binding/choice.ts).
      pageUrl: currentPageUrl,
      // Answers marked Good go to the background as `example.save`, the path captures take.
      capture: createContentApi(),
    });
    await controller.load();
    root.textContent = '';
    render(<Chat controller={controller} />, root);
  } catch (error) {
    root.textContent = storageOpenErrorText(error, 'chat');
  }
}

const root = document.getElementById('app');
if (root) void start(root);
