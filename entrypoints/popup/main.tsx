import { render } from 'preact';
import { detectLocale, getLocale, setLocale } from '../../src/i18n';
import { askBackground } from '../../src/messaging/client';
import { Popup } from '../../src/ui/popup/Popup';
import { createPopupApi } from '../../src/ui/popup/api';
import '../../src/ui/popup/popup.css';

// Follow the language chosen in Attune's settings (falls back to the browser's if unreachable).
const settings = await askBackground('settings.capture', {}).catch(() => ({ locale: 'auto' as const }));
setLocale(settings.locale === 'auto' ? detectLocale() : settings.locale);
document.documentElement.lang = getLocale() === 'zh_CN' ? 'zh-CN' : 'en';
render(<Popup api={createPopupApi()} />, document.getElementById('app')!);
