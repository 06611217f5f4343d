#!/usr/bin/env node
// dmacheck command line. Runs the TypeScript sources through tsx (no build step).
import { register } from 'tsx/esm/api';

register();
// `dmacheck ... | head`: when the reader goes away, stop printing and finish the run (reports, exit code) quietly.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e) => {
    if (e.code !== 'EPIPE') throw e;
  });
}
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
