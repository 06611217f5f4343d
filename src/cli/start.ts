/**
 * The process entry of the command line: runs main() on the arguments and
 * sets the exit code. bin/dmacheck.mjs loads it from the sources through
 * tsx; the build (scripts/build.mjs) bundles it as dist/dmacheck.mjs, the
 * package's `dmacheck` bin.
 */
import { main } from './main.ts';

// `dmacheck ... | head`: when the reader goes away, stop printing and finish the run (reports, exit code) quietly.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
  });
}
process.exitCode = await main(process.argv.slice(2));
