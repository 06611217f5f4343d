import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ENTRY_POINTS } from '../../models/versions.ts';
import type { Trace } from '../../src/check/trace.ts';
import type { Io } from '../../src/cli/command.ts';
import { main } from '../../src/cli/main.ts';
import { scenarioArbitrary, scenarioTask, walkRun, type ScenarioSpace } from '../../src/simulate/scenario.ts';
import { simulate } from '../../src/simulate/simulate.ts';
import { selectProperties } from '../../src/check/run-task.ts';
import { tempDir } from '../temp-dir.ts';

function io() {
  const out: string[] = [];
  const err: string[] = [];
  const sink: Io = { out: (t) => out.push(t), err: (t) => err.push(t), isTTY: false };
  return { sink, out, err };
}

const SPACE: ScenarioSpace = { versions: ['baseline'], platforms: ['cca'], entryPoints: [...ENTRY_POINTS], threads: 3, calls: 8 };

describe('dmacheck simulate', () => {
  it('finds the baseline double decrypt on cca from a fixed seed and shrinks it to one alloc on a restricted pool', () => {
    const r = simulate({ seed: 42, runs: 200, space: SPACE, properties: ['no-double-decrypt'] });
    const f = r.found!;
    expect(f).toBeDefined();
    expect(f.shrinks).toBeGreaterThan(0);
    expect([f.violation.property, f.violation.severity]).toEqual(['no-double-decrypt', 'effective']);
    expect(f.task.programs).toEqual([['dma_direct_alloc']]);
    expect(f.task.device).toEqual({ coherent: true, pool: 'own', gfp: 'blocking', nkm: false });
    expect(f.trace.steps.map((s) => `${s.thread}:${s.call}:${s.event}${s.page ? `(${s.page})` : ''}`)).toEqual([
      '0:dma_direct_alloc:CALL',
      '0:dma_direct_alloc:SWIOTLB_ALLOC_OK(pool0.slot0)',
      '0:dma_direct_alloc:SET_DECRYPTED_OK',
    ]);
    expect(f.trace.message).toBe('set_memory_decrypted() on pool0.slot0, which is already decrypted');
    // The same seed gives the same result; the printed path replays it directly.
    const again = simulate({ seed: 42, runs: 200, space: SPACE, properties: ['no-double-decrypt'] });
    expect(again.found!.trace).toEqual(f.trace);
    expect(simulate({ seed: 42, runs: 200, space: SPACE, properties: ['no-double-decrypt'], path: f.path }).found!.trace).toEqual(f.trace);
  });

  it('writes a trace that dmacheck replay reproduces, prints the seed and the trace path, exit 1', async () => {
    const dir = tempDir('sim');
    const t = io();
    const code = await main(['simulate', '--seed', '42', '--runs', '200', '--versions', 'baseline', '--platforms', 'cca', '--properties', 'no-double-decrypt', '--out', dir], t.sink);
    expect(code).toBe(1);
    const file = join(dir, 'simulate-seed-42.trace.json');
    expect(t.err[0]).toMatch(/^simulate: seed 42; 200 scenario\(s\) of up to 3 thread\(s\) x 8 call\(s\)/);
    expect(t.out.join('\n')).toContain(`trace: ${file}`);
    expect(t.out.join('\n')).toMatch(/^simulate: seed 42: no-double-decrypt violated \(effective\) after \d+ scenario\(s\), shrunk \d+ time\(s\)/);
    const trace = JSON.parse(readFileSync(file, 'utf8')) as Trace;
    expect([trace.format, trace.run.version, trace.run.platform, trace.property]).toEqual(['dmacheck-trace', 'baseline', 'cca', 'no-double-decrypt']);
    const replay = io();
    expect(await main(['replay', file], replay.sink)).toBe(1);
    expect(replay.out.join('\n')).toMatch(/^reproduced: on baseline, no-double-decrypt \(effective\)/);
    // v2-p1 fixes it.
    expect(await main(['replay', file, '--version', 'v2-p1'], io().sink)).toBe(0);
  });

  it('finds nothing where v2-p1 fixed the double decrypt, exit 0', async () => {
    const t = io();
    expect(await main(['simulate', '--seed', '7', '--runs', '150', '--versions', 'v2-p1', '--platforms', 'cca', '--properties', 'no-double-decrypt', '--threads', '2', '--calls', '12'], t.sink)).toBe(0);
    expect(t.out).toEqual([expect.stringMatching(/^simulate: seed 7: no violation in 150 scenario\(s\)/)]);
  });

  it('walks deep runs: scenarios reach programs beyond the exhaustive bound', () => {
    const space: ScenarioSpace = { ...SPACE, versions: ['v2-p4'], calls: 12 };
    const props = selectProperties(['no-double-decrypt']);
    let longest = 0;
    fc.assert(fc.property(scenarioArbitrary(space), (s) => {
      const task = scenarioTask(s, space);
      expect(task.programs.every((p) => p.length >= 1 && p.length <= 12)).toBe(true);
      longest = Math.max(longest, ...task.programs.map((p) => p.length));
      return walkRun(task, s.walk, props) === undefined;
    }), { seed: 1, numRuns: 60 });
    expect(longest).toBe(12);
  });

  it('refuses bad options naming the valid values', async () => {
    const t = io();
    expect(await main(['simulate', '--calls', '16'], t.sink)).toBe(2);
    expect(t.err).toEqual(["dmacheck simulate: bad --calls '16' (valid: an integer from 1 to 15)"]);
    const s = io();
    expect(await main(['simulate', '--seed', 'x'], s.sink)).toBe(2);
    expect(s.err).toEqual(["dmacheck simulate: bad --seed 'x' (valid: an integer)"]);
  });
});
