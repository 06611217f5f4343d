// Worker threads on Node 20 cannot load .ts: register tsx, then load the worker.
// The fallback: pools normally load a bundle of the worker (src/parallel/worker-script.ts).
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
