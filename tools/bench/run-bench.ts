// `npm run bench [-- name ...]`: runs every benchmark in tools/bench/ (each `*.ts` file except this
// one and helpers starting with `_`), one child process each so backends and heaps never mix.
// Benchmarks print their own tables; this runner only sequences them and reports failures.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const benches = readdirSync(HERE)
  .filter((f) => f.endsWith('.ts') && f !== 'run-bench.ts' && !f.startsWith('_'))
  .filter((f) => filters.length === 0 || filters.some((name) => f.includes(name)))
  .sort();

if (benches.length === 0) {
  console.error(`no benchmark matches ${filters.join(', ')}`);
  process.exit(2);
}
let failed = 0;
for (const file of benches) {
  console.log(`\n=== ${file} ===`);
  const child = spawnSync(process.execPath, ['--import', 'tsx', join(HERE, file)], { stdio: 'inherit' });
  if (child.status !== 0) {
    failed++;
    console.error(`${file} failed (exit ${child.status})`);
  }
}
process.exit(failed ? 1 : 0);
