/**
 * Run a benchmark plan: each measurement is repeated and its median kept.
 * State and transition counts must be the same in every repetition (they
 * are deterministic); times are wall-clock seconds.
 */
import { availableParallelism, loadavg } from 'node:os';
import { explore } from '../core/explorer.ts';
import { dmaSystem, exploreDma, type DmaSystem, type Reductions } from '../check/dma-system.ts';
import { specOf } from '../check/matrix.ts';
import { parseSelection } from '../check/selection.ts';
import { verify } from '../check/verify.ts';
import { PROPERTIES } from '../../properties/index.ts';
import { cacheStats, resetStepCaches } from '../../models/step-cache.ts';
import { record } from './explorer-only.ts';
import { listStartupSamples } from './list-startup.ts';
import { WORKER } from '../parallel/pool.ts';
import { startPool, workerScript, type WorkerPool, type WorkerScript } from '../parallel/worker-script.ts';
import { EXTRACTED_FIXTURE, EXTRACTED_ID, type BenchPlan, type FixedRun, type VerifyWorkload } from './workloads.ts';
import { loadTreeVersion, unloadTreeVersion, type TreeVersionData } from '../extract/tree-registry.ts';
import { treeVersionData } from '../extract/tree-version.ts';
import { resolve } from 'node:path';

/** The targets of the heavy run, and of the start-up of the built `dmacheck list`. */
export const TARGETS = { statesPerSecondPerWorker: 1_000_000, speedup2Workers: 1.8, bytesPerState: 48, listStartupSeconds: 0.5 } as const;

export interface FixedRunResult {
  readonly name: string;
  readonly about: string;
  readonly states: number;
  readonly transitions: number;
  /** median wall-clock seconds of explore() */
  readonly seconds: number;
  /** median process CPU seconds (user + system; includes the garbage collector's threads) */
  readonly cpuSeconds: number;
  readonly statesPerSecondPerWorker: number;
  /** state store, parent links and queues of the explorer, per distinct state */
  readonly bytesPerState: number;
  /** the reused thread steps and the numbering of collapsed components (src/check/collapse.ts), per distinct state; 0 without them */
  readonly memoBytesPerState: number;
  /** xstate steps answered from the step cache / all step lookups (models/step-cache.ts); null when the model is not run */
  readonly stepReuseHitRate: number | null;
  readonly stepReuseHits: number;
  readonly stepReuseMisses: number;
  /** (state, thread) pairs answered from the reused thread steps / all; null without them */
  readonly memoHitRate: number | null;
  readonly samples: readonly number[];
}

export interface VerifyResult {
  readonly runs: number;
  readonly states: number;
  readonly transitions: number;
  readonly seconds: number;
  readonly samples: readonly number[];
}

export interface SpeedupResult {
  readonly about: string;
  /** median seconds of a verify of one tiny run: starting the pool and its workers */
  readonly startup: { readonly oneWorker: number; readonly twoWorkers: number };
  /**
   * the script the workers load (src/parallel/worker-script.ts), made once
   * per process before any timing, so that no sample pays for it: its kind
   * and the seconds it took
   */
  readonly workerScript: { readonly kind: WorkerScript['kind']; readonly seconds: number };
  readonly oneWorker: VerifyResult & { readonly statesPerSecondPerWorker: number };
  readonly twoWorkers: VerifyResult & { readonly statesPerSecondPerWorker: number };
  /** median seconds with 1 worker / median seconds with 2 */
  readonly speedup: number;
  /**
   * the same, on pools already warm (each ran the workload once, untimed):
   * median seconds, their ratio, and the samples; next to `speedup`, it
   * shows what per-worker start-up and JIT compilation cost a verify
   */
  readonly warm: {
    readonly oneWorker: number;
    readonly twoWorkers: number;
    readonly speedup: number;
    readonly samples: { readonly oneWorker: readonly number[]; readonly twoWorkers: readonly number[] };
  };
}

export interface GrowthCell extends VerifyResult {
  readonly threads: number;
  readonly calls: number;
}

export interface ReductionRow extends VerifyResult {
  readonly mode: 'none' | 'symmetry' | 'por' | 'both';
  /** states without reductions / states with this mode */
  readonly factor: number;
  /** seconds without reductions / seconds with this mode */
  readonly timeFactor: number;
}

/** `dmacheck list` from process start to exit (src/bench/list-startup.ts) */
export interface ListStartupResult {
  readonly about: string;
  /** median wall-clock seconds of `node dist/dmacheck.mjs list`: the build, what the package's bin runs */
  readonly built: number;
  /** median wall-clock seconds of `node bin/dmacheck.mjs list`: the sources through tsx */
  readonly fromSources: number;
  readonly samples: { readonly built: readonly number[]; readonly fromSources: readonly number[] };
}

