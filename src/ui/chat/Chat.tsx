// The side panel chat view. Keyboard: Enter sends, Shift+Enter adds a line, Esc stops the answer.
// The answer being written sits in an aria-live region so screen readers follow the stream.
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { t } from '../../i18n';
import type { ConversationMessage } from '../../storage/schema';
import { describeError } from '../describe-error';
import { LiveAnswer, SavedMessage, type AnswerActions } from './Answer';
import { ContextDetails } from './ContextDetails';
import { adapterReasonText } from './adapter-reason';
import { Conversations } from './Conversations';
import type { ChatController, ChatState } from './controller';

export function Chat({ controller }: { controller: ChatController }) {
  const state = useChatState(controller);
  const [draft, setDraft] = useState('');
  const input = useRef<HTMLTextAreaElement>(null);
  const stopButton = useRef<HTMLButtonElement>(null);

  const send = () => {
    if (state.generating || draft.trim() === '') return;
    const text = draft;
    setDraft('');
    void controller.send(text).then(() => input.current?.focus());
  };
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      send();
    }
  };
  useLayoutEffect(() => {
    // Stop is disabled once the answer ends; focus on it would fall to the page, so it goes back
    // to the text box where the next question is typed (a layout effect: before the browser
    // moves focus off the disabled button).
    if (!state.generating && document.activeElement === stopButton.current) input.current?.focus();
  }, [state.generating]);
  useEffect(() => {
    // Adapters trained or chosen in the dashboard meanwhile show up when the panel gets focus.
    const refresh = () => void controller.load().catch(() => undefined);
    window.addEventListener('focus', refresh);
    return () => window.removeEventListener('focus', refresh);
  }, [controller]);
  useEffect(() => {
    // Esc stops from anywhere in the panel, not only from the text box.
    const onEscape = (event: KeyboardEvent) => {
      if (event.key === 'Escape' && controller.state.generating) controller.stop();
    };
    document.addEventListener('keydown', onEscape);
    return () => document.removeEventListener('keydown', onEscape);
  }, [controller]);

  return (
    // A section, not <main>: the page around it owns the main landmark (the side panel's
    // <main id="app">, the PWA dashboard's <main>).
    <section class="chat" aria-labelledby="chat-title" data-testid="chat" data-generating={String(state.generating)}>
      <header class="chat-header">
        <h1 id="chat-title" class="chat-title">
          {t('chat.title')}
        </h1>
        <p class="chat-model" data-testid="chat-model">
          {state.model.name}
        </p>
      </header>
      <Options controller={controller} state={state} />
      <Transcript controller={controller} state={state} />
      {state.error && (
        <p class="chat-error" role="alert" data-testid="chat-error">
          {errorText(state.error)}
        </p>
      )}
      <ContextBar controller={controller} state={state} />
      <form
        class="chat-form"
        onSubmit={(event) => {
          event.preventDefault();
          send();
        }}
      >
        <label for="chat-input" class="visually-hidden">
          {t('chat.input.label')}
        </label>
        <textarea
          id="chat-input"
          ref={input}
          data-testid="chat-input"
          rows={3}
          placeholder={t('chat.input.placeholder')}
          value={draft}
          onInput={(event) => setDraft((event.target as HTMLTextAreaElement).value)}
          onKeyDown={onKeyDown}
        />
        {/* Send and Stop each keep their own place, enabled in turn: had they swapped in one
            spot, a click on Stop just as the answer ended would land on Send. */}
        <div class="chat-actions">
          <button type="submit" class="primary" data-testid="chat-send" disabled={state.generating || draft.trim() === ''}>
            {t('chat.send')}
          </button>
          <button
            type="button"
            ref={stopButton}
            data-testid="chat-stop"
            disabled={!state.generating}
            onClick={() => controller.stop()}
            title={t('chat.stopHint')}
          >
            {t('chat.stop')}
          </button>
        </div>
      </form>
      <Conversations controller={controller} state={state} />
    </section>
  );
}

function useChatState(controller: ChatController): ChatState {
  const [state, setState] = useState(controller.state);
  useEffect(() => controller.subscribe(setState), [controller]);
  return state;
}

function Options({ controller, state }: { controller: ChatController; state: ChatState }) {
  return (
    <fieldset class="chat-options" disabled={state.generating}>
      <label>
        {t('chat.adapter')}{' '}
        <select
          data-testid="chat-adapter"
          value={state.adapterId ?? ''}
          onChange={(event) =>
            void controller.chooseAdapter((event.target as HTMLSelectElement).value || null)
          }
        >
          <option value="">{t('chat.adapter.none')}</option>
          {state.adapters.map((a) => (
            <option key={a.id} value={a.id}>
              {a.name}
            </option>
          ))}
        </select>
      </label>
      <p class="chat-adapter-reason" data-testid="chat-adapter-reason" aria-live="polite">
        {adapterReasonText(state)}
      </p>
      <label title={state.adapterId === null ? t('chat.compare.needsAdapter') : undefined}>
        <input
          type="checkbox"
          data-testid="chat-compare"
          checked={state.compare}
          disabled={state.adapterId === null}
          onChange={(event) => controller.setCompare((event.target as HTMLInputElement).checked)}
        />{' '}
        {t('chat.compare')}
      </label>
      <label>
        <input
          type="checkbox"
          data-testid="chat-few-shot"
          checked={state.fewShot}
          onChange={(event) => controller.setFewShot((event.target as HTMLInputElement).checked)}
        />{' '}
        {t('chat.fewShot')}
      </label>
    </fieldset>
  );
}

