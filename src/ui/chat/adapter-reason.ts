// The line under the adapter menu that says which adapter answers and why: "LoRA “work notes”,
// bound to *.example.com", "... chosen for this conversation", "Base model: no adapter is bound
// to this site".
import '../../i18n/bindings';
import { t } from '../../i18n';
import type { ChatState } from './controller';

export function adapterReasonText(state: Pick<ChatState, 'adapterId' | 'adapterReason' | 'adapters'>): string {
  const adapter = state.adapters.find((a) => a.id === state.adapterId);
  const reason = state.adapterReason;
  if (!adapter) return t(reason.kind === 'chosen' ? 'chat.adapter.reason.noneChosen' : 'chat.adapter.reason.none');
  const named = { method: adapter.kind, name: adapter.name };
  switch (reason.kind) {
    case 'site':
      return t('chat.adapter.reason.site', { ...named, pattern: reason.pattern });
    case 'tag':
      return t('chat.adapter.reason.tag', { ...named, tag: reason.tag, host: reason.host });
    case 'chosen':
      return t('chat.adapter.reason.chosen', named);
    default:
      return t('chat.adapter.reason.default', named);
  }
}
