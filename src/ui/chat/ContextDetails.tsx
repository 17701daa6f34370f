// The attached page context, told plainly: where the text came from (the article or the whole
// page), what was cut to fit the model, and an expandable view of exactly what is sent. The
// same expandable view sits under a sent message that carried context.
import { t } from '../../i18n';
import '../../i18n/page-context';
import './context-details.css';
import type { PageContext } from './page-context';

const formatCount = (n: number) => n.toLocaleString();

export function ContextDetails({ context }: { context: PageContext }) {
  return (
    <div class="chat-context-details" data-testid="chat-context-details">
      {context.extracted && (
        <p class="chat-context-from" data-testid="chat-context-from">
          {t(`chat.context.from.${context.extracted}`)}
        </p>
      )}
      {context.truncated ? (
        <p class="chat-context-cut" role="status" data-testid="chat-context-cut">
          {t(`chat.context.cut.${context.source}`, {
            kept: formatCount(context.keptTokens),
            total: formatCount(context.totalTokens),
            keptParagraphs: formatCount(context.keptParagraphs),
            totalParagraphs: formatCount(context.totalParagraphs),
          })}
          {context.cut !== 'paragraph' && ` ${t('chat.context.cut.partial')}`}
        </p>
      ) : (
        <p class="chat-context-fits" data-testid="chat-context-fits">
          {t('chat.context.fits', { total: formatCount(context.totalTokens) })}
        </p>
      )}
      <SentText text={context.text} label={t('chat.context.toSend')} />
    </div>
  );
}

/** An expandable, exact copy of the context text (closed by default: it can be long). */
export function SentText({ text, label = t('chat.context.sent') }: { text: string; label?: string }) {
  return (
    <details class="chat-context-sent" data-testid="chat-context-sent">
      <summary>{label}</summary>
      <pre class="chat-context-text" data-testid="chat-context-text">
        {text}
      </pre>
    </details>
  );
}