export interface BenchReport {
  readonly format: 'dmacheck-bench';
  readonly version: 1;
  readonly plan: string;
  /** heavy run, median */
  readonly statesPerSecondPerWorker: number;
  /** median seconds with 1 worker / median seconds with 2, on the speedup workload */
  readonly speedup2Workers: number;
  /** heavy run, explorer memory per stored state */
  readonly bytesPerState: number;
  /** median seconds of the built `dmacheck list` as a new process (listStartup.built) */
  readonly listStartupSeconds: number;
  readonly targets: typeof TARGETS;
  /** every time is the median of this many repetitions */
  readonly medianOf: number;
  readonly machine: { readonly node: string; readonly cpus: number; readonly loadAverage: readonly number[] };
  readonly heavy: FixedRunResult;
  readonly fixedRuns: readonly FixedRunResult[];
  /** the heavy run on the version extracted from `tree`, and its rate over the hand-written heavy run's */
  readonly extracted: { readonly tree: string; readonly run: FixedRunResult; readonly rateOverHand: number };
  readonly speedup: SpeedupResult;
  readonly growth: { readonly about: string; readonly cells: readonly GrowthCell[] };
  readonly reductions: { readonly about: string; readonly rows: readonly ReductionRow[] };
  readonly listStartup: ListStartupResult;
}

export interface BenchOptions {
  /** repetitions of every measurement (median kept) */
  readonly repeats: number;
  /** the kernel tree whose extraction the plan's `extracted` run uses (default EXTRACTED_FIXTURE) */
  readonly tree?: string;
  /** progress lines */
  readonly log?: (line: string) => void;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function sameCounts(what: string, counts: readonly string[]): void {
  if (new Set(counts).size > 1) throw new Error(`bench: ${what} explored different spaces in different repetitions: ${counts.join(' / ')}`);
}

export function measureFixedRun(w: FixedRun, repeats: number): FixedRunResult {
  if (w.explorerOnly) return measureExplorerOnly(w, repeats);
  const samples: number[] = [];
  const cpu: number[] = [];
  const counts: string[] = [];
  let last: { states: number; transitions: number; bytes: number; memoBytes: number; hits: number; misses: number; memoHits: number; memoMisses: number; memo: boolean } | undefined;
  for (let i = 0; i < repeats; i++) {
    // Cold step caches, so the hit rate counts every xstate evaluation the run needs.
    resetStepCaches();
    let sys: DmaSystem | undefined;
    const before = cacheStats();
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const r = exploreDma((t) => (sys = dmaSystem(specOf(w.task), PROPERTIES, w.reductions, { ...w.tuning, ...t })), { symmetry: w.reductions.symmetry !== false });
    samples.push((performance.now() - t0) / 1000);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1e6);
    const after = cacheStats();
    if (!r.complete) throw new Error(`bench: ${w.name} did not complete (${r.stopReason})`);
    counts.push(`${r.states}/${r.transitions}`);
    last = {
      states: r.states, transitions: r.transitions, bytes: r.bytesUsed, memoBytes: sys!.memo?.bytesUsed() ?? 0,
      hits: after.hits - before.hits, misses: after.misses - before.misses,
      memoHits: sys!.memo?.hits ?? 0, memoMisses: sys!.memo?.misses ?? 0, memo: sys!.memo !== undefined,
    };
  }
  sameCounts(w.name, counts);
  const l = last!;
  const seconds = median(samples);
  return {
    name: w.name, about: w.about, states: l.states, transitions: l.transitions, seconds, cpuSeconds: median(cpu),
    statesPerSecondPerWorker: l.states / seconds,
    bytesPerState: l.bytes / l.states,
    memoBytesPerState: l.memoBytes / l.states,
    stepReuseHitRate: l.hits / (l.hits + l.misses),
    stepReuseHits: l.hits,
    stepReuseMisses: l.misses,
    memoHitRate: l.memo ? l.memoHits / (l.memoHits + l.memoMisses) : null,
    samples,
  };
}

