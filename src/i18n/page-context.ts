// Strings for the page context shown in the side panel chat (src/ui/chat/ContextDetails.tsx).
// Their own catalogue so the chat's main catalogue can change without touching these.

import { registerCatalogue, type AreaCatalogue } from './index';

export const pageContextCatalogue: AreaCatalogue = {
  en: {
    'chat.context.from.article': 'Main content only: menus, adverts and footers left out.',
    'chat.context.from.page': 'No main article found: the whole page’s text is used.',
    'chat.context.cut.page':
      'Kept {kept} of {total} tokens of this page to fit the model: the first {keptParagraphs} of {totalParagraphs} paragraphs.',
    'chat.context.cut.selection':
      'Kept {kept} of {total} tokens of the selection to fit the model: the first {keptParagraphs} of {totalParagraphs} paragraphs.',
    'chat.context.cut.partial': 'The last one is cut at a sentence or word.',
    'chat.context.fits': 'All {total} tokens fit the model’s context.',
    'chat.context.reading': 'Reading and fitting it to the model…',
    'chat.context.sent': 'Sent to the model',
    'chat.context.toSend': 'What will be sent to the model',
  },
  zh_CN: {
    'chat.context.from.article': '仅正文：已去除菜单、广告和页脚。',
    'chat.context.from.page': '未找到正文：使用整个页面的文字。',
    'chat.context.cut.page':
      '为适应模型，保留了此页面 {total} 个词元中的 {kept} 个：{totalParagraphs} 段中的前 {keptParagraphs} 段。',
    'chat.context.cut.selection':
      '为适应模型，保留了所选内容 {total} 个词元中的 {kept} 个：{totalParagraphs} 段中的前 {keptParagraphs} 段。',
    'chat.context.cut.partial': '最后一段在句子或词语处截断。',
    'chat.context.fits': '全部 {total} 个词元都在模型的上下文之内。',
    'chat.context.reading': '正在读取并适配模型…',
    'chat.context.sent': '发送给模型的内容',
    'chat.context.toSend': '将发送给模型的内容',
  },
};

registerCatalogue(pageContextCatalogue);
