// Worker threads on Node 20 cannot load .ts: register tsx, then load the worker.
import { register } from 'tsx/esm/api';

register();
await import('./diff-worker.ts');
