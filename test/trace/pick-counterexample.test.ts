import { describe, expect, it } from 'vitest';
import { pickCounterexample } from '../../src/trace/pick-counterexample.ts';
import { traceReport } from '../../src/trace/trace-report.ts';
import { counterexample, doubleDecrypt, edit, RESULTS_PATH } from './fixtures.ts';

describe('choosing a counterexample', () => {
  it('shows a shortest trace: with two CPUs, the double decrypt still takes three steps of one CPU', async () => {
    const { trace, origin } = await counterexample('baseline', 'cca', 'coherent=1,pool=own,gfp=blocking,nkm=0', 'no-double-decrypt', 2, 2);
    expect(trace.run.programs).toHaveLength(2);
    expect(trace.steps.map((s) => `${s.thread}:${s.event}`)).toEqual(['0:CALL', '0:SWIOTLB_ALLOC_OK', '0:SET_DECRYPTED_OK']);
    const r = traceReport(trace, origin);
    expect(r.columns).toEqual([0]);
    expect(r.stepsHeading).toBe('Steps (one column per CPU; CPU1 takes no step; a shortest interleaving)');
  });

  it('picks the shortest match without --index, and the N-th in file order with it', async () => {
    const short = (await doubleDecrypt()).trace;
    // A longer trace of the same violation: CPU1 allocates from its own pool first.
    const long = edit(short, (x) => {
      const [call, got, dec] = x['steps'];
      x['run'].programs = [x['run'].programs[0], x['run'].programs[0]];
      x['steps'] = [call, { ...call, thread: 1 }, { ...got, thread: 1, page: 'pool1.slot0' }, got, dec].map((s, i) => ({ ...s, step: i + 1 }));
      delete x['actions'];
    });
    const file = { results: [{ version: 'baseline', property: 'no-double-decrypt', violations: [
      { platform: 'cca', device: 'coherent=1,pool=own,gfp=blocking,nkm=0', severity: 'effective', trace: long },
      { platform: 'cca', device: 'coherent=1,pool=own,gfp=blocking,nkm=0', severity: 'effective', trace: short },
    ] }] };
    const p = pickCounterexample(file, RESULTS_PATH, {});
    expect([p.matched, p.position, p.trace.steps.length]).toEqual([2, 2, 3]);
    expect(p.origin).toEqual({ kind: 'results', path: RESULTS_PATH, version: 'baseline', property: 'no-double-decrypt', platform: 'cca', index: 2 });
    const first = pickCounterexample(file, RESULTS_PATH, { index: 1 });
    expect([first.position, first.trace.steps.length]).toEqual([1, 5]);
  });

  it('names the entry of a results file whose trace is bad', async () => {
    const short = (await doubleDecrypt()).trace;
    const file = { results: [{ version: 'baseline', property: 'no-double-decrypt', violations: [
      { platform: 'cca', device: 'x', severity: 'effective', trace: edit(short, (x) => { x['formatVersion'] = 7; }) },
    ] }] };
    expect(() => pickCounterexample(file, 'r.json', {})).toThrow(/^r\.json: results\[0\]\.violations\[0\]\.trace: trace format version 7 is newer/);
  });
});
