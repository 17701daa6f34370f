// Where the time from model files to the first token goes (tfjs-wasm): backend start, file read,
// safetensors decode, weight map (transposes + upload), tied head, first generated token.
//   node --import tsx tools/bench/_profile_load.ts <model dir> [compact]
import { loadavg } from 'node:os';

async function main(): Promise<void> {
  const dir = process.argv[2]!;
  const compact = process.argv[3] === 'compact';
  const t0 = performance.now();
  const mark: [string, number][] = [];
  const at = (label: string) => mark.push([label, performance.now()]);
  const { startNodeBackend } = await import('../../src/cli/node-backend');
  const started = await startNodeBackend('wasm');
  if (started.note) throw new Error(started.note);
  at('backend');
  const { readModelDirectory } = await import('../../src/model/node-files');
  const { loadModel } = await import('../../src/model/model');
  const { generate } = await import('../../src/model');
  const files = readModelDirectory(dir);
  at('read files');
  const model = await loadModel(files, compact ? { compact: true } : {});
  at('load model');
  await generate(model, [100, 107, 114, 121], { greedy: true, stopTokenIds: [], maxNewTokens: 1 });
  at('first token');
  await generate(model, [100, 107, 114, 121], { greedy: true, stopTokenIds: [], maxNewTokens: 1 });
  at('second first token');
  let prev = t0;
  for (const [label, t] of mark) {
    console.log(`${label.padEnd(20)} ${((t - prev) / 1000).toFixed(2)} s`);
    prev = t;
  }
  console.log(`total to first token ${((mark[3]![1] - t0) / 1000).toFixed(2)} s, peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB, load ${loadavg()[0]!.toFixed(2)}`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