function measureExplorerOnly(w: FixedRun, repeats: number): FixedRunResult {
  if (w.reductions.symmetry !== false) throw new Error(`bench: ${w.name}: the explorer alone is timed without symmetry reduction`);
  const rec = record(dmaSystem(specOf(w.task), PROPERTIES, w.reductions, w.tuning));
  const samples: number[] = [];
  const cpu: number[] = [];
  let bytes = 0;
  for (let i = 0; i < repeats; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const r = explore(rec.system, { symmetry: false });
    samples.push((performance.now() - t0) / 1000);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1e6);
    if (r.states !== rec.states || r.transitions !== rec.transitions) throw new Error(`bench: ${w.name}: the replay explored another space`);
    bytes = r.bytesUsed;
  }
  const seconds = median(samples);
  return {
    name: w.name, about: w.about, states: rec.states, transitions: rec.transitions, seconds, cpuSeconds: median(cpu),
    statesPerSecondPerWorker: rec.states / seconds, bytesPerState: bytes / rec.states, memoBytesPerState: 0,
    stepReuseHitRate: null, stepReuseHits: 0, stepReuseMisses: 0, memoHitRate: null, samples,
  };
}

async function timeVerify(flags: VerifyWorkload['flags'], workers: number, reductions?: Reductions, pool?: WorkerPool) {
  const selection = parseSelection(flags);
  const t0 = performance.now();
  const r = await verify({ selection, workers, ...(reductions ? { reductions } : {}), ...(pool ? { pool } : {}) });
  const seconds = (performance.now() - t0) / 1000;
  if (!r.complete) throw new Error(`bench: verify ${JSON.stringify(flags)} did not complete`);
  return { seconds, runs: r.totals.runs, states: r.totals.states, transitions: r.totals.transitions };
}

async function measureVerify(what: string, flags: VerifyWorkload['flags'], workers: number, repeats: number, reductions?: Reductions): Promise<VerifyResult> {
  const samples: number[] = [];
  const counts: string[] = [];
  let last: Awaited<ReturnType<typeof timeVerify>> | undefined;
  for (let i = 0; i < repeats; i++) {
    last = await timeVerify(flags, workers, reductions);
    samples.push(last.seconds);
    counts.push(`${last.runs}/${last.states}/${last.transitions}`);
  }
  sameCounts(what, counts);
  return { runs: last!.runs, states: last!.states, transitions: last!.transitions, seconds: median(samples), samples };
}

type Timed = Awaited<ReturnType<typeof timeVerify>>;

/**
 * 1 and 2 workers alternated `repeats` times (the order swapped every round,
 * so a slow phase of the machine favours neither); every sample must
 * explore the same space (as `expected`, when given).
 */
async function alternate(repeats: number, sample: (workers: 1 | 2) => Promise<Timed>, expected?: Timed) {
  const one: number[] = [];
  const two: number[] = [];
  let counts = expected;
  for (let i = 0; i < repeats; i++) {
    for (const workers of i % 2 ? [2, 1] as const : [1, 2] as const) {
      const r = await sample(workers);
      (workers === 1 ? one : two).push(r.seconds);
      if (counts && (r.states !== counts.states || r.runs !== counts.runs)) throw new Error('bench: the speedup workload explored different spaces');
      counts = r;
    }
  }
  return { one, two, counts: counts! };
}

/**
 * The same workload on pools that are already warm: one pool of each size,
 * started and run through the workload once, untimed, before the samples.
 * What it leaves out, next to the cold speedup, is what every worker pays
 * once per verify: starting, loading its script, and JIT-compiling.
 */
async function measureWarm(flags: VerifyWorkload['flags'], repeats: number, expected: Timed): Promise<SpeedupResult['warm']> {
  const pools = { 1: await startPool(WORKER, 1), 2: await startPool(WORKER, 2) };
  try {
    for (const workers of [1, 2] as const) await timeVerify(flags, workers, undefined, pools[workers]);
    const { one, two } = await alternate(repeats, (workers) => timeVerify(flags, workers, undefined, pools[workers]), expected);
    return { oneWorker: median(one), twoWorkers: median(two), speedup: median(one) / median(two), samples: { oneWorker: one, twoWorkers: two } };
  } finally {
    await Promise.all([pools[1].terminate(true), pools[2].terminate(true)]);
  }
}

