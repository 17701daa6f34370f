// Simplified Chinese for src/i18n/errors.ts: the same keys and {placeholders}; a unit test checks
// that every English key has its translation here.

export const errorsZhCN: Record<string, string> = {
  // ---- model files and the model itself --------------------------------------------------------
  'error.model-file-corrupt': '{file} 已损坏或不完整：{detail}。请重新下载或重新导出该模型文件。',
  'error.model-file-missing': '模型缺少 {file}。请将它与其他模型文件放在一起。',
  'error.model-file-missing.hint': '模型缺少 {file}。{hint}',
  'error.model-folder-missing': '{path} 处没有模型文件夹。{hint}',
  'error.tensor-missing': '检查点中没有张量 "{tensor}"（预期形状为 [{expected}]）。请检查 config.json 是否与权重匹配。',
  'error.tensor-unexpected':
    '检查点中有一个意外的张量 "{tensor}"，模型的 config.json 所描述的结构并不使用它（层数更多或包含其他模块）。请检查 config.json 是否与权重匹配。',
  'error.tensor-shape': '张量 "{tensor}" 的形状为 [{actual}]，但 config.json 对应的形状为 [{expected}]。权重与 config.json 不匹配。',
  'error.tokenizer-mismatch':
    'tokenizer.json 中有词元 ID {tokenId}，但 config.json 的 vocab_size 为 {vocabSize}：该分词器属于另一个模型。请使用这些权重附带的 tokenizer.json。',
  'error.gguf-corrupt': '{file} 不是可读取的 GGUF 文件：{detail}。请重新下载或重新导出。',
  'error.gguf-unsupported.tensor-type': '{file}：张量“{tensor}”的存储类型为 {type}，Attune 无法读取。支持：F32、F16、BF16、Q8_0、Q4_0、Q4_K、Q6_K。',
  'error.gguf-unsupported.architecture': '{file}：不支持架构“{architecture}”。Attune 可读取 llama 和 qwen2 的 GGUF 文件。',
  'error.gguf-unsupported.tokenizer': '{file}：{detail}。Attune 可读取使用字节级 BPE 分词器（tokenizer.ggml.model 为 "gpt2"）的 GGUF 文件。',
  'error.gguf-export': '无法导出为 GGUF：{detail}。',
  'error.model-unsupported': '不支持此模型：{detail}。支持：GPT-2 以及 Llama/Qwen2/SmolLM/Mistral 类解码器模型。',
  'error.model-config-invalid': 'config.json 无效：{detail}。请修正该文件或重新下载模型。',
  'error.chat-template': '模型的聊天模板出错：{detail}。请编辑 tokenizer_config.json 中的 chat_template，或将其删除以使用普通模板。',
  'error.invalid-input': '{detail}',
  'error.generation-cancelled': '已取消生成。',
  'error.recompute-mismatch': '重新计算的层第二次运行时与第一次不同（{detail}），保留的冻结矩阵乘积输出无法对应。请改用完整重新计算进行训练，并将此问题作为缺陷报告。',

  // ---- getting a model onto the device ----------------------------------------------------------
  'error.model-url-invalid': '“{input}”不是模型地址：{detail}。请输入文件夹地址，例如 https://huggingface.co/<组织>/<名称>/resolve/main/',
  'error.download-http': '下载 {url} 失败：服务器返回 HTTP {status}。',
  'error.download-http.gated': '下载 {url} 失败：服务器返回 HTTP {status}（该模型可能是私有的或需要授权；请在浏览器中下载后以文件导入）。',
  'error.download-http.not-found': '下载 {url} 失败：服务器返回 HTTP {status}（没有该文件：请检查地址和分支，如 resolve/main/）。',
  'error.download-http.server': '下载 {url} 失败：服务器返回 HTTP {status}（服务器出现问题；请稍后再试）。',
  'error.download-network': '无法连接 {url}（{cause}）。请检查网络和地址；服务器必须允许从浏览器下载。',
  'error.download-truncated': '{file} 只收到 {received}（共 {expected}；{receivedBytes} / {expectedBytes} 字节）后中断。未保留任何内容，请重新下载。',
  'error.download-cancelled': '下载已取消；未保留任何内容。',
  'error.model-storage-full': '保存模型时浏览器存储已满，未保留任何内容。请删除不用的模型、释放磁盘空间或选择更小的模型。',
  'error.model-storage-full.estimate': '模型需要 {needed}，但浏览器存储只剩 {available}。请删除不用的模型、释放磁盘空间或选择更小的模型。',
  'error.host-permission': '{origin} 不允许从浏览器下载，因此 Attune 需要您授权读取该网站。请再次点击“下载”并选择“允许”。',
  'error.stored-model-missing': '模型“{id}”已不在本机上；请重新加载模型列表。',
  'error.bundled-model-removal': '默认模型是 Attune 自带的，无法删除。',

  // ---- compute backends ------------------------------------------------------------------------
  'error.model-too-large-for-gpu':
    '权重 "{tensor}" 需要 {size}（{tensorBytes} 字节）的单个 GPU 缓冲区，但此 GPU 最多允许 {limit}（{limitName} = {limitBytes} 字节）。请将计算后端切换为 WASM，或选择更小的模型。',
  'error.no-backend': '无法启动任何计算后端：{failures}。请尝试重新加载页面或换用其他浏览器。',

  // ---- local storage ---------------------------------------------------------------------------
  'error.storage-full':
    'Attune 的浏览器存储空间已满，未能保存任何内容。请删除不再需要的示例、模型或适配器（控制台的“设置”中显示用量），然后重试。',
  'error.storage-full.checkpoint':
    '浏览器存储空间已满，第 {step} 步的检查点未能保存。训练仍在继续；如果被中断，将从第 {savedStep} 步继续。释放一些空间（控制台的“设置”中显示用量）后，下一个检查点会正常保存。',
  'error.storage-full.checkpoint-none':
    '浏览器存储空间已满，第 {step} 步的检查点未能保存。训练仍在继续；如果被中断，将从头开始。释放一些空间（控制台的“设置”中显示用量）后，下一个检查点会正常保存。',
  'error.storage-full.adapter':
    '浏览器存储空间已满，训练好的适配器未能保存（其他适配器未受影响）。请删除不再需要的示例、模型或适配器（控制台的“设置”中显示用量），然后重新训练。',
  'error.storage-unavailable':
    'Attune 无法打开本地数据库（{cause}）。你的数据未被更改；请关闭其他 Attune 标签页并重新加载，或重启浏览器。',
  'error.storage-blocked': '另一个 Attune 标签页或窗口仍在运行旧版本；请关闭它，然后重新加载。',
  'error.invalid-example': '示例未保存：{problems}',
  'error.example-missing': '示例 {id} 已不存在（可能已在其他标签页中删除）；请重新加载列表。',
  'error.example-duplicate': '已存在指令、输入和输出都相同的示例；未做任何更改。',
  'error.training-run-missing': '训练任务 {id} 已不存在；请重新加载列表。',
  'error.conversation-missing': '对话 {id} 已不存在（可能已在其他窗口中删除）；请开始新对话。',
  'error.invalid-message': '{detail}',
  'error.conversation-title': '对话名称不能为空，且最多 {max} 个字符。',
  'error.invalid-template': '{detail}',
  'error.import-unreadable': '此文件不是示例的 JSON 数组或 JSON Lines 文件（{detail}）。未导入任何内容。',

  // ---- tuning ----------------------------------------------------------------------------------
  'error.tuning-config': '微调设置“{field}”无效：{detail}',
  'error.tuning-config.missing-part': '无法训练“{part}”部分：{family} 模型没有 {part} 参数。此模型可训练的部分：{available}。',
  'error.unknown-method': '未知的微调方法“{method}”。已知方法：{known}。',
  'error.unknown-peft-type':
    '无法读取适配器：adapter_config.json 的 "peft_type" 为 "{peftType}"；Attune 支持读取 {known}。请加载这些类型之一的适配器。',
  'error.adapter-mismatch': '此适配器与已加载的模型不匹配：{reason}。请加载训练它时所用的基础模型。',
  'error.adapter-mismatch.other-model': '“{name}”是基于另一个模型（{modelId}）训练的。请在“模型”页将该模型设为当前模型后再使用。',
  'error.adapter-format': '无法读取适配器：{reason}。请重新导出适配器（使用 PEFT save_pretrained 或 Attune）并加载导出的文件。',
  'error.adapter-format.complete': '无法读取适配器：{reason}',
  'error.training-data': '{detail}',
  'error.training-data.no-tokenizer': '此模型没有 tokenizer.json，因此无法将示例转换为词元。',
  'error.training-data.none': '没有训练示例；请先采集或导入一些示例。',
  'error.training-data.none-usable': '没有可用的训练示例：每个示例要么为空，要么太长。',
  'error.training-worker': '训练工作线程 {worker} 已停止：{detail}',
  'error.training-diverged': '训练在第 {step} 步停止：损失变为 NaN 或无穷大。已保留最后一个正常步骤的适配器。请尝试降低学习率。',
  'error.too-large-to-train.weights': '训练此模型在处理任何示例之前，权重和训练状态就需要约 {fixed}，超出了 {backend} 后端可用的 {usable}。请选择更小的模型。',
  'error.too-large-to-train.length': '即使只用一个 {length} 词元的示例，在 {backend} 后端上也需要约 {needed}，而可用的只有 {usable}。请把示例限制在 {fits} 词元以内（“高级设置”→“最长示例”），或选择更小的模型。',
  'error.too-large-to-train.model': '即使只用一个示例，在 {backend} 后端上也需要约 {needed}，而可用的只有 {usable}。请选择更小的模型。',
  'error.too-large-to-train.buffer': '本次训练中有一个张量需要 {largest}，超出了 {backend} 后端单个缓冲区的上限（{limit}）。请把计算后端切换为 WASM，或选择更小的模型。',
  'error.snapshot-mismatch': '无法从此检查点继续训练：{reason}。请改为开始新的训练。',

  // ---- the engine ------------------------------------------------------------------------------
  'error.no-model': '尚未安装模型。请打开“模型”页导入或下载一个。',
  'error.no-tokenizer': '此模型没有 tokenizer.json，因此无法对文本进行编码。请连同分词器一起导入模型。',
  'error.adapter-version-missing': '适配器 {id} 的版本 {version} 已不存在；请重新加载适配器列表。',
  'error.adapter-not-found': '适配器 {id} 已不存在；请重新加载适配器列表。',
  'error.busy': '已有训练正在进行。请等待它完成，或先取消它。',
  'error.busy.model': '引擎正忙于另一个模型（训练或生成回答）。请在其完成后重试。',
  'error.not-running': '当前没有可执行此操作（{action}）的训练。',
  'error.no-examples': '还没有示例。请先采集或导入一些。',
  'error.no-examples.tag': '没有带标签“{tag}”的示例。请选择其他标签或全部示例。',
  'error.no-new-examples': '没有可用于继续训练"{name}"的新示例：所选示例都已被其各版本使用过。请先采集或更正一些回答，或开始一个新的适配器。',
  'error.cannot-continue': '"{name}" 无法继续训练：{reason}。请改为开始一个新的适配器。',
  'error.examples-deleted': '此训练所用的 {missing} 个示例已被删除，因此无法继续。请开始新的训练。',
  'error.cancelled': '已停止。',
  'error.not-mergeable': '此适配器无法合并：{reason}。不合并时它仍可正常使用。',
  'error.not-mixable': '“{name}”是 {method} 适配器；只有 LoRA 适配器可以混合。',
  'error.malformed': '引擎无法读取此请求。',
  'error.malformed.empty-prompt': '提示为空。',
  'error.engine-unavailable': '本机引擎不可用：{detail}。请重新加载扩展后重试。',
  'error.internal': '{detail}',

  // ---- messages between the extension's parts ----------------------------------------------------
  'error.foreign-sender': '只接受来自 Attune 自身的消息。',
  'error.not-allowed.engine': '只有 Attune 页面可以启动引擎。',
  'error.not-allowed.page-only': '"{kind}" 只能来自扩展页面。',
  'error.malformed.message': '格式错误的 "{kind}" 消息。',
  'error.malformed.template-name': '模板名称需要 1–{max} 个字符。',
  'error.malformed.template-instruction': '模板指令需要 1–{max} 个字符。',
  'error.no-receiver.background': '扩展后台没有响应。请重新加载页面或扩展后重试。',
  'error.no-receiver.page': '页面没有响应。请重新加载页面或扩展后重试。',

  // ---- the assistant and the CLI ----------------------------------------------------------------
  'error.page-unreadable': '无法读取此页面的文本（{detail}）。请打开普通网页，在该页面上点击一次 Attune 图标，然后重试。',
  'error.empty-selection': '页面上没有选中任何内容。请先选择一些文本，或使用整个页面。',
  'error.usage': '{detail}',

  // ---- adapter bindings (src/binding/) ------------------------------------------------------------
  'error.site-pattern.empty': '网站规则为空。请填写主机名，例如 docs.python.org 或 *.example.com。',
  'error.site-pattern.too-long': '网站规则“{pattern}…”超过 {max} 个字符。',
  'error.site-pattern.spaces': '网站规则“{pattern}”包含空格；每条规则一项，用逗号分隔。',
  'error.site-pattern.scheme': '网站规则“{pattern}”：只能绑定 http:// 和 https:// 页面（省略协议则两者都匹配）。',
  'error.site-pattern.wildcard': '网站规则“{pattern}”：* 只能出现在主机名开头（*.example.com）或路径末尾（/wiki/*）。',
  'error.site-pattern.host': '网站规则“{pattern}”没有有效的主机名；请写成 example.com、*.example.com 或 127.0.0.1 之类。',
  'error.site-pattern.port': '网站规则“{pattern}”的端口无效；端口是 1 到 65535 之间的数字。',
  'error.site-pattern.path': '网站规则“{pattern}”的路径无效；路径以 / 开头，* 只能跟在末尾的 / 之后。',
  'error.site-pattern.query': '网站规则“{pattern}”：地址中的 ? 和 # 部分不能绑定，请删除。',
  'error.adapter-bindings.wrong-type': '适配器绑定：“{field}”必须是文本列表。',
  'error.adapter-bindings.too-many': '适配器绑定：“{field}”最多 {max} 项。',
  'error.adapter-bindings.tag-too-long': '适配器绑定：标签最多 {max} 个字符。',
};
