/**
 * Model-based test (fast-check `commands`): random programs of
 * alloc / mmap / free, alloc_pages / free_pages and map / unmap calls, on
 * random versions, platforms, device configurations and thread counts, run
 * one random step at a time (which thread moves, and which outcome the
 * environment gives, failures included) through RunModel.successors.
 *
 * After every step the packed world must agree with an independent ledger
 * kept from the step's observations, and be consistent:
 * - every page has exactly one owner: free at its home (or released into the
 *   buddy allocator), held by one thread, or leaked; a leaked page is never
 *   taken again;
 * - a page in use is referenced by the thread holding it (its running call's
 *   page or its handle), and every handle and running page is held by its
 *   thread;
 * - a page left UNKNOWN by a failed set_memory_*() is leaked at once;
 * - nothing is freed twice or by a thread that does not hold it: the
 *   page-ownership property is only ever raised for the known bogus struct
 *   page of dma_direct_alloc_pages() from the atomic pool.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deviceConfigs, deviceKey, forceDmaUnencrypted, type DeviceConfig } from '../../models/devices.ts';
import { ObsKind, type Observation } from '../../models/observation.ts';
import { PLATFORMS, type Platform } from '../../models/platforms.ts';
import { SESSIONS, programKey, type Program } from '../../models/programs.ts';
import { RunModel } from '../../models/run-model.ts';
import type { RunSpec } from '../../models/run.ts';
import { VERSIONS, type KernelVersion } from '../../models/versions.ts';
import { Enc, HandleKind, Home, LOC_NAMES, Loc } from '../../models/vocabulary.ts';
import { WorldView } from '../../models/world.ts';
import { pageOwnership } from '../../properties/page-ownership.ts';
import { Severity } from '../../properties/property.ts';
import { successorsOf } from '../helpers/drive.ts';

/** Ledger entry per page: -1 free at home, -2 released into buddy, -3 leaked, t >= 0 held by thread t. */
/** the v2 series: bogusPathPossible() knows when their atomic-pool diversion is taken */
const SERIES = VERSIONS.filter((v) => ['baseline', 'v2-p1', 'v2-p2', 'v2-p3', 'v2-p4', 'v2-p3-without-p1'].includes(v.id));

const FREE = -1;
const IN_BUDDY = -2;
const LEAKED = -3;

interface Model {
  readonly spec: RunSpec;
  readonly run: RunModel;
  state: Uint8Array;
  readonly ledger: number[];
  /** threads that have a step now */
  movable: Set<number>;
  readonly history: string[];
  /** whether a BOGUS_POINTER was observed */
  bogus: boolean;
}

type Real = Record<string, never>;

function describeRun(m: Model): string {
  return `${m.spec.version.id} ${m.spec.platform.id} ${deviceKey(m.spec.device)} [${m.spec.programs.map(programKey).join(' | ')}] after ${m.history.join(' ')}`;
}

/** The only path where dma-direct hands out a pointer that is not the allocation: dma_direct_alloc_pages() from the atomic pool. */
function bogusPathPossible(s: RunSpec): boolean {
  const F = forceDmaUnencrypted(s.platform, s.device);
  const R = s.device.pool !== 'none';
  const divert = s.version.id === 'v2-p4' ? F && !R : F;
  return divert && !R && s.device.gfp === 'atomic' && s.platform.kconfig.DMA_COHERENT_POOL
    && s.programs.some((p) => p.includes('dma_direct_alloc_pages'));
}

function applyLedger(m: Model, obs: readonly Observation[]): void {
  for (const o of obs) {
    if (o.page < 0) continue;
    const at = `${m.run.world.layout.pages[o.page]!.name} in ${describeRun(m)}`;
    switch (o.kind) {
      case ObsKind.TAKE:
        expect([FREE, IN_BUDDY], `take of ${at}`).toContain(m.ledger[o.page]);
        m.ledger[o.page] = o.thread;
        break;
      case ObsKind.GIVE_BACK:
        expect(m.ledger[o.page], `give back of ${at}`).toBe(o.thread);
        m.ledger[o.page] = o.dest === o.home ? FREE : IN_BUDDY;
        break;
      case ObsKind.LEAK:
        expect(m.ledger[o.page], `leak of ${at}`).toBe(o.thread);
        m.ledger[o.page] = LEAKED;
        break;
    }
  }
}

function checkWorld(m: Model): void {
  const v = new WorldView(m.run.world.layout, m.state);
  const pages = m.run.world.layout.pages;
  const T = m.run.world.layout.threads;
  const where = describeRun(m);
  for (let p = 0; p < pages.length; p++) {
    const loc = v.loc(p);
    const name = pages[p]!.name;
    const expected = m.ledger[p]!;
    const got = loc === Loc.USED ? v.holder(p) : loc === Loc.FREE ? FREE : loc === Loc.IN_BUDDY ? IN_BUDDY : LEAKED;
    expect(got, `${name} is ${LOC_NAMES[loc]} (holder ${v.holder(p)}), ledger says ${expected}: ${where}`).toBe(expected);
    if (loc === Loc.IN_BUDDY) expect(pages[p]!.home, `${name} in buddy: ${where}`).not.toBe(Home.BUDDY);
    if (loc === Loc.USED) {
      const t = v.holder(p);
      expect(t, `${name} held by a thread that does not exist: ${where}`).toBeLessThan(T);
      expect(v.cur(t) === p || v.handlePage(t) === p, `${name} held by thread ${t} without a reference: ${where}`).toBe(true);
    }
    if (v.enc(p) === Enc.UNKNOWN) expect(LOC_NAMES[loc], `${name} UNKNOWN: ${where}`).toBe(LOC_NAMES[Loc.LEAKED]);
  }
  for (let t = 0; t < T; t++) {
    for (const p of [v.cur(t), v.handlePage(t)]) {
      if (p < 0) continue;
      expect([LOC_NAMES[v.loc(p)], v.holder(p)], `thread ${t} refers to ${pages[p]!.name}: ${where}`).toEqual([LOC_NAMES[Loc.USED], t]);
    }
    if (v.mstate(t) === 0) expect(v.cur(t), `idle thread ${t} with a running page: ${where}`).toBe(-1);
    const kind = v.handleKind(t);
    const pageless = kind === HandleKind.NONE || kind === HandleKind.BOGUS_PAGE || kind === HandleKind.DIRECT_MAPPED;
    if (v.mstate(t) === 0) expect(v.handlePage(t) < 0, `thread ${t} handle kind ${kind} vs page ${v.handlePage(t)}: ${where}`).toBe(pageless);
  }
}

