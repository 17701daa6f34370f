// The offline assistant as a tab of the web app: the extension's side-panel chat (src/ui/chat)
// with the same engine client, here served by the engine worker. The web app has no browser tabs,
// so "use this page as context" explains that instead of reading one.
import '../src/i18n/chat';
import '../src/ui/chat/chat.css';
import { useEffect, useState } from 'preact/hooks';
import { t } from '../src/i18n';
import { Chat } from '../src/ui/chat/Chat';
import { ChatController } from '../src/ui/chat/controller';
import { useDashboard } from '../src/ui/dashboard/context';
import { currentPlatform } from '../src/platform';

export function ChatView() {
  const { db, engine, showToast } = useDashboard();
  const [controller, setController] = useState<ChatController | null>(null);
  useEffect(() => {
    const created = new ChatController({
      db,
      engine,
      readContext: async () => {
        throw new Error(t('pwa.chatNoTabs'));
      },
      // Good / Edit & save store through the web platform's capture path (same checks as captures).
      capture: currentPlatform().captureApi(),
    });
    created.load().then(
      () => setController(created),
      (error: unknown) =>
        showToast({ kind: 'error', message: error instanceof Error ? error.message : String(error) }),
    );
  }, [db]);
  return controller ? <Chat controller={controller} /> : <p>{t('chat.loading')}</p>;
}