function Transcript({ controller, state }: { controller: ChatController; state: ChatState }) {
  const messages = state.current?.messages ?? [];
  // While streaming, the saved messages of this exchange are shown by the live region instead.
  const saved = state.generating ? messages.filter((m) => !isAnswerInProgress(m, state)) : messages;
  const adapterName = (id: string | null | undefined) =>
    state.adapters.find((a) => a.id === id)?.name ?? id ?? '';
  const actions: AnswerActions = {
    onGood: (id) => void controller.markGood(id),
    onEdit: (id) => {
      const example = controller.exampleFor(id);
      if (!example) return;
      // The capture form loads on first use: most answers are never edited, and the panel opens faster without it.
      void import('./answer-editor').then(({ openAnswerEditor }) =>
        openAnswerEditor(document, {
          example,
          templatesFrom: controller.captureApi,
          save: (edited) => controller.saveExample(id, edited),
        }),
      );
    },
  };
  return (
    <section class="chat-transcript" aria-label={t('chat.transcript')} data-testid="chat-transcript">
      {messages.length === 0 && !state.generating && <p class="chat-empty">{t('chat.empty')}</p>}
      {groupAnswers(saved).map((group) => (
        <div key={group[0]!.id} class={rowClass(group[0]!.role, group.length)}>
          {group.map((m) => (
            <SavedMessage key={m.id} message={m} state={state} adapterName={adapterName(m.adapterId)} actions={actions} />
          ))}
        </div>
      ))}
      {state.demonstrations > 0 && (
        <p class="chat-few-shot-note" data-testid="chat-few-shot-count">
          {t('chat.fewShot.using', { count: state.demonstrations })}
        </p>
      )}
      <div
        class={rowClass('assistant', state.generating ? state.streaming.length : 0)}
        role="log"
        aria-live="polite"
        aria-label={t('chat.answer.live')}
        data-testid="chat-live"
      >
        {state.generating &&
          state.streaming.map((answer, i) => (
            <LiveAnswer key={i} answer={answer} name={adapterName(answer.adapterId)} modelName={state.model.name} />
          ))}
      </div>
    </section>
  );
}

/** Compare mode's pair of answers is two columns: base on the left, tuned on the right. */
function rowClass(role: 'user' | 'assistant', answers: number): string {
  return `chat-row chat-row-${role}${answers > 1 ? ' chat-row-compare' : ''}`;
}

/** Assistant answers saved during the current exchange (after its user message). */
function isAnswerInProgress(message: ConversationMessage, state: ChatState): boolean {
  const messages = state.current?.messages ?? [];
  const lastUser = messages.map((m) => m.role).lastIndexOf('user');
  return message.role === 'assistant' && messages.indexOf(message) > lastUser;
}

/** Consecutive assistant answers (compare mode's pair) share a row, shown side by side. */
function groupAnswers(messages: readonly ConversationMessage[]): ConversationMessage[][] {
  const groups: ConversationMessage[][] = [];
  for (const m of messages) {
    const last = groups[groups.length - 1];
    if (last && m.role === 'assistant' && last[0]!.role === 'assistant' && m.variant) last.push(m);
    else groups.push([m]);
  }
  return groups;
}

function ContextBar({ controller, state }: { controller: ChatController; state: ChatState }) {
  const context = state.context;
  if (context) {
    const key = context.source === 'page' ? 'chat.context.attached.page' : 'chat.context.attached.selection';
    return (
      <div class="chat-context" data-testid="chat-context">
        <p>
          {t(key, { tokens: context.keptTokens.toLocaleString(), title: context.title })}{' '}
          <button type="button" data-testid="chat-context-remove" onClick={() => controller.clearContext()}>
            {t('chat.context.remove')}
          </button>
        </p>
        <ContextDetails context={context} />
      </div>
    );
  }
  return (
    <p class="chat-context">
      <button
        type="button"
        data-testid="chat-context-selection"
        disabled={state.generating || state.readingContext}
        onClick={() => void controller.attachContext('selection')}
      >
        {t('chat.context.selection')}
      </button>{' '}
      <button
        type="button"
        data-testid="chat-context-page"
        disabled={state.generating || state.readingContext}
        onClick={() => void controller.attachContext('page')}
      >
        {t('chat.context.page')}
      </button>
      {state.readingContext && (
        <span role="status" data-testid="chat-context-reading">
          {' '}
          {t('chat.context.reading')}
        </span>
      )}
    </p>
  );
}

function errorText(error: NonNullable<ChatState['error']>): string {
  // The chat words a few failures for where they happen (which view to open); the rest read as
  // the error catalogue words them.
  const specific = `chat.error.${error.code}`;
  const translated = t(specific);
  return translated === specific ? describeError(error) : translated;
}