export async function measureSpeedup(w: VerifyWorkload, repeats: number): Promise<SpeedupResult> {
  // made once per process: this is its real cost only because no pool started earlier in the bench
  const s0 = performance.now();
  const script = await workerScript(WORKER);
  const workerScriptSeconds = (performance.now() - s0) / 1000;
  const { one, two, counts: c } = await alternate(repeats, (workers) => timeVerify(w.flags, workers));
  const s1 = median(one);
  const s2 = median(two);
  const row = (seconds: number, samples: number[], workers: number) =>
    ({ runs: c.runs, states: c.states, transitions: c.transitions, seconds, samples, statesPerSecondPerWorker: c.states / seconds / workers });
  const tiny = { ...w.flags, threads: 1, calls: 1 };
  const startup = { oneWorker: [] as number[], twoWorkers: [] as number[] };
  for (let i = 0; i < repeats; i++) {
    startup.oneWorker.push((await timeVerify(tiny, 1)).seconds);
    startup.twoWorkers.push((await timeVerify(tiny, 2)).seconds);
  }
  return {
    about: w.about, startup: { oneWorker: median(startup.oneWorker), twoWorkers: median(startup.twoWorkers) },
    workerScript: { kind: script.kind, seconds: workerScriptSeconds },
    oneWorker: row(s1, one, 1), twoWorkers: row(s2, two, 2), speedup: s1 / s2,
    warm: await measureWarm(w.flags, repeats, c),
  };
}

/** `w` on the version of `data` (extracted from a tree), loaded for the measurement only. */
function measureExtracted(w: FixedRun, data: TreeVersionData, repeats: number): FixedRunResult {
  loadTreeVersion(data);
  try {
    return measureFixedRun(w, repeats);
  } finally {
    unloadTreeVersion(EXTRACTED_ID);
  }
}

export async function runBench(plan: BenchPlan, opts: BenchOptions): Promise<BenchReport> {
  const log = opts.log ?? (() => {});
  const n = opts.repeats;
  const loadAverage = loadavg();
  // extracted first: a tree that does not extract is bad input before anything runs
  const tree = opts.tree ?? EXTRACTED_FIXTURE;
  const treeData = await treeVersionData({ name: EXTRACTED_ID, dir: tree });
  const fixedRuns: FixedRunResult[] = [];
  for (const w of plan.fixedRuns) {
    log(`fixed run: ${w.name} (${w.about})`);
    fixedRuns.push(measureFixedRun(w, n));
  }
  log(`fixed run: ${plan.extracted.name} (tree ${tree})`);
  const extractedRun = measureExtracted(plan.extracted, treeData, n);
  log(`speedup: ${plan.speedup.about}`);
  const speedup = await measureSpeedup(plan.speedup, n);
  const cells: GrowthCell[] = [];
  for (const threads of plan.growth.threads) {
    for (const calls of plan.growth.calls) {
      log(`growth: threads ${threads}, calls ${calls}`);
      cells.push({ threads, calls, ...(await measureVerify(`growth ${threads}x${calls}`, { ...plan.growth.flags, threads, calls }, 0, n)) });
    }
  }
  const modes = [
    ['none', { symmetry: false, por: false }], ['symmetry', { symmetry: true, por: false }],
    ['por', { symmetry: false, por: true }], ['both', { symmetry: true, por: true }],
  ] as const;
  const measured: (VerifyResult & { mode: ReductionRow['mode'] })[] = [];
  for (const [mode, reductions] of modes) {
    log(`reductions: ${mode}`);
    measured.push({ mode, ...(await measureVerify(`reductions ${mode}`, plan.reductions.flags, 0, n, reductions)) });
  }
  log(`list start-up: ${plan.listStarts} process start(s) each, built and from the sources`);
  const starts = listStartupSamples(plan.listStarts);
  const listStartup: ListStartupResult = {
    about: `node dist/dmacheck.mjs list (the build) and node bin/dmacheck.mjs list (the sources through tsx), ${plan.listStarts} process start(s) each, alternated`,
    built: median(starts.built), fromSources: median(starts.fromSources), samples: starts,
  };
  const none = measured[0]!;
  const rows = measured.map((r) => ({ ...r, factor: none.states / r.states, timeFactor: none.seconds / r.seconds }));
  const heavy = fixedRuns[0]!;
  return {
    format: 'dmacheck-bench',
    version: 1,
    plan: plan.name,
    statesPerSecondPerWorker: heavy.statesPerSecondPerWorker,
    speedup2Workers: speedup.speedup,
    bytesPerState: heavy.bytesPerState,
    listStartupSeconds: listStartup.built,
    targets: TARGETS,
    medianOf: n,
    machine: { node: process.version, cpus: availableParallelism(), loadAverage },
    heavy,
    fixedRuns,
    extracted: { tree: resolve(tree), run: extractedRun, rateOverHand: extractedRun.statesPerSecondPerWorker / heavy.statesPerSecondPerWorker },
    speedup,
    growth: { about: plan.growth.about, cells },
    reductions: { about: plan.reductions.about, rows },
    listStartup,
  };
}
