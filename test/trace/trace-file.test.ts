import { describe, expect, it } from 'vitest';
import { RunModel } from '../../models/run-model.ts';
import { specOf } from '../../src/check/matrix.ts';
import { TRACE_FORMAT_VERSION } from '../../src/check/trace.ts';
import { checkTrace, parseJson, traceFileText, TraceInputError } from '../../src/trace/trace-file.ts';
import { walkAdapting } from '../../src/trace/walk.ts';
import { doubleDecrypt, edit } from './fixtures.ts';

describe('trace files', () => {
  it('round-trips: the JSON of a checked trace checks to the same trace', async () => {
    const { trace } = await doubleDecrypt();
    expect(trace.formatVersion).toBe(TRACE_FORMAT_VERSION);
    expect(checkTrace(JSON.parse(traceFileText(trace)), 'f.json')).toEqual(trace);
  });

  it('rebuilds a trace without actions from its (CPU, event, page) steps', async () => {
    const { trace } = await doubleDecrypt();
    const bare = edit(trace, (x) => {
      delete x['actions'];
      x['steps'] = x['steps'].map((s: Record<string, unknown>) => ({ thread: s['thread'], call: s['call'], event: s['event'], ...(s['page'] ? { page: s['page'] } : {}) }));
    });
    expect(checkTrace(bare, 'bare.json')).toEqual(trace);
  });

  const bad: [string, (x: Record<string, any>) => void, RegExp][] = [
    ['a newer format version', (x) => { x['formatVersion'] = TRACE_FORMAT_VERSION + 1; }, /^f\.json: trace format version 2 is newer than the version this dmacheck reads \(1\); use a newer dmacheck$/],
    ['an older format version', (x) => { x['formatVersion'] = 0; }, /^f\.json: trace format version 0 is older than the version this dmacheck reads \(1\); regenerate it/],
    ['no format version', (x) => { delete x['formatVersion']; }, /^f\.json: formatVersion is missing; this dmacheck reads trace format version 1 only$/],
    ['a format version that is not a number', (x) => { x['formatVersion'] = '1'; }, /^f\.json: formatVersion "1" is not a version number/],
    ['another format', (x) => { x['format'] = 'kcsan-report'; }, /^f\.json: format is "kcsan-report", not "dmacheck-trace": not a dmacheck trace file$/],
    ['an unknown version', (x) => { x['run'].version = 'v3-p1'; }, /^f\.json: unknown version 'v3-p1' \(valid: baseline, v2-p1, .*\)$/],
    ['an unknown platform', (x) => { x['run'].platform = 'riscv-cove'; }, /^f\.json: unknown platform 'riscv-cove' \(valid: plain-x86, .*\)$/],
    ['an unknown call in a program', (x) => { x['run'].programs[0][1] = 'dma_direct_sync'; }, /^f\.json: run\.programs\[0\]: unknown call 'dma_direct_sync' \(valid: dma_direct_alloc, .*\)$/],
    ['an unknown call in a step', (x) => { x['steps'][1].call = 'dma_map_sg'; }, /^f\.json: step 2: unknown call 'dma_map_sg' \(valid: /],
    ['an unknown event', (x) => { x['steps'][2].event = 'SET_DECRYPTED_MAYBE'; }, /^f\.json: step 3: unknown event 'SET_DECRYPTED_MAYBE' \(valid: CALL, /],
    ['an unknown page', (x) => { x['steps'][1].page = 'slot7'; }, /^f\.json: step 2: unknown page 'slot7' \(valid: pool0\.slot0\)$/],
    ['a thread the run does not have', (x) => { x['steps'][1].thread = 1; }, /^f\.json: step 2: bad thread 1 \(valid: 0 to 0, one per program\)$/],
    ['a bad device knob', (x) => { x['run'].device.pool = 'huge'; }, /^f\.json: unknown run\.device\.pool 'huge' \(valid: none, own, shared\)$/],
    ['a device configuration that cannot happen', (x) => { x['run'].platform = 'tdx'; }, /^f\.json: the device configuration coherent=1,pool=own,gfp=blocking,nkm=0 cannot happen: tdx: a restricted-dma-pool needs/],
    ['a deviceKey that disagrees with the device', (x) => { x['run'].deviceKey = 'coherent=0,pool=own,gfp=blocking,nkm=0'; }, /^f\.json: run\.deviceKey 'coherent=0,pool=own,gfp=blocking,nkm=0' does not match run\.device/],
    ['a step the model cannot take', (x) => { x['steps'][1].event = 'BUDDY_PAGE'; delete x['actions']; },
      /^f\.json: step 2: the model of baseline cannot take CPU0 dma_direct_alloc BUDDY_PAGE pool0\.slot0: swiotlb_alloc\(\) cannot answer BUDDY_PAGE on pool0\.slot0 here \(it offers: CPU0 dma_direct_alloc SWIOTLB_ALLOC_OK pool0\.slot0; CPU0 dma_direct_alloc SWIOTLB_ALLOC_FAILED\)$/],
    ['a step in the wrong entry point', (x) => { x['steps'][0].call = 'dma_direct_free'; delete x['actions']; }, /^f\.json: step 1: the model of baseline cannot take CPU0 dma_direct_free CALL: CPU0 calls dma_direct_alloc next here, not dma_direct_free/],
    ['actions that disagree with the steps', (x) => { x['actions'][2] = 11; }, /^f\.json: step 3: action 11 does not match the step \(the model numbers it \d+\); fix or drop "actions"$/],
    ['steps that violate nothing', (x) => { x['steps'].pop(); x['actions'].pop(); }, /^f\.json: not a counterexample: replayed on baseline, its steps do not violate no-double-decrypt \(effective\)$/],
    ['no steps', (x) => { x['steps'] = []; }, /^f\.json: steps is missing or empty$/],
    ['a misnumbered step', (x) => { x['steps'][1].step = 5; }, /^f\.json: step 2: is numbered 5$/],
  ];
  for (const [what, change, message] of bad)
    it(`refuses a trace with ${what}, in one line naming the file`, async () => {
      const { trace } = await doubleDecrypt();
      const t = edit(trace, change);
      expect(() => checkTrace(t, 'f.json')).toThrow(TraceInputError);
      expect(() => checkTrace(t, 'f.json')).toThrow(message);
    });

  it('refuses JSON that ends early, naming the file', () => {
    expect(() => parseJson('{"format": "dmacheck-trace", "formatVersion": 1, "run": {', 'cut.json')).toThrow(/^cut\.json: not valid JSON \(it ends early: truncated\?\): /);
    expect(() => parseJson('{"a": 1\n "b": 2}', 'bad.json')).toThrow(/^bad\.json: not valid JSON at line 2 column 2: Expected ',' or '}' after property value$/);
    expect(() => parseJson('{"a": 1,\n "b": }', 'bad.json')).toThrow(/^bad\.json: not valid JSON: Unexpected token '}'$/);
  });
});

describe('replay across versions: interchangeable pages', () => {
  it('takes an identical free page when the recorded one is not offered, and renames it for the later steps', () => {
    // Two CPUs allocate from the buddy allocator: page0 and page1 are identical and free, so only page0 is offered.
    const model = new RunModel(specOf({
      index: 0, version: 'baseline', platform: 'cca', device: { coherent: true, pool: 'none', gfp: 'blocking', nkm: false },
      programs: [['dma_direct_alloc', 'dma_direct_free'], ['dma_direct_alloc', 'dma_direct_free']],
    }));
    const w = walkAdapting(model, [
      { thread: 0, call: 'dma_direct_alloc', event: 'CALL', pc: 0, envCall: undefined },
      { thread: 0, call: 'dma_direct_alloc', event: 'BUDDY_PAGE', page: 'page1', pc: 0, envCall: 'alloc_pages_node' },
      { thread: 1, call: 'dma_direct_alloc', event: 'CALL', pc: 0, envCall: undefined },
      { thread: 1, call: 'dma_direct_alloc', event: 'BUDDY_PAGE', page: 'page0', pc: 0, envCall: 'alloc_pages_node' },
    ]);
    expect(w.stop).toBeUndefined();
    expect(w.adjustments).toEqual(['step 2: page1 taken as page0 (an identical free page)']);
    expect(w.taken.map((o) => `${o.thread}:${o.event}:${o.page}`)).toEqual(['0:CALL:-1', '0:BUDDY_PAGE:0', '1:CALL:-1', '1:BUDDY_PAGE:1']);
  });
});
