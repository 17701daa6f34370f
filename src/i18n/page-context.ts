// Strings for the page context shown in the side panel chat (src/ui/chat/ContextDetails.tsx).
// Their own catalogue so the chat's main catalogue can change without touching these.

import { registerCatalogue, type AreaCatalogue } from './index';

export const pageContextCatalogue: AreaCatalogue = {
  en: {
    'chat.context.from.article': 'Main content only: menus, adverts and footers left out.',
    'chat.context.from.page': 'No main article found: the whole page’s text is used.',
    'chat.context.cut':
      'Cut to fit the model: sending the first {kept} of {total} characters ({keptParagraphs} of {totalParagraphs} paragraphs).',
    'chat.context.sent': 'Sent to the model',
    'chat.context.toSend': 'What will be sent to the model',
  },
  zh_CN: {
    'chat.context.from.article': '仅正文：已去除菜单、广告和页脚。',
    'chat.context.from.page': '未找到正文：使用整个页面的文字。',
    'chat.context.cut':
      '为适应模型已截断：发送前 {kept} 个字符（共 {total} 个；{keptParagraphs}/{totalParagraphs} 段）。',
    'chat.context.sent': '发送给模型的内容',
    'chat.context.toSend': '将发送给模型的内容',
  },
};

registerCatalogue(pageContextCatalogue);
