import { render } from 'preact';
import { getLocale } from '../../src/i18n';
import { Popup } from '../../src/ui/popup/Popup';
import { createPopupApi } from '../../src/ui/popup/api';
import '../../src/ui/popup/popup.css';

document.documentElement.lang = getLocale() === 'zh_CN' ? 'zh-CN' : 'en';
render(<Popup api={createPopupApi()} />, document.getElementById('app')!);
