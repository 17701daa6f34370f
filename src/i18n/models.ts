// Strings for the Models view: compute backend, model list, imports.

import { registerCatalogue, type AreaCatalogue } from './index';

export const modelsCatalogue: AreaCatalogue = {
  en: {
    'dashboard.view.models': 'Models',
    'models.heading': 'Models',

    'models.backend.heading': 'Compute backend',
    'models.backend.active': 'Running on: {name}',
    'models.backend.starting': 'Starting the compute backend…',
    'models.backend.adapter': 'GPU: {adapter}',
    'models.backend.softwareAdapter': '(software adapter: correct but slow)',
    'models.backend.skipped': '{name} was skipped: {reason}',
    'models.backend.softwareGpu':
      '{name} was passed over: this GPU is emulated on the processor, and WebAssembly is faster here. Choose it below to use it anyway.',
    'models.backend.override': 'Backend',
    'models.backend.auto': 'Automatic (fastest available)',
    'models.backend.check': 'Check results',
    'models.backend.checkOk':
      '{name} computes correctly (largest difference from the CPU reference: {diff}).',
    'models.backend.checkFailed': '{name} gave wrong results (difference {diff}). Choose another backend.',
    'models.backend.failed': 'No compute backend could start: {reason}',
    'models.backend.webgpu': 'WebGPU (GPU)',
    'models.backend.webgl': 'WebGL (GPU)',
    'models.backend.wasm': 'WebAssembly (CPU, fast)',
    'models.backend.cpu': 'Plain JavaScript (CPU, slow)',
    'models.gpu.tooLarge': 'The active model does not fit this GPU: {detail}',
    'models.gpu.useWasm': 'Use WebAssembly instead',

    'models.list.heading': 'Models on this device',
    'models.list.empty': 'No models yet. Import one below.',
    'models.col.name': 'Name',
    'models.col.family': 'Architecture',
    'models.col.parameters': 'Parameters',
    'models.col.size': 'Size on disk',
    'models.col.source': 'Source',
    'models.col.actions': 'Actions',
    'models.source.bundled': 'Included with Attune',
    'models.source.files': 'Local files',
    'models.source.url': 'Downloaded',
    'models.active': 'Active',
    'models.setActive': 'Use this model',
    // Starts with the visible text ("Use this model"): WCAG 2.5.3, the name contains the label.
    'models.setActiveNamed': 'Use this model: {name}',
    'models.activated': '{name} is now the active model.',
    'models.remove': 'Remove',
    'models.removeNamed': 'Remove {name}',
    'models.removeTitle': 'Remove {name}?',
    'models.removeBody':
      'This deletes the model files ({size}) and every adapter trained on this model from this device.',
    'models.removeConfirm': 'Remove',
    'models.removeCancel': 'Keep',
    'models.removed': '{name} was removed.',
    'models.unknown': 'unknown',

    'models.import.heading': 'Add a model',
    'models.import.filesHint':
      'A model folder holds config.json, tokenizer.json and model.safetensors (or model.safetensors.index.json with its shards).',
    'models.import.files': 'Choose model files…',
    'models.import.folder': 'Choose a model folder…',
    'models.import.importing': 'Importing…',
    'models.import.done': '{name} was added ({size}).',
    'models.url.label': 'Model address',
    'models.url.placeholder': 'https://huggingface.co/<org>/<name>/resolve/main/',
    'models.url.hint':
      'Attune fetches config.json first and checks the model is supported before downloading the weights. If the site does not allow downloads from the browser, Attune asks your permission for that one site.',
    'models.url.download': 'Download',
    'models.url.cancel': 'Cancel download',
    'models.url.progress': 'Downloading {file}: {received} of {total}',
    'models.url.progressUnknown': 'Downloading {file}: {received}',
    'models.url.progressLabel': 'Download progress',
    'models.error': 'Could not add the model: {message}',
  },
  zh_CN: {
    'dashboard.view.models': '模型',
    'models.heading': '模型',

    'models.backend.heading': '计算后端',
    'models.backend.active': '当前运行于：{name}',
    'models.backend.starting': '正在启动计算后端…',
    'models.backend.adapter': 'GPU：{adapter}',
    'models.backend.softwareAdapter': '（软件适配器：结果正确但速度慢）',
    'models.backend.skipped': '已跳过 {name}：{reason}',
    'models.backend.softwareGpu': '未选用 {name}：此 GPU 由处理器模拟，这里 WebAssembly 更快。如仍要使用，请在下方选择它。',
    'models.backend.override': '后端',
    'models.backend.auto': '自动（可用的最快后端）',
    'models.backend.check': '检查计算结果',
    'models.backend.checkOk': '{name} 计算正确（与 CPU 参考结果的最大差异：{diff}）。',
    'models.backend.checkFailed': '{name} 计算结果错误（差异 {diff}）。请选择其他后端。',
    'models.backend.failed': '无法启动任何计算后端：{reason}',
    'models.backend.webgpu': 'WebGPU（GPU）',
    'models.backend.webgl': 'WebGL（GPU）',
    'models.backend.wasm': 'WebAssembly（CPU，较快）',
    'models.backend.cpu': '纯 JavaScript（CPU，很慢）',
    'models.gpu.tooLarge': '当前模型超出此 GPU 的限制：{detail}',
    'models.gpu.useWasm': '改用 WebAssembly',

    'models.list.heading': '本机上的模型',
    'models.list.empty': '还没有模型。请在下方导入。',
    'models.col.name': '名称',
    'models.col.family': '架构',
    'models.col.parameters': '参数量',
    'models.col.size': '占用空间',
    'models.col.source': '来源',
    'models.col.actions': '操作',
    'models.source.bundled': 'Attune 自带',
    'models.source.files': '本地文件',
    'models.source.url': '已下载',
    'models.active': '使用中',
    'models.setActive': '使用此模型',
    'models.setActiveNamed': '使用此模型：{name}',
    'models.activated': '已将 {name} 设为当前模型。',
    'models.remove': '删除',
    'models.removeNamed': '删除 {name}',
    'models.removeTitle': '删除 {name}？',
    'models.removeBody': '这会从本机删除模型文件（{size}）以及基于此模型训练的所有适配器。',
    'models.removeConfirm': '删除',
    'models.removeCancel': '保留',
    'models.removed': '已删除 {name}。',
    'models.unknown': '未知',

    'models.import.heading': '添加模型',
    'models.import.filesHint':
      '模型文件夹包含 config.json、tokenizer.json 和 model.safetensors（或 model.safetensors.index.json 及其分片）。',
    'models.import.files': '选择模型文件…',
    'models.import.folder': '选择模型文件夹…',
    'models.import.importing': '正在导入…',
    'models.import.done': '已添加 {name}（{size}）。',
    'models.url.label': '模型地址',
    'models.url.placeholder': 'https://huggingface.co/<组织>/<名称>/resolve/main/',
    'models.url.hint':
      'Attune 会先获取 config.json 并确认模型受支持，再下载权重。如果该网站不允许从浏览器下载，Attune 只会请求访问该网站的权限。',
    'models.url.download': '下载',
    'models.url.cancel': '取消下载',
    'models.url.progress': '正在下载 {file}：{received} / {total}',
    'models.url.progressUnknown': '正在下载 {file}：{received}',
    'models.url.progressLabel': '下载进度',
    'models.error': '无法添加模型：{message}',

    // Errors rebuilt from their fields (src/ui/models/describe-error.ts); English shows the
    // error classes' own messages, so these keys exist in Chinese only.
    'models.err.http':
      '下载 {url} 失败：服务器返回 HTTP {status}。请检查地址和分支（如 resolve/main/）；私有或需授权的模型请在浏览器中下载后以文件导入。',
    'models.err.network': '无法连接 {url}。请检查网络和地址；服务器必须允许从浏览器下载。',
    'models.err.truncated': '{file} 只收到 {received}（共 {expected}）后中断。未保留任何内容，请重新下载。',
    'models.err.quotaEstimate':
      '模型需要 {needed}，但浏览器存储只剩 {available}。请删除不用的模型、释放磁盘空间或选择更小的模型。',
    'models.err.quota': '保存模型时浏览器存储已满，未保留任何内容。请删除不用的模型或释放磁盘空间。',
    'models.err.permission':
      '{origin} 不允许从浏览器下载，因此 Attune 需要您授权读取该网站。请再次点击“下载”并选择“允许”。',
    'models.err.url':
      '“{input}”不是模型地址。请输入文件夹地址，例如 https://huggingface.co/<组织>/<名称>/resolve/main/',
    'models.err.missingFile': '模型缺少 {file}。请选择完整的模型文件夹。',
    'models.err.corrupt': '{file} 已损坏、不完整或不是所需的文件。请重新下载或导出该文件。',
    'models.err.unsupported': '不支持此模型架构。支持：GPT-2 以及 Llama/Qwen2/SmolLM/Mistral 类模型。',
    'models.err.tooLarge':
      '权重 "{tensor}" 需要 {size} 的单个 GPU 缓冲区，但此 GPU 最多允许 {limit}（{limitName}）。请改用 WebAssembly 或选择更小的模型。',
  },
};

registerCatalogue(modelsCatalogue);
