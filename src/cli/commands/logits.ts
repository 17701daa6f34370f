// attune logits: next-token logits for a prompt (parity checks against other implementations).
import type { Command } from '../command';
import { loadFromFlags, MODEL_FLAGS } from '../common-flags';
import { forward } from '../../model';
import { promptIds, PROMPT_FLAGS } from './prompt-ids';
import { ADAPTER_FLAGS, adapterFromFlags, inferenceHooks } from '../adapter-flag';
import { adaptedModel } from '../../tuning/adapted-model';

export const logitsCommand: Command = {
  name: 'logits',
  summary: 'Print next-token logits for a prompt (top 10, or all as JSON)',
  flags: {
    ...MODEL_FLAGS,
    ...PROMPT_FLAGS,
    ...ADAPTER_FLAGS,
    json: { type: 'boolean', description: 'print {ids, shape, logits} as JSON (last position)' },
    all: { type: 'boolean', description: 'with --json: logits of every position, [T, V] row-major' },
  },
  async run(flags, io) {
    const model = await loadFromFlags(flags, io);
    const adapter = adapterFromFlags(flags, model);
    try {
      const ids = promptIds(model, flags);
      const out = forward(adaptedModel(model, adapter), { ids: [ids], logits: flags.all ? 'all' : 'last', hooks: inferenceHooks(adapter) });
      const values = Array.from(await out.logits.data());
      const shape = out.logits.shape.slice(1);
      out.logits.dispose();
      if (flags.json) return io.out(JSON.stringify({ ids, shape, logits: values }) + '\n');
      const ranked = values.map((v, id) => ({ id, v })).sort((a, b) => b.v - a.v).slice(0, 10);
      const lines = ranked.map(({ id, v }) => `${String(id).padStart(7)}  ${v.toFixed(4).padStart(10)}  ${JSON.stringify(model.tokenizer!.decode([id]))}`);
      io.out(`next-token logits after ${ids.length} tokens (top 10):\n${lines.join('\n')}\n`);
    } finally {
      adapter?.dispose();
      model.dispose();
    }
  },
};
