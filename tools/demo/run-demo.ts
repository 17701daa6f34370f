// `npm run demo`: runs tools/demo/demo.ts and exits 1 if any stage fails or anything tried to
// leave the machine.
import { resolve } from 'node:path';
import { runDemo } from './demo';

const outDir = resolve('demo-output');

runDemo({ outDir, verbose: true })
  .then((report) => {
    const leaving = report.requestsLeaving as string[];
    if (leaving.length > 0) throw new Error(`requests tried to leave the machine: ${leaving.join(', ')}`);
    console.log(`\nDemo finished: report and screenshots in ${outDir}`);
  })
  .catch((error: unknown) => {
    console.error(`Demo failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
