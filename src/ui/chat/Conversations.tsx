// The saved conversations: search, open, rename, export, delete (after a confirmation). A rename
// edits the title in place: Enter saves, Esc cancels, and focus goes back to the Rename button.
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { t } from '../../i18n';
import type { ConversationRecord } from '../../storage/schema';
import { downloadText } from '../dashboard/download';
import type { ChatController, ChatState } from './controller';
import { filterConversations } from './conversation-search';

export function Conversations({ controller, state }: { controller: ChatController; state: ChatState }) {
  const [query, setQuery] = useState('');
  const [renaming, setRenaming] = useState<string | null>(null);
  const shown = filterConversations(state.conversations, query);
  const exportOne = async (id: string) => {
    const { fileName, json } = await controller.exportConversation(id);
    downloadText(fileName, json, 'application/json');
  };
  const remove = (id: string, title: string) => {
    if (globalThis.confirm(t('chat.deleteConfirm', { title: title || t('chat.untitled') })))
      void controller.deleteConversation(id);
  };
  return (
    <section class="chat-conversations" aria-labelledby="chat-conversations-heading">
      <div class="chat-conversations-head">
        <h2 id="chat-conversations-heading">{t('chat.conversations')}</h2>
        <button
          type="button"
          class="primary"
          data-testid="chat-new"
          disabled={state.generating}
          onClick={() => void controller.newConversation()}
        >
          {t('chat.new')}
        </button>
      </div>
      {state.conversations.length === 0 ? (
        <p class="chat-muted">{t('chat.conversations.empty')}</p>
      ) : (
        <>
          <label class="chat-search">
            <span class="visually-hidden">{t('chat.search.label')}</span>
            <input
              type="search"
              data-testid="chat-search"
              placeholder={t('chat.search.placeholder')}
              value={query}
              onInput={(event) => setQuery((event.target as HTMLInputElement).value)}
            />
          </label>
          {shown.length === 0 && (
            <p class="chat-muted" data-testid="chat-search-empty">
              {t('chat.search.none', { query })}
            </p>
          )}
          <ul class="chat-conversation-list" data-testid="chat-conversation-list">
            {shown.map((c) => (
              <ConversationItem
                key={c.id}
                conversation={c}
                state={state}
                renaming={renaming === c.id}
                onOpen={() => void controller.openConversation(c.id)}
                onRenameStart={() => setRenaming(c.id)}
                onRenameEnd={() => setRenaming(null)}
                onRename={(title) => controller.renameConversation(c.id, title)}
                onExport={() => void exportOne(c.id)}
                onDelete={() => remove(c.id, c.title)}
              />
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

interface ItemProps {
  conversation: ConversationRecord;
  state: ChatState;
  renaming: boolean;
  onOpen(): void;
  onRenameStart(): void;
  onRenameEnd(): void;
  onRename(title: string): Promise<boolean>;
  onExport(): void;
  onDelete(): void;
}

function ConversationItem({ conversation: c, state, renaming, ...on }: ItemProps) {
  const title = c.title || t('chat.untitled');
  const renameButton = useRef<HTMLButtonElement>(null);
  const wasRenaming = useRef(false);
  // Layout effects: focus moves in the same frame the field appears or goes, never via <body>.
  useLayoutEffect(() => {
    // Back to the Rename button when the edit ends, so the keyboard user is where they were.
    if (wasRenaming.current && !renaming) renameButton.current?.focus();
    wasRenaming.current = renaming;
  }, [renaming]);
  return (
    <li
      class="chat-conversation"
      data-testid="chat-conversation"
      aria-current={c.id === state.current?.id ? 'true' : undefined}
    >
      {renaming ? (
        <RenameForm title={c.title} onSave={on.onRename} onDone={on.onRenameEnd} />
      ) : (
        <button
          type="button"
          class="chat-conversation-open"
          disabled={state.generating}
          onClick={on.onOpen}
        >
          <span class="chat-conversation-title">{title}</span>
          <span class="chat-conversation-date">{new Date(c.updatedAt).toLocaleDateString()}</span>
        </button>
      )}
      {!renaming && (
        <span class="chat-conversation-actions">
          <button
            type="button"
            ref={renameButton}
            class="chat-action"
            data-testid="chat-conversation-rename"
            aria-label={`${t('chat.rename')}: ${title}`}
            disabled={state.generating}
            onClick={on.onRenameStart}
          >
            {t('chat.rename')}
          </button>
          <button
            type="button"
            class="chat-action"
            data-testid="chat-conversation-export"
            aria-label={`${t('chat.export')}: ${title}`}
            onClick={on.onExport}
          >
            {t('chat.export')}
          </button>
          <button
            type="button"
            class="chat-action danger"
            data-testid="chat-conversation-delete"
            aria-label={`${t('chat.delete')}: ${title}`}
            disabled={state.generating}
            onClick={on.onDelete}
          >
            {t('chat.delete')}
          </button>
        </span>
      )}
    </li>
  );
}

function RenameForm({ title, onSave, onDone }: { title: string; onSave(title: string): Promise<boolean>; onDone(): void }) {
  const [value, setValue] = useState(title);
  const input = useRef<HTMLInputElement>(null);
  useLayoutEffect(() => {
    input.current?.focus();
    input.current?.select();
  }, []);
  return (
    <form
      class="chat-rename"
      onSubmit={(event) => {
        event.preventDefault();
        void onSave(value).then((saved) => saved && onDone());
      }}
    >
      <label class="chat-rename-field">
        <span class="visually-hidden">{t('chat.rename.label')}</span>
        <input
          ref={input}
          type="text"
          data-testid="chat-rename-input"
          value={value}
          maxLength={80}
          onInput={(event) => setValue((event.target as HTMLInputElement).value)}
          onKeyDown={(event) => {
            if (event.key === 'Escape') {
              event.preventDefault();
              event.stopPropagation();
              onDone();
            }
          }}
        />
      </label>
      <button type="submit" class="chat-action primary" data-testid="chat-rename-save">
        {t('chat.rename.save')}
      </button>
      <button type="button" class="chat-action" data-testid="chat-rename-cancel" onClick={onDone}>
        {t('chat.rename.cancel')}
      </button>
    </form>
  );
}
