#!/usr/bin/env node
// dmacheck benchmark (`npm run bench`). Runs the TypeScript sources through tsx (no build step).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/bench/main.ts');
process.exitCode = await main(process.argv.slice(2));
