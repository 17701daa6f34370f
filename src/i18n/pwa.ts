// Strings for the installable web app's own shell (pwa/): the capture bar and offline status.

import { registerCatalogue, type AreaCatalogue } from './index';

export const pwaCatalogue: AreaCatalogue = {
  en: {
    'pwa.view.chat': 'Assistant',
    'pwa.chatNoTabs':
      'the installed app cannot read your browser tabs. Paste the text into your message instead (the extension’s side panel can read the page).',
    'pwa.bar': 'Capture and offline status',
    'pwa.capture': 'New capture',
    'pwa.pasteHint': 'Paste text anywhere on this page (Ctrl+V) to capture it.',
    'pwa.pastedTitle': 'Pasted text',
    'pwa.offlineReady': 'Ready to work offline.',
    'pwa.offlineFailed': 'Offline use is not available: {reason}',
  },
  zh_CN: {
    'pwa.view.chat': '助手',
    'pwa.chatNoTabs': '已安装的应用无法读取浏览器标签页。请把文本粘贴到消息中（扩展的侧边栏可以读取页面）。',
    'pwa.bar': '采集与离线状态',
    'pwa.capture': '新建采集',
    'pwa.pasteHint': '在此页面任意位置粘贴文本（Ctrl+V）即可采集。',
    'pwa.pastedTitle': '粘贴的文本',
    'pwa.offlineReady': '已可离线使用。',
    'pwa.offlineFailed': '无法离线使用：{reason}',
  },
};

registerCatalogue(pwaCatalogue);
