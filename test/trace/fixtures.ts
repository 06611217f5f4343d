/** Counterexamples for the trace tests, found by verify in this thread at small bounds. */
import { parseSelection } from '../../src/check/selection.ts';
import { verify } from '../../src/check/verify.ts';
import type { Results } from '../../src/check/results.ts';
import type { Trace } from '../../src/check/trace.ts';
import { pickCounterexample, type Picked } from '../../src/trace/pick-counterexample.ts';

/** The results path the golden rendering names (the file need not exist). */
export const RESULTS_PATH = 'reports/nightly/results.json';

export async function results(versions: string, platforms: string, device: string, properties: string, threads = 1, calls = 2): Promise<Results> {
  return verify({ selection: parseSelection({ versions, platforms, device, properties, threads, calls }), workers: 0 });
}

export async function counterexample(version: string, platform: string, device: string, property: string, threads = 1, calls = 2): Promise<Picked> {
  const r = await results(version, platform, device, property, threads, calls);
  return pickCounterexample(r, RESULTS_PATH, { version, property, platform });
}

/** baseline, cca, a coherent device with a restricted pool of its own: set_memory_decrypted() on a pool slot. */
export const doubleDecrypt = (): Promise<Picked> => counterexample('baseline', 'cca', 'coherent=1,pool=own,gfp=blocking,nkm=0', 'no-double-decrypt');

/** v2-p2, cca, a non-coherent device without a pool: the remap gets a decrypted prot for an encrypted page. */
export const remap = (): Promise<Picked> => counterexample('v2-p2', 'cca', 'coherent=0,pool=none,gfp=blocking,nkm=0', 'no-encrypted-mapped-decrypted');

/** A copy of a trace with changes (a hand-made trace). */
export function edit(t: Trace, f: (x: Record<string, any>) => void): Record<string, any> {
  const x = JSON.parse(JSON.stringify(t));
  f(x);
  return x;
}