class Step implements fc.Command<Model, Real> {
  constructor(readonly thread: number, readonly choice: number) {}

  check(m: Readonly<Model>): boolean {
    return m.movable.has(this.thread % m.spec.programs.length);
  }

  run(m: Model): void {
    const t = this.thread % m.spec.programs.length;
    const options = successorsOf(m.run, m.state).filter((c) => c.thread === t);
    const c = options[this.choice % options.length]!;
    m.history.push(`${c.thread}:${c.event}${c.page >= 0 ? `(${m.run.world.layout.pages[c.page]!.name})` : ''}`);
    for (const o of c.obs) {
      const sev = pageOwnership.check(o, m.spec.platform);
      if (o.kind === ObsKind.BOGUS_POINTER) {
        m.bogus = true;
        expect(bogusPathPossible(m.spec), `bogus pointer (${o.reason}): ${describeRun(m)}`).toBe(true);
      } else {
        expect(sev, `page-ownership: ${pageOwnership.explain(o, String(o.page))}: ${describeRun(m)}`).toBe(Severity.NONE);
      }
    }
    applyLedger(m, c.obs);
    m.state = c.next;
    m.movable = new Set(successorsOf(m.run, m.state).map((x) => x.thread));
    checkWorld(m);
  }

  toString(): string {
    return `step(thread ${this.thread}, outcome #${this.choice})`;
  }
}

interface RunArb { version: KernelVersion; platform: Platform; device: DeviceConfig; programs: Program[] }

const programArb: fc.Arbitrary<Program> = fc
  .array(fc.constantFrom(...SESSIONS), { minLength: 1, maxLength: 3 })
  .map((sessions) => sessions.flat());

const runArb: fc.Arbitrary<RunArb> = fc
  .record({
    version: fc.constantFrom(...SERIES),
    platform: fc.constantFrom(...PLATFORMS),
    threads: fc.integer({ min: 1, max: 3 }),
    deviceIndex: fc.nat(),
  })
  .chain(({ version, platform, threads, deviceIndex }) => {
    const { configs } = deviceConfigs(platform, threads);
    const device = configs[deviceIndex % configs.length]!;
    return fc.array(programArb, { minLength: threads, maxLength: threads }).map((programs) => ({ version, platform, device, programs }));
  });

function setup(r: RunArb): { model: Model; real: Real } {
  const spec: RunSpec = { version: r.version, platform: r.platform, device: r.device, programs: r.programs };
  const run = new RunModel(spec);
  const state = new Uint8Array(run.stateBytes);
  run.initial(state);
  const model: Model = {
    spec, run, state, ledger: run.world.layout.pages.map(() => FREE), history: [], bogus: false,
    movable: new Set(successorsOf(run, state).map((x) => x.thread)),
  };
  checkWorld(model);
  return { model, real: {} };
}

const commandsArb = fc.commands([fc.tuple(fc.nat({ max: 2 }), fc.nat({ max: 7 })).map(([t, c]) => new Step(t, c))], { maxCommands: 60, size: 'max' });

describe('world consistency under random calls, schedules and environment outcomes', () => {
  it('keeps every page with exactly one owner and never frees a page twice', () => {
    let steps = 0;
    let bogusRuns = 0;
    let finished = 0;
    fc.assert(
      fc.property(runArb, commandsArb, (r, cmds) => {
        const { model } = setup(r);
        fc.modelRun(() => ({ model, real: {} }), cmds);
        steps += model.history.length;
        if (model.bogus) bogusRuns++;
        if (model.movable.size === 0) finished++;
      }),
      { numRuns: 300, seed: 20260307 },
    );
    // The property is not vacuous: runs take steps, some run to completion, and the known bogus path shows up.
    expect(steps).toBeGreaterThan(2500);
    expect(finished).toBeGreaterThan(150);
    expect(bogusRuns).toBeGreaterThan(0);
  });

  it('flags a page in the ledger that the world lost (the check can fail)', () => {
    const { model } = setup({ version: VERSIONS[0]!, platform: PLATFORMS.find((p) => p.id === 'sev')!, device: { coherent: true, pool: 'none', gfp: 'blocking', nkm: false }, programs: [['dma_direct_alloc', 'dma_direct_free']] });
    new Step(0, 0).run(model); // CALL
    new Step(0, 0).run(model); // BUDDY_PAGE(page0)
    model.ledger[0] = FREE;
    expect(() => checkWorld(model)).toThrow(/page0 is in use \(holder 0\), ledger says -1/);
  });
});
