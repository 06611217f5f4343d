/**
 * Counterexamples for the trace tests, found by verify in this thread at
 * small bounds, on dma-direct's own entry points (the scope the pinned
 * traces were recorded on: no probe of a restricted-pool device, no pool
 * worker).
 */
import { DIRECT_SCOPE } from '../../models/versions.ts';
import { parseSelection } from '../../src/check/selection.ts';
import { verify } from '../../src/check/verify.ts';
import type { Results } from '../../src/check/results.ts';
import type { Trace } from '../../src/check/trace.ts';
import { pickCounterexample, type Picked } from '../../src/trace/pick-counterexample.ts';

/** The results path the golden rendering names (the file need not exist). */
export const RESULTS_PATH = 'reports/nightly/results.json';

export async function results(versions: string, platforms: string, device: string, properties: string, threads = 1, calls = 2): Promise<Results> {
  return verify({ selection: parseSelection({ versions, platforms, device, properties, threads, calls, entryPoints: DIRECT_SCOPE.join(',') }), workers: 0 });
}

export async function counterexample(version: string, platform: string, device: string, property: string, threads = 1, calls = 2): Promise<Picked> {
  const r = await results(version, platform, device, property, threads, calls);
  return pickCounterexample(r, RESULTS_PATH, { version, property, platform });
}

/** baseline, cca, a coherent device with a restricted pool of its own: set_memory_decrypted() on a pool slot. */
export const doubleDecrypt = (): Promise<Picked> => counterexample('baseline', 'cca', 'coherent=1,pool=own,gfp=blocking,nkm=0', 'no-double-decrypt');

/** v2-p2, cca, a non-coherent device without a pool: the remap gets a decrypted prot for an encrypted page. */
export const remap = (): Promise<Picked> => counterexample('v2-p2', 'cca', 'coherent=0,pool=none,gfp=blocking,nkm=0', 'no-encrypted-mapped-decrypted');

/** v2-p3-without-p1, cca, two CPUs sharing a pool: CPU0's failed remap re-encrypts a slot, CPU1 bounces through it. */
export const sharedSlot = (): Promise<Picked> =>
  counterexample('v2-p3-without-p1', 'cca', 'coherent=0,pool=shared,gfp=blocking,nkm=0', 'no-encrypted-mapped-decrypted', 2, 2);

/** baseline, cca, an atomic allocation from the atomic pool: a page leaked without a failed set_memory_*(). */
export const leak = (): Promise<Picked> => counterexample('baseline', 'cca', 'coherent=1,pool=none,gfp=atomic,nkm=0', 'leak-only-on-set-memory-failure');

/** A copy of a trace with changes (a hand-made trace). */
export function edit(t: Trace, f: (x: Record<string, any>) => void): Record<string, any> {
  const x = JSON.parse(JSON.stringify(t));
  f(x);
  return x;
}
