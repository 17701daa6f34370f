// One message of the transcript. Answers are Markdown (rendered by markdown-it with raw HTML off,
// see markdown.ts) with, under them, who answered (model, adapter, tokens/s) and what can be done
// with them: Copy, Good (save as an example) and Edit & save (correct it first).
import { useState } from 'preact/hooks';
import { t } from '../../i18n';
import type { ConversationMessage } from '../../storage/schema';
import type { AnswerFeedback, ChatState, StreamingAnswer } from './controller';
import { SentText } from './ContextDetails';
import { renderMarkdown } from './markdown';

export interface AnswerActions {
  onGood(messageId: string): void;
  onEdit(messageId: string): void;
}

export function who(role: 'user' | 'assistant', variant: 'base' | 'tuned' | null, adapterName: string): string {
  if (role === 'user') return t('chat.you');
  if (variant === 'base') return t('chat.base');
  if (variant === 'tuned') return t('chat.tuned', { name: adapterName });
  return adapterName ? `${t('chat.assistant')} (${adapterName})` : t('chat.assistant');
}

export function MarkdownText({ text }: { text: string }) {
  // renderMarkdown escapes every tag the model writes; only markdown-it's own markup is inserted.
  return <div class="chat-text chat-markdown" dangerouslySetInnerHTML={{ __html: renderMarkdown(text) }} />;
}

/** "Qwen2 0.5B · LoRA 'my style' · 14.2 tokens/s": what answered and how fast. */
function AnswerMeta({ modelName, adapterName, tokensPerSecond }: { modelName: string | null; adapterName: string; tokensPerSecond: number | undefined }) {
  const parts = [
    ...(modelName ? [modelName] : []),
    adapterName ? t('chat.meta.adapter', { name: adapterName }) : t('chat.meta.noAdapter'),
    ...(tokensPerSecond === undefined ? [] : [t('chat.meta.speed', { rate: tokensPerSecond.toFixed(1) })]),
  ];
  return (
    <p class="chat-meta" data-testid="chat-answer-meta">
      {parts.join(' · ')}
    </p>
  );
}

function feedbackText(feedback: AnswerFeedback | undefined, copied: 'copied' | 'copy-failed' | null): string {
  if (copied === 'copied') return t('chat.copied');
  if (copied === 'copy-failed') return t('chat.copyFailed');
  if (feedback === 'saved') return t('chat.good.saved');
  if (feedback === 'duplicate') return t('chat.good.duplicate');
  if (feedback === 'failed') return t('chat.good.failed');
  return '';
}

export function SavedMessage({
  message,
  state,
  adapterName,
  actions,
}: {
  message: ConversationMessage;
  state: ChatState;
  adapterName: string;
  actions: AnswerActions;
}) {
  const [copied, setCopied] = useState<'copied' | 'copy-failed' | null>(null);
  if (message.role === 'user') {
    return (
      <article class="chat-message chat-message-user" data-testid="chat-message-user">
        <h2 class="chat-who">{t('chat.you')}</h2>
        <p class="chat-text chat-plain">{message.content}</p>
        {message.context && <SentText text={message.context} />}
      </article>
    );
  }
  const copy = () =>
    navigator.clipboard.writeText(message.content).then(
      () => setCopied('copied'),
      () => setCopied('copy-failed'),
    );
  const canSave = message.content.trim() !== '' && !state.generating;
  const feedback = state.feedback[message.id];
  const modelName = message.modelId ? (message.modelId === state.model.id ? state.model.name : message.modelId) : null;
  const name = message.variant === 'base' ? '' : adapterName;
  return (
    <article class="chat-message chat-message-assistant" data-testid="chat-message-assistant" data-message-id={message.id}>
      <h2 class="chat-who">{who('assistant', message.variant ?? null, adapterName)}</h2>
      <MarkdownText text={message.content} />
      {message.stopped && <p class="chat-stopped">{t('chat.stopped')}</p>}
      <AnswerMeta modelName={modelName} adapterName={name} tokensPerSecond={message.tokensPerSecond} />
      <div class="chat-answer-actions" role="group" aria-label={t('chat.answerActions')}>
        <button type="button" class="chat-action" data-testid="chat-copy" onClick={() => void copy()}>
          {t('chat.copy')}
        </button>
        <button
          type="button"
          class="chat-action"
          data-testid="chat-good"
          // Stays enabled once saved (focus must not fall off a button that turns disabled); a
          // second press says the example is already there.
          disabled={!canSave}
          title={t('chat.good.hint')}
          onClick={() => {
            setCopied(null); // the status line then tells how the save went
            actions.onGood(message.id);
          }}
        >
          {t('chat.good')}
        </button>
        <button
          type="button"
          class="chat-action"
          data-testid="chat-edit"
          disabled={!canSave}
          title={t('chat.edit.hint')}
          onClick={() => {
            setCopied(null);
            actions.onEdit(message.id);
          }}
        >
          {t('chat.edit')}
        </button>
        <span class="chat-feedback" role="status" data-testid="chat-feedback">
          {feedbackText(feedback, copied)}
        </span>
      </div>
    </article>
  );
}

export function LiveAnswer({ answer, name, modelName }: { answer: StreamingAnswer; name: string; modelName: string }) {
  return (
    <article
      class="chat-message chat-message-assistant"
      data-testid={`chat-streaming-${answer.variant ?? 'answer'}`}
      aria-busy={!answer.done}
    >
      <h2 class="chat-who">{who('assistant', answer.variant, name)}</h2>
      {answer.text === '' && !answer.done ? (
        <p class="chat-text chat-waiting">{t('chat.waiting')}</p>
      ) : (
        <MarkdownText text={answer.text} />
      )}
      {answer.done && (
        <AnswerMeta
          modelName={modelName}
          adapterName={answer.variant === 'base' ? '' : name}
          tokensPerSecond={answer.tokensPerSecond}
        />
      )}
    </article>
  );
}
