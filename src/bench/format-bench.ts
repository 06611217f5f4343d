/**
 * The benchmark report as plain-text tables.
 */
import type { BenchReport } from './run-bench.ts';

const int = (x: number): string => Math.round(x).toLocaleString('en-US');
const fixed = (x: number, d: number): string => x.toFixed(d);
const pct = (x: number | null): string => (x === null ? '-' : `${(100 * x).toFixed(x > 0.999 && x < 1 ? 3 : 1)}%`);

/** Left-aligned first column, the others right-aligned. */
function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)];
}

function verdict(value: number, target: number, atLeast: boolean): string {
  const met = atLeast ? value >= target : value <= target;
  if (met) return 'met';
  return atLeast ? `NOT MET (${((100 * value) / target).toFixed(0)}% of the target)` : `NOT MET (${((100 * (value - target)) / target).toFixed(0)}% over)`;
}

export function formatBench(r: BenchReport): string {
  const out: string[] = [];
  const [l1, l5, l15] = r.machine.loadAverage;
  out.push(`dmacheck benchmark (plan ${r.plan})`);
  out.push(`Every time below is the MEDIAN of ${r.medianOf} repetition${r.medianOf === 1 ? '' : 's'} (wall clock); rates are computed from the median time.`);
  out.push(`node ${r.machine.node}, ${r.machine.cpus} CPUs, load average ${fixed(l1!, 2)} ${fixed(l5!, 2)} ${fixed(l15!, 2)} at the start` +
    (l1! > 0.5 ? ' (the machine was busy: expect lower rates and speedup)' : ''));
  out.push('');
  out.push('Fixed runs: explore() of one run in this thread (one worker)');
  out.push(...table(
    ['run', 'states', 'transitions', 'seconds', 'cpu s', 'states/s/worker', 'bytes/state', 'memo B/state', 'xstate reuse', 'step memo'],
    r.fixedRuns.map((f) => [
      f.name, int(f.states), int(f.transitions), fixed(f.seconds, 2), fixed(f.cpuSeconds, 2), int(f.statesPerSecondPerWorker),
      fixed(f.bytesPerState, 1), fixed(f.memoBytesPerState, 1), pct(f.stepReuseHitRate), pct(f.memoHitRate),
    ]),
  ));
  for (const f of r.fixedRuns) out.push(`  ${f.name}: ${f.about}`);
  out.push('  bytes/state: the explorer (state store, parents, queues); memo B/state: reused thread steps and collapsed components, on top.');
  out.push('  xstate reuse: machine steps answered from the step cache; step memo: (state, thread) pairs replayed from reused thread steps.');
  const only = r.fixedRuns.find((f) => f.stepReuseHitRate === null && f.states === r.heavy.states);
  if (only) out.push(`  The explorer alone takes ${fixed(only.seconds, 2)} of the heavy run's ${fixed(r.heavy.seconds, 2)} seconds (${fixed((100 * only.seconds) / r.heavy.seconds, 0)}%); the model and the checks take the rest.`);
  out.push('');
  const x = r.extracted;
  out.push(`Extracted: the heavy run on the version extracted from ${x.tree}`);
  out.push(...table(['run', 'states', 'transitions', 'seconds', 'states/s/worker', 'xstate reuse', 'step memo', 'vs hand-written'], [[
    x.run.name, int(x.run.states), int(x.run.transitions), fixed(x.run.seconds, 2), int(x.run.statesPerSecondPerWorker),
    pct(x.run.stepReuseHitRate), pct(x.run.memoHitRate), `${fixed(100 * x.rateOverHand, 0)}%`,
  ]]));
  out.push(`  ${x.run.name}: ${x.run.about}`);
  out.push("  vs hand-written: its states/s per worker over the hand-written heavy run's (the same programs, platform and device).");
  out.push('');
  out.push(`Targets on the heavy run (${r.heavy.about})`);
  out.push(...table(['', 'value', 'target', ''], [
    ['states/s per worker', int(r.statesPerSecondPerWorker), `>= ${int(r.targets.statesPerSecondPerWorker)}`, verdict(r.statesPerSecondPerWorker, r.targets.statesPerSecondPerWorker, true)],
    ['2 workers / 1 worker', `${fixed(r.speedup2Workers, 2)}x`, `>= ${r.targets.speedup2Workers}x`, verdict(r.speedup2Workers, r.targets.speedup2Workers, true)],
    ['bytes per stored state', fixed(r.bytesPerState, 1), `<= ${r.targets.bytesPerState}`, verdict(r.bytesPerState, r.targets.bytesPerState, false)],
  ]).map((l) => `  ${l}`));
  out.push('');
  const ls = r.listStartup;
  out.push(`Start-up: ${ls.about}`);
  out.push(...table(['', 'seconds', 'target', ''], [
    ['dmacheck list, built', fixed(ls.built, 3), `<= ${r.targets.listStartupSeconds}`, verdict(ls.built, r.targets.listStartupSeconds, false)],
    ['dmacheck list, sources (tsx)', fixed(ls.fromSources, 3), '', ''],
  ]).map((l) => `  ${l}`));
  out.push('');
  const s = r.speedup;
  out.push(`Speedup: ${s.about}`);
  out.push(...table(['workers', 'runs', 'states', 'seconds', 'states/s/worker'], [
    ['1', int(s.oneWorker.runs), int(s.oneWorker.states), fixed(s.oneWorker.seconds, 2), int(s.oneWorker.statesPerSecondPerWorker)],
    ['2', int(s.twoWorkers.runs), int(s.twoWorkers.states), fixed(s.twoWorkers.seconds, 2), int(s.twoWorkers.statesPerSecondPerWorker)],
  ]));
  out.push(`  speedup of 2 workers: ${fixed(s.speedup, 2)}x (worker start-up included: a verify of one tiny run takes ${fixed(s.startup.oneWorker, 2)}s on 1 worker, ${fixed(s.startup.twoWorkers, 2)}s on 2)`);
  out.push(`  on pools already warm (each ran the workload once, untimed): ${fixed(s.warm.oneWorker, 2)}s on 1 worker, ${fixed(s.warm.twoWorkers, 2)}s on 2, speedup ${fixed(s.warm.speedup, 2)}x;`);
  out.push('  the difference from the speedup above is what each worker pays once per verify: starting, loading its script, JIT compilation');
  const loads = { built: 'the worker file of the build', bundle: 'one bundled JavaScript file', tsx: 'TypeScript through tsx' }[s.workerScript.kind];
  out.push(`  workers load ${loads}, made once per process before timing in ${fixed(s.workerScript.seconds, 2)}s`);
  out.push('');
  out.push(`Growth: ${r.growth.about}; states / seconds, reductions on`);
  const threads = [...new Set(r.growth.cells.map((c) => c.threads))];
  const calls = [...new Set(r.growth.cells.map((c) => c.calls))];
  out.push(...table(['threads \\ calls', ...calls.map(String)], threads.map((t) => [String(t), ...calls.map((c) => {
    const cell = r.growth.cells.find((x) => x.threads === t && x.calls === c)!;
    return `${int(cell.states)} / ${fixed(cell.seconds, 2)}s`;
  })])));
  out.push('');
  out.push(`Reductions: ${r.reductions.about}`);
  out.push(...table(['reduction', 'states', 'transitions', 'seconds', 'states: none / this', 'time: none / this'], r.reductions.rows.map((x) => [
    x.mode, int(x.states), int(x.transitions), fixed(x.seconds, 2), `${fixed(x.factor, 2)}x`, `${fixed(x.timeFactor, 2)}x`,
  ])));
  return out.join('\n');
}
