/**
 * The fixed workloads of `npm run bench`. Changing one changes what the
 * numbers mean: the report prints each workload's state count, so a change
 * of the model that alters the explored space shows up there too.
 */
import { fileURLToPath } from 'node:url';
import { DIRECT_SCOPE } from '../../models/versions.ts';
import type { DeviceConfig } from '../../models/devices.ts';
import type { EntryPoint } from '../../models/versions.ts';
import type { Reductions, Tuning } from '../check/dma-system.ts';
import type { RunTask } from '../check/matrix.ts';
import type { SelectionFlags } from '../check/selection.ts';

/** One run explored in this thread with `explore()`. */
export interface FixedRun {
  readonly name: string;
  readonly about: string;
  readonly task: RunTask;
  readonly reductions: Reductions;
  readonly tuning?: Tuning;
  /** time only the explorer: replay the run's recorded successors (explorer-only.ts); needs no reductions */
  readonly explorerOnly?: boolean;
}

/** A matrix selection run through `verify()`. */
export interface VerifyWorkload {
  readonly about: string;
  readonly flags: SelectionFlags;
}

export interface BenchPlan {
  readonly name: string;
  /** the runs explored in this thread; the first is the heavy run, whose speed the targets are about */
  readonly fixedRuns: readonly [FixedRun, ...FixedRun[]];
  /**
   * the heavy run again on a version extracted from a kernel tree (its id
   * EXTRACTED_ID; the tree is `npm run bench -- --tree DIR`, else
   * EXTRACTED_FIXTURE), next to the hand-written one: extracted machines
   * run through the same step cache
   */
  readonly extracted: FixedRun;
  /** the same selection with 1 and with 2 workers */
  readonly speedup: VerifyWorkload;
  /** one platform and device configuration, threads x calls */
  readonly growth: { readonly about: string; readonly flags: SelectionFlags; readonly threads: readonly number[]; readonly calls: readonly number[] };
  /** the same selection without and with each reduction */
  readonly reductions: VerifyWorkload;
  /** process starts of `dmacheck list` timed, built and from the sources (median kept, whatever --repeats) */
  readonly listStarts: number;
}

const A: EntryPoint = 'dma_direct_alloc';
const F: EntryPoint = 'dma_direct_free';
const M: EntryPoint = 'dma_direct_mmap';
const AP: EntryPoint = 'dma_direct_alloc_pages';
const FP: EntryPoint = 'dma_direct_free_pages';

const NON_COHERENT_SHARED_POOL: DeviceConfig = { coherent: false, pool: 'shared', gfp: 'blocking', nkm: false };
const NO_REDUCTIONS: Reductions = { symmetry: false, por: false };

const task = (platform: string, device: DeviceConfig, programs: readonly (readonly EntryPoint[])[]): RunTask =>
  ({ index: 0, version: 'baseline', platform, device, programs });

/**
 * The heavy run: three CPUs allocating from one restricted pool shared by
 * their non-coherent devices on CCA (every alloc decrypts, remaps, and
 * frees re-encrypt), eight calls each: about 1.1 million distinct states.
 * Explored without reductions, so the stepper and the state store do all
 * the work.
 */
export const HEAVY: FixedRun = {
  name: 'heavy',
  about: 'baseline cca coherent=0,pool=shared: 3 threads x 8 calls, no reductions',
  task: task('cca', NON_COHERENT_SHARED_POOL, [
    [A, F, A, F, A, F, A, F],
    [AP, FP, A, F, A, M, F, A],
    [AP, FP, A, F, AP, FP, A, F],
  ]),
  reductions: NO_REDUCTIONS,
};

// dma-direct's own entry points: the workloads stay the ones earlier benches measured
const GROWTH_FLAGS: SelectionFlags = { versions: 'baseline', platforms: 'cca', device: 'coherent=0,pool=none,gfp=blocking,nkm=0', entryPoints: DIRECT_SCOPE.join(',') };

/** The version id of the extracted tree the bench loads. */
export const EXTRACTED_ID = 'extracted';
/** The tree extracted when no --tree is given: the repository's fixture (one dma_direct_alloc; the rest hand-written baseline). */
export const EXTRACTED_FIXTURE = fileURLToPath(new URL('../../test/fixtures/tree', import.meta.url));

