#!/usr/bin/env node
// dmacheck command line from the TypeScript sources through tsx, for development: always the code on disk.
// The package's `dmacheck` bin is the build, dist/dmacheck.mjs (`npm run build`).
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/start.ts');
