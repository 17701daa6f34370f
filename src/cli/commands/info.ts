// attune info: what a model folder holds (family, size, vocabulary, context).
import type { Command } from '../command';
import { loadFromFlags, MODEL_FLAGS } from '../common-flags';
import { parameterCount } from '../../model';

export const infoCommand: Command = {
  name: 'info',
  summary: 'Show a model: family, parameter count, vocabulary, context length',
  flags: { ...MODEL_FLAGS, json: { type: 'boolean', description: 'print JSON' } },
  async run(flags, io) {
    const model = await loadFromFlags(flags, io);
    const c = model.config;
    const info = {
      family: c.family,
      modelType: c.modelType,
      parameters: parameterCount(model),
      vocabSize: c.vocabSize,
      contextLength: c.maxPositions,
      layers: c.numLayers,
      hiddenSize: c.hiddenSize,
      heads: c.numHeads,
      kvHeads: c.numKvHeads,
      tiedEmbeddings: c.tieWordEmbeddings,
      tokenizer: model.tokenizer !== null,
      chatTemplate: model.tokenizer ? (model.tokenizer.hasModelChatTemplate ? 'model' : 'plain instruction fallback') : 'none',
    };
    model.dispose();
    if (flags.json) return io.out(JSON.stringify(info, null, 2) + '\n');
    io.out(
      [
        `family          ${info.family} (${info.modelType})`,
        `parameters      ${info.parameters.toLocaleString('en-US')}`,
        `vocabulary      ${info.vocabSize}`,
        `context length  ${info.contextLength}`,
        `layers          ${info.layers} × hidden ${info.hiddenSize}, ${info.heads} heads (${info.kvHeads} kv)`,
        `embeddings      ${info.tiedEmbeddings ? 'tied' : 'untied'} head`,
        `tokenizer       ${info.tokenizer ? 'yes' : 'no'}; chat template: ${info.chatTemplate}`,
      ].join('\n') + '\n',
    );
  },
};
