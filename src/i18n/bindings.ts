// Strings for adapter bindings: the Adapters view's "Sites & tags" dialog, the side panel's
// "why this adapter" line, and the Train view's offer to bind a new adapter to its sites. Their
// own catalogue, so the dashboard's and the chat's main catalogues change without touching these.

import { registerCatalogue, type AreaCatalogue } from './index';

export const bindingsCatalogue: AreaCatalogue = {
  en: {
    'bindings.open': 'Sites & tags',
    'bindings.open.label': 'Sites & tags of “{name}”',
    'bindings.summary': 'Bound to {list}',
    'bindings.title': 'Where “{name}” answers by itself',
    'bindings.hint':
      'In the side panel, a new conversation on a matching page uses this adapter. Patterns: docs.python.org, *.example.com (the site and its subdomains), https://example.com/wiki/* (a path and below), example.com:8080 (one port).',
    'bindings.sites': 'Site patterns',
    'bindings.sites.none': 'No site patterns yet.',
    'bindings.sites.add': 'Add a site pattern',
    'bindings.tags': 'Tags',
    'bindings.tags.hint': 'Used when no pattern matches a page: this adapter answers on sites whose examples carry one of these tags.',
    'bindings.tags.none': 'No tags yet.',
    'bindings.tags.add': 'Add a tag',
    'bindings.add': 'Add',
    'bindings.remove': 'Remove {entry}',
    'bindings.close': 'Done',
    'bindings.saved': 'Saved.',
    'chat.adapter.reason.site': '{method} “{name}”, bound to {pattern}',
    'chat.adapter.reason.tag': '{method} “{name}”, bound to tag “{tag}” (your examples from {host} carry it)',
    'chat.adapter.reason.chosen': '{method} “{name}”, chosen for this conversation',
    'chat.adapter.reason.default': '{method} “{name}”, your default adapter',
    'chat.adapter.reason.none': 'Base model: no adapter is bound to this site',
    'chat.adapter.reason.noneChosen': 'Base model, chosen for this conversation',
    'train.bind.offer': 'The examples tagged “{tag}” came from {hosts}. Bind “{name}” to these sites, so the side panel uses it there by itself?',
    'train.bind.confirm': 'Bind to these sites',
    'train.bind.dismiss': 'Not now',
    'train.bind.done': '“{name}” is bound to {hosts}.',
  },
  zh_CN: {
    'bindings.open': '网站与标签',
    'bindings.open.label': '“{name}”的网站与标签',
    'bindings.summary': '绑定到 {list}',
    'bindings.title': '“{name}”自动生效的地方',
    'bindings.hint':
      '在侧边栏中，在匹配的页面上开始新对话时会使用此适配器。规则示例：docs.python.org、*.example.com（该网站及其子域名）、https://example.com/wiki/*（某路径及其下级）、example.com:8080（指定端口）。',
    'bindings.sites': '网站规则',
    'bindings.sites.none': '还没有网站规则。',
    'bindings.sites.add': '添加网站规则',
    'bindings.tags': '标签',
    'bindings.tags.hint': '当没有规则匹配页面时使用：若某网站的示例带有这些标签之一，则在该网站使用此适配器。',
    'bindings.tags.none': '还没有标签。',
    'bindings.tags.add': '添加标签',
    'bindings.add': '添加',
    'bindings.remove': '删除 {entry}',
    'bindings.close': '完成',
    'bindings.saved': '已保存。',
    'chat.adapter.reason.site': '{method}“{name}”，绑定到 {pattern}',
    'chat.adapter.reason.tag': '{method}“{name}”，绑定到标签“{tag}”（你来自 {host} 的示例带有此标签）',
    'chat.adapter.reason.chosen': '{method}“{name}”，为本次对话选择',
    'chat.adapter.reason.default': '{method}“{name}”，你的默认适配器',
    'chat.adapter.reason.none': '基础模型：没有适配器绑定到此网站',
    'chat.adapter.reason.noneChosen': '基础模型，为本次对话选择',
    'train.bind.offer': '标签为“{tag}”的示例来自 {hosts}。要把“{name}”绑定到这些网站，让侧边栏在那里自动使用它吗？',
    'train.bind.confirm': '绑定到这些网站',
    'train.bind.dismiss': '暂不',
    'train.bind.done': '“{name}”已绑定到 {hosts}。',
  },
};

registerCatalogue(bindingsCatalogue);