const extracted = (run: FixedRun): FixedRun => ({
  ...run, name: `${run.name.replace(/,.*$/, '')}, extracted`, task: { ...run.task, version: EXTRACTED_ID },
  about: `${run.about.replace(/^baseline/, 'the extracted tree')} (dma-direct machines extracted from the tree where it defines them)`,
});

export const FULL_PLAN: BenchPlan = {
  name: 'full',
  fixedRuns: [
    HEAVY,
    { ...HEAVY, name: 'heavy, explorer only', about: "the heavy run's recorded successors replayed: the explorer's own cost", explorerOnly: true },
    { ...HEAVY, name: 'heavy, reduced', about: 'the heavy run with symmetry and partial-order reduction (the default)', reductions: {} },
    { ...HEAVY, name: 'heavy, bare model', about: 'the heavy run without reusing thread steps (every step computed by the model)', tuning: { stepMemo: false } },
    {
      name: 'tdx failures',
      about: 'baseline tdx coherent=1,pool=none: 3 threads x 8 calls, set_memory_*() may fail, no reductions',
      task: task('tdx', { coherent: true, pool: 'none', gfp: 'blocking', nkm: false }, [
        [A, F, A, F, A, F, A, F],
        [AP, FP, A, F, A, M, F, A],
        [AP, FP, A, F, AP, FP, A, F],
      ]),
      reductions: NO_REDUCTIONS,
    },
  ],
  extracted: extracted(HEAVY),
  // over ten seconds on one worker, so that starting a worker (about half a second, plus its JIT warm-up) does not dominate
  speedup: {
    about: 'verify baseline,v2-p1,v2-p3,v2-p4 cca coherent=0,pool=none, 3 threads x 4 calls (2720 runs)',
    flags: { ...GROWTH_FLAGS, versions: 'baseline,v2-p1,v2-p3,v2-p4', threads: 3, calls: 4 },
  },
  growth: { about: 'verify baseline cca coherent=0,pool=none,gfp=blocking,nkm=0, in this thread', flags: GROWTH_FLAGS, threads: [1, 2, 3], calls: [1, 2, 3, 4] },
  reductions: { about: 'verify baseline cca coherent=0,pool=none, 3 threads x 3 calls (220 runs), in this thread', flags: { ...GROWTH_FLAGS, threads: 3, calls: 3 } },
  listStarts: 11,
};

/** Tiny workloads with the same shape: checks the harness in seconds (tests, `--smoke`). */
const SMOKE_HEAVY: FixedRun = {
  name: 'heavy (smoke)',
  about: 'baseline cca coherent=0,pool=shared: 2 threads x 3 calls, no reductions',
  task: task('cca', NON_COHERENT_SHARED_POOL, [[A, M, F], [AP, FP, A]]),
  reductions: NO_REDUCTIONS,
};

export const SMOKE_PLAN: BenchPlan = {
  name: 'smoke',
  fixedRuns: [
    SMOKE_HEAVY,
    { ...SMOKE_HEAVY, name: 'heavy (smoke), explorer only', about: 'recorded successors replayed', explorerOnly: true },
    { ...SMOKE_HEAVY, name: 'heavy (smoke), bare model', about: 'without reusing thread steps', tuning: { stepMemo: false } },
  ],
  extracted: extracted(SMOKE_HEAVY),
  speedup: { about: 'verify baseline cca coherent=0,pool=none, 2 threads x 2 calls', flags: { ...GROWTH_FLAGS, threads: 2, calls: 2 } },
  growth: { about: 'verify baseline cca coherent=0,pool=none,gfp=blocking,nkm=0, in this thread', flags: GROWTH_FLAGS, threads: [1, 2], calls: [1, 2] },
  reductions: { about: 'verify baseline cca coherent=0,pool=none, 2 threads x 2 calls, in this thread', flags: { ...GROWTH_FLAGS, threads: 2, calls: 2 } },
  listStarts: 3,
};
