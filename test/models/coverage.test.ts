/**
 * Every state and every transition of every version's machines is reached
 * by the tests. Obligations come from the machine definitions
 * (models/coverage.ts obligations()), so a new state or transition without a
 * test fails here, listing what was never reached.
 *
 * Reached = what the step cache recorded (CompiledMachine.reached) after
 *  (a) exploring the whole platform matrix in this thread at 1 thread x 2 calls
 *      (every program of that bound, every platform, every device config), and
 *      the probes of two devices sharing a restricted pool at 2 threads x 1 call
 *      (the second device finds the region set up: no 1-thread run can), and
 *  (b) driving each machine directly, with hand-made input bits, to the
 *      obligations that no run of the platform matrix can reach
 *      (EXPECTED_UNREACHABLE); the list is checked to be honest: each entry is
 *      unreached by (a), has a witness in (b), and its reason holds.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { EXPECTED_UNREACHABLE, expectedUnreachable, obligations, prefixObligation, SPLICED_CALLEES } from '../../models/coverage.ts';
import type { MachineContext, MachineInput, MachineLocals, StateMeta } from '../../models/machines/dma-setup.ts';
import { PLATFORMS } from '../../models/platforms.ts';
import { compile } from '../../models/step-cache.ts';
import { PROBE } from '../../models/programs.ts';
import { ENTRY_POINTS, VERSIONS, VERSION_IDS, type EntryPoint, type KernelVersion } from '../../models/versions.ts';
import type { OutcomeEvent } from '../../models/vocabulary.ts';
import type { Results } from '../../src/check/results.ts';
import { parseSelection } from '../../src/check/selection.ts';
import { verify } from '../../src/check/verify.ts';
import { driveMachine, type MachineDrive } from '../helpers/drive.ts';

const BASE_STRUCTURE = ['baseline', 'v2-p1', 'v2-p2'];
/** the v2 series; the witnesses and the guard arguments below are written for these */
const SERIES = [...BASE_STRUCTURE, 'v2-p3', 'v2-p4', 'v2-p3-without-p1'];
const P3_STRUCTURE = ['v2-p3', 'v2-p4', 'v2-p3-without-p1'];
const V73 = ['v7.3'];

/**
 * A machine-level drive to obligations the platform matrix cannot reach.
 * `from` starts in a call state with a context no consistent run has there
 * (for code that is dead in every modelled version).
 */
interface Witness {
  readonly why: string;
  readonly entryPoint: EntryPoint;
  readonly versions: readonly string[];
  readonly input: Partial<MachineInput>;
  readonly from?: { readonly state: string; readonly locals?: Partial<MachineLocals> };
  readonly events: readonly OutcomeEvent[];
  /** resting states after start (or `from`) and after each event */
  readonly path: readonly string[];
  /** EXPECTED_UNREACHABLE ids this witness reaches */
  readonly covers: readonly string[];
}

const NOT_JGG = [...SERIES, ...V73];
const DEV_COHERENT_MMAP_WITNESSES: readonly Witness[] = [
  {
    why: 'dma_direct_mmap of a buffer in the device\'s coherent memory: mapped by dma_mmap_from_dev_coherent() with the prot already set',
    entryPoint: 'dma_direct_mmap', versions: NOT_JGG, input: { devCoherent: true }, events: ['PFN_REMAPPED'],
    path: ['mmapFromDevCoherent', 'returned'],
    covers: ['devCoherentCheck always [0] -> mmapFromDevCoherent', 'state mmapFromDevCoherent', 'mmapFromDevCoherent on PFN_REMAPPED [0] -> returned'],
  },
  {
    why: 'dma_direct_mmap on a device with coherent memory of a buffer outside it',
    entryPoint: 'dma_direct_mmap', versions: NOT_JGG, input: { devCoherent: true }, events: ['NOT_IN_POOL', 'PFN_REMAPPED'],
    path: ['mmapFromDevCoherent', 'remappingPfnRange', 'returned'],
    covers: ['mmapFromDevCoherent on NOT_IN_POOL [0] -> remappingPfnRange'],
  },
];

const DIRECT_WITNESSES: readonly Witness[] = [
  ...DEV_COHERENT_MMAP_WITNESSES,
  {
    why: 'a non-coherent device on a platform with neither DMA_DIRECT_REMAP nor ARCH_HAS_DMA_SET_UNCACHED',
    entryPoint: 'dma_direct_alloc', versions: [...SERIES, 'jgg-flags', ...V73], input: { C: false }, events: [],
    path: ['noNonCoherentStrategy'],
    covers: ['nonCoherent always [2] -> noNonCoherentStrategy', 'state noNonCoherentStrategy'],
  },
  {
    why: 'a highmem CMA page offered to a force_dma_unencrypted device: patch 3 rejects it (allow_highmem false) and falls back to buddy',
    entryPoint: 'dma_direct_alloc', versions: P3_STRUCTURE, input: { F: true, highmemCmaConfig: true },
    events: ['CMA_HIGHMEM_PAGE', 'CMA_RELEASED', 'BUDDY_PAGE', 'SET_DECRYPTED_OK'],
    path: ['cmaAlloc', 'cmaRelease', 'buddyAlloc', 'setMemoryDecrypted', 'returnCpuAddr'],
    covers: ['cmaAlloc on CMA_HIGHMEM_PAGE [1] -> cmaRelease', 'state cmaRelease', 'cmaRelease on CMA_RELEASED [0] -> buddyAlloc'],
  },
  {
    why: 'set_uncached with force_dma_unencrypted: a failed arch_dma_set_uncached re-encrypts, then frees',
    entryPoint: 'dma_direct_alloc', versions: BASE_STRUCTURE, input: { F: true, C: false, setUncachedConfig: true },
    events: ['BUDDY_PAGE', 'SET_DECRYPTED_OK', 'SET_UNCACHED_FAILED', 'SET_ENCRYPTED_OK', 'PAGES_FREED'],
    path: ['buddyAlloc', 'setMemoryDecrypted', 'settingUncached', 'setMemoryEncrypted', 'outFreePages', 'returnNull'],
    covers: ['outEncryptPages always [0] -> setMemoryEncrypted', 'state setMemoryEncrypted', 'setMemoryEncrypted on SET_ENCRYPTED_OK [0] -> outFreePages'],
  },
  {
    why: 'set_uncached with force_dma_unencrypted: the re-encrypt fails and the page is leaked',
    entryPoint: 'dma_direct_alloc', versions: BASE_STRUCTURE, input: { F: true, C: false, setUncachedConfig: true },
    events: ['BUDDY_PAGE', 'SET_DECRYPTED_OK', 'SET_UNCACHED_FAILED', 'SET_ENCRYPTED_FAILED'],
    path: ['buddyAlloc', 'setMemoryDecrypted', 'settingUncached', 'setMemoryEncrypted', 'leakAfterFailedEncrypt'],
    covers: ['setMemoryEncrypted on SET_ENCRYPTED_FAILED [0] -> leakAfterFailedEncrypt', 'state leakAfterFailedEncrypt'],
  },
  {
    why: 'dead code: the NO_KERNEL_MAPPING hand-out with the unencrypted DMA address (context F=1 at the shortcut\'s allocation)',
    entryPoint: 'dma_direct_alloc', versions: SERIES, input: { F: true, NKM: true },
    from: { state: 'noMappingBuddyAlloc' }, events: ['BUDDY_PAGE'],
    path: ['noMappingBuddyAlloc', 'returnPageCookie'],
    covers: ['noMappingHandOut always [0] -> returnPageCookie'],
  },
  {
    why: 'dead code: the atomic-pool hand-out of dma_direct_alloc_pages with the encrypted DMA address (context F=0 at the pool call)',
    entryPoint: 'dma_direct_alloc_pages', versions: SERIES, input: { F: false, B: false, coherentPoolConfig: true },
    from: { state: 'poolAlloc' }, events: ['POOL_ALLOC_OK'],
    path: ['poolAlloc', 'returnVaddrAsPage'],
    covers: ['poolHandOut always [1] -> returnVaddrAsPage'],
  },
  {
    why: 'dma_direct_free_pages given a real atomic-pool page, found in the pool by its linear address',
    entryPoint: 'dma_direct_free_pages', versions: SERIES, input: { coherentPoolConfig: true }, events: ['POOL_FREED'],
    path: ['freeToPool', 'returned'],
    covers: ['freeToPool on POOL_FREED [0] -> returned'],
  },
  {
    why: 'v7.3: a highmem CMA page offered to a force_dma_unencrypted device is rejected (allow_highmem false with the shared attr); buddy instead',
    entryPoint: 'dma_direct_alloc', versions: V73, input: { F: true, highmemCmaConfig: true },
    events: ['CMA_HIGHMEM_PAGE', 'CMA_RELEASED', 'BUDDY_PAGE', 'SET_DECRYPTED_OK'],
    path: ['cmaAlloc', 'cmaRelease', 'buddyAlloc', 'setMemoryDecrypted', 'returnCpuAddr'],
    covers: ['cmaAlloc on CMA_HIGHMEM_PAGE [1] -> cmaRelease', 'state cmaRelease', 'cmaRelease on CMA_RELEASED [0] -> buddyAlloc'],
  },
  {
    why: 'v7.3: a platform with both DMA_DIRECT_REMAP and ARCH_HAS_DMA_SET_UNCACHED: a failed set_uncached removes the remap first',
    entryPoint: 'dma_direct_alloc', versions: V73, input: { F: true, C: false, remapConfig: true, setUncachedConfig: true },
    events: ['BUDDY_PAGE', 'SET_DECRYPTED_OK', 'REMAP_OK', 'SET_UNCACHED_FAILED', 'VUNMAPPED', 'SET_ENCRYPTED_OK', 'PAGES_FREED'],
    path: ['buddyAlloc', 'setMemoryDecrypted', 'remapping', 'settingUncached', 'freeingRemap', 'setMemoryEncrypted', 'freePages', 'returnNull'],
    covers: ['outFreeRemapPages always [0] -> freeingRemap', 'state freeingRemap', 'freeingRemap on VUNMAPPED [0] -> outEncryptPages'],
  },
  {
    why: 'v7.3 dead code: the atomic-pool hand-out of dma_direct_alloc_pages with the encrypted DMA address (no shared attr at the pool call)',
    entryPoint: 'dma_direct_alloc_pages', versions: V73, input: { F: false, B: false, coherentPoolConfig: true },
    from: { state: 'poolAlloc' }, events: ['POOL_ALLOC_OK'],
    path: ['poolAlloc', 'returnPoolPage'],
    covers: ['poolHandOut always [1] -> returnPoolPage'],
  },
  {
    why: 'jgg-flags: a highmem CMA page offered to a device that cannot DMA from encrypted memory is released; buddy instead',
    entryPoint: 'dma_direct_alloc', versions: ['jgg-flags'], input: { F: true, highmemCmaConfig: true },
    events: ['CMA_HIGHMEM_PAGE', 'CMA_RELEASED', 'BUDDY_PAGE', 'SET_DECRYPTED_OK'],
    path: ['cmaAlloc', 'cmaRelease', 'buddyAlloc', 'setMemoryDecrypted', 'returnCpuAddr'],
    covers: ['cmaAlloc on CMA_HIGHMEM_PAGE [1] -> cmaRelease', 'state cmaRelease', 'cmaRelease on CMA_RELEASED [0] -> buddyAlloc'],
  },
  {
    why: 'jgg-flags: set_uncached after dma-direct decrypted the page itself',
    entryPoint: 'dma_direct_alloc', versions: ['jgg-flags'], input: { F: true, C: false, setUncachedConfig: true },
    events: ['BUDDY_PAGE', 'SET_DECRYPTED_OK', 'SET_UNCACHED_OK'],
    path: ['buddyAlloc', 'setMemoryDecrypted', 'settingUncachedOwned', 'returnCpuAddr'],
    covers: ['clearingOwned always [0] -> settingUncachedOwned', 'state settingUncachedOwned', 'settingUncachedOwned on SET_UNCACHED_OK [0] -> returnCpuAddr'],
  },
  {
    why: 'jgg-flags: a failed set_uncached re-encrypts the page dma-direct decrypted, then frees it',
    entryPoint: 'dma_direct_alloc', versions: ['jgg-flags'], input: { F: true, C: false, setUncachedConfig: true },
    events: ['BUDDY_PAGE', 'SET_DECRYPTED_OK', 'SET_UNCACHED_FAILED', 'SET_ENCRYPTED_OK', 'PAGES_FREED'],
    path: ['buddyAlloc', 'setMemoryDecrypted', 'settingUncachedOwned', 'outEncryptPages', 'freePages', 'returnNull'],
    covers: ['settingUncachedOwned on SET_UNCACHED_FAILED [0] -> outEncryptPages'],
  },
  {
    why: 'jgg-flags: mmap for a non-coherent device on a platform with neither remap nor set_uncached',
    entryPoint: 'dma_direct_mmap', versions: ['jgg-flags'], input: { C: false }, events: [],
    path: ['remappingPfnRange'],
    covers: ['nonCoherentProvenance always [2] -> remappingPfnRange'],
  },
];

/** Each dma_direct_* witness again through the front-end machine that splices it in (the front end passes straight through). */
const SPLICED_WITNESSES: readonly Witness[] = DIRECT_WITNESSES.flatMap((w) => SPLICED_CALLEES.filter((s) => s.callee === w.entryPoint).map(({ entryPoint, callee }) => ({
  ...w,
  why: `${w.why} (through ${entryPoint})`,
  entryPoint: entryPoint as EntryPoint,
  path: w.path.map((p) => `${callee}:${p}`),
  ...(w.from ? { from: { ...w.from, state: `${callee}:${w.from.state}` } } : {}),
  covers: w.covers.map((id) => prefixObligation(id, `${callee}:`)),
})));

const WITNESSES: readonly Witness[] = [
  ...DIRECT_WITNESSES,
  ...SPLICED_WITNESSES,
  {
    why: 'v7.3 dma_alloc_attrs with a shared attr from the caller: refused',
    entryPoint: 'dma_alloc_attrs', versions: V73, input: { callerShared: true }, events: [],
    path: ['refuseSharedAttr'],
    covers: ['start always [0] -> refuseSharedAttr', 'state refuseSharedAttr'],
  },
  {
    why: 'dma_unmap_phys_cc_shared of a bounced mapping (which baseline\'s direct.h never makes with the shared attr): the slot is released',
    entryPoint: 'dma_unmap_phys_cc_shared', versions: [...BASE_STRUCTURE, ...P3_STRUCTURE], input: { swiotlbBuffer: true }, events: ['BOUNCE_UNMAPPED'],
    path: ['dma_direct_unmap_phys:unbouncing', 'dma_direct_unmap_phys:returned'],
    covers: ['dma_direct_unmap_phys:start always [0] -> dma_direct_unmap_phys:unbouncing', 'state dma_direct_unmap_phys:unbouncing', 'dma_direct_unmap_phys:unbouncing on BOUNCE_UNMAPPED [0] -> dma_direct_unmap_phys:returned'],
  },
  {
    why: 'dma_free_attrs on a device with coherent memory of a buffer outside it: on to dma_direct_free',
    entryPoint: 'dma_free_attrs', versions: [...SERIES, 'jgg-flags'], input: { devCoherent: true }, events: ['NOT_IN_POOL'],
    path: ['releaseFromDevCoherent', 'dma_direct_free:freePages'],
    covers: ['releaseFromDevCoherent on NOT_IN_POOL [0] -> callDirect'],
  },
  {
    why: 'v7.3 dma_free_attrs on a device with coherent memory of a buffer outside it: on to dma_direct_free',
    entryPoint: 'dma_free_attrs', versions: V73, input: { devCoherent: true }, events: ['NOT_IN_POOL'],
    path: ['releaseFromDevCoherent', 'dma_direct_free:findSwiotlbPool'],
    covers: ['releaseFromDevCoherent on NOT_IN_POOL [0] -> callDirect'],
  },
];

const key = (v: string, ep: string) => `${v}/${ep}`;
const machineOf = (v: KernelVersion, ep: EntryPoint) => v.machines[ep];

let results: Results;
/** two devices sharing a restricted pool, each probed: the only runs where a probe finds rmem->priv set */
let sharedProbes: Results;
const matrixReached = new Map<string, ReadonlySet<string>>();
const allReached = new Map<string, ReadonlySet<string>>();
const drives = new Map<string, MachineDrive | Error>();

beforeAll(async () => {
  results = await verify({ selection: parseSelection({ threads: 1, calls: 2 }), workers: 0 });
  for (const v of VERSIONS) for (const ep of ENTRY_POINTS) matrixReached.set(key(v.id, ep), new Set(compile(machineOf(v, ep)).reached));
  // each verify starts its coverage afresh: add what the shared-pool probes reach
  sharedProbes = await verify({ selection: parseSelection({ threads: 2, calls: 1, device: 'pool=shared', entryPoints: `${PROBE},dma_direct_map_phys` }), workers: 0 });
  for (const v of VERSIONS) matrixReached.set(key(v.id, PROBE), new Set([...matrixReached.get(key(v.id, PROBE))!, ...compile(machineOf(v, PROBE)).reached]));
  WITNESSES.forEach((w, i) => {
    for (const vid of w.versions) {
      const v = VERSIONS.find((x) => x.id === vid)!;
      try {
        drives.set(`${i}/${vid}`, driveMachine(machineOf(v, w.entryPoint), w.input, w.events, w.from));
      } catch (e) {
        drives.set(`${i}/${vid}`, e as Error);
      }
    }
  });
  for (const v of VERSIONS) for (const ep of ENTRY_POINTS) allReached.set(key(v.id, ep), new Set([...matrixReached.get(key(v.id, ep))!, ...compile(machineOf(v, ep)).reached]));
});

describe('coverage of the machines', () => {
  it('explores the matrix at 1 thread x 2 calls completely', () => {
    expect(results.complete).toBe(true);
  });

  describe.each(VERSION_IDS)('%s', (vid) => {
    const v = VERSIONS.find((x) => x.id === vid)!;

    it.each(ENTRY_POINTS)('reaches every state and transition of %s', (ep) => {
      const reached = allReached.get(key(vid, ep))!;
      const never = obligations(machineOf(v, ep)).filter((id) => !reached.has(id));
      expect(never, `never reached in ${vid} ${ep}`).toEqual([]);
    });

    it.each(ENTRY_POINTS)('leaves exactly the EXPECTED_UNREACHABLE obligations of %s unreached by the platform matrix', (ep) => {
      const reached = matrixReached.get(key(vid, ep))!;
      const unreached = obligations(machineOf(v, ep)).filter((id) => !reached.has(id));
      const expected = EXPECTED_UNREACHABLE.filter((e) => e.entryPoint === ep && (!e.versions || e.versions.includes(vid))).map((e) => e.id);
      expect(unreached.sort()).toEqual([...expected].sort());
      // The report of verify() says the same (for the probe, of the two explorations together).
      const reports = (ep === PROBE ? [results, sharedProbes] : [results]).map((res) => res.reachability.find((x) => x.version === vid && x.entryPoint === ep)!);
      expect(reports.map((r) => r.unreached).reduce((a, b) => a.filter((id) => b.includes(id)))).toEqual([]);
      expect(reports.flatMap((r) => r.unexpectedlyReached)).toEqual([]);
    });

    it('has a witness for every EXPECTED_UNREACHABLE obligation, and each witness ends where it should', () => {
      for (const e of EXPECTED_UNREACHABLE.filter((x) => !x.versions || x.versions.includes(vid))) {
        const ws = WITNESSES.filter((w) => w.entryPoint === e.entryPoint && w.versions.includes(vid) && w.covers.includes(e.id));
        expect(ws.length, `${vid} ${e.entryPoint}: no witness for '${e.id}'`).toBeGreaterThan(0);
      }
      WITNESSES.forEach((w, i) => {
        if (!w.versions.includes(vid)) return;
        const d = drives.get(`${i}/${vid}`)!;
        if (d instanceof Error) throw new Error(`witness '${w.why}' on ${vid}: ${d.message}`);
        expect(d.path, w.why).toEqual(w.path);
        const reached = allReached.get(key(vid, w.entryPoint))!;
        for (const id of w.covers) expect(reached.has(id), `${vid} ${w.entryPoint}: ${id}`).toBe(true);
      });
    });
  });

  it('lists only obligations that exist, for versions that exist', () => {
    for (const e of EXPECTED_UNREACHABLE) {
      expect(ENTRY_POINTS).toContain(e.entryPoint);
      for (const vid of e.versions ?? VERSION_IDS) {
        expect(VERSION_IDS).toContain(vid);
        const v = VERSIONS.find((x) => x.id === vid)!;
        expect(obligations(machineOf(v, e.entryPoint as EntryPoint)), `${vid} ${e.entryPoint}`).toContain(e.id);
        expect(expectedUnreachable(vid, e.entryPoint, e.id)).toBe(e);
      }
    }
  });
});

describe('the reasons given for EXPECTED_UNREACHABLE hold', () => {
  const guardsOf = (v: KernelVersion, ep: EntryPoint) =>
    (machineOf(v, ep) as unknown as { implementations: { guards: Record<string, (a: { context: MachineContext }) => boolean> } }).implementations.guards;
  /** every combination of the device predicates and the remap local */
  const contexts = (): MachineContext[] => {
    const out: MachineContext[] = [];
    for (let bits = 0; bits < 32; bits++) {
      const b = (i: number) => (bits & (1 << i)) !== 0;
      out.push({
        F: b(0), R: b(1), B: b(2), NKM: b(3), remap: b(4), C: true, remapConfig: true, coherentPoolConfig: true, setUncachedConfig: false,
        highmemCmaConfig: false, cpuAddrIsVmalloc: false, forceBounce: false, swiotlbBuffer: false, devCoherent: false, callerShared: false, ccMemEncrypt: false,
        setUncached: false, pageHighmem: false, protDecrypted: false, dmaUnencrypted: false, ccShared: false, markMem: false, swiotlbPool: false,
      });
    }
    return out;
  };

  it.each(SERIES)('%s: the NO_KERNEL_MAPPING shortcut is taken only by devices whose DMA address is the encrypted one', (vid) => {
    const g = guardsOf(VERSIONS.find((x) => x.id === vid)!, 'dma_direct_alloc');
    const both = contexts().filter((context) => g['noKernelMappingShortcut']!({ context }) && g['physToDmaUnencrypted']!({ context }));
    expect(both).toEqual([]);
    expect(contexts().some((context) => g['noKernelMappingShortcut']!({ context }))).toBe(true);
  });

  it.each(SERIES)('%s: the atomic-pool diversion of dma_direct_alloc_pages is taken only by devices with the unencrypted DMA address', (vid) => {
    const g = guardsOf(VERSIONS.find((x) => x.id === vid)!, 'dma_direct_alloc_pages');
    const encrypted = contexts().filter((context) => g['useAtomicPoolForAllocPages']!({ context }) && !g['physToDmaUnencrypted']!({ context }));
    expect(encrypted).toEqual([]);
    expect(contexts().some((context) => g['useAtomicPoolForAllocPages']!({ context }))).toBe(true);
  });

  it('every platform with non-coherent devices selects DMA_DIRECT_REMAP or ARCH_HAS_DMA_SET_UNCACHED', () => {
    const none = PLATFORMS.filter((p) => p.nonCoherentDevices && !p.kconfig.DMA_DIRECT_REMAP && !p.kconfig.ARCH_HAS_DMA_SET_UNCACHED);
    expect(none.map((p) => p.id)).toEqual([]);
  });

  it('highmem CMA exists only where force_dma_unencrypted() is false for every device', () => {
    const highmem = PLATFORMS.filter((p) => p.kconfig.HIGHMEM);
    expect(highmem.map((p) => [p.id, p.forceDmaUnencrypted])).toEqual([['arm32-highmem', 'none']]);
  });

  it('no set_uncached platform has memory encryption', () => {
    const both = PLATFORMS.filter((p) => p.kconfig.ARCH_HAS_DMA_SET_UNCACHED && (p.memEncryptActive || p.forceDmaUnencrypted !== 'none'));
    expect(both).toEqual([]);
  });
});

describe('machine definitions', () => {
  it.each(VERSION_IDS)('%s: every state has meta.source; call states wait on events, final states say what they return', (vid) => {
    const v = VERSIONS.find((x) => x.id === vid)!;
    for (const ep of ENTRY_POINTS) {
      const m = machineOf(v, ep);
      expect(m.id).toBe(ep);
      const states = m.states as unknown as Record<string, { meta?: StateMeta; type?: string; always?: unknown[]; transitions: Map<string, unknown[]> }>;
      for (const [name, node] of Object.entries(states)) {
        const where = `${vid} ${ep}.${name}`;
        // The v2 series follows kernel files; another design names its own function and position.
        // The v2 series follows kernel files; v7.3 names file:line @commit; another design names its own function and position.
        // The mapping.c front end and coherent.c name file:line and the commit (or, before the series, mapping.c's blob).
        const frontEnd = /^kernel\/dma\/(mapping\.c:\d+ (@[0-9a-f]{8}|\(blob [0-9a-f]{8}\))|coherent\.c:\d+ @[0-9a-f]{8}) \w+\(\)/;
        const shape = ep === 'dma_set_coherent_mask' ? /^kernel\/dma\/mapping\.c \w+\(\)/
          : V73.includes(vid) ? /^kernel\/dma\/((direct\.[ch]|mapping\.c|swiotlb\.c|pool\.c):\d+ @[\w-]+|swiotlb\.c) \w+\(\)/
            : SERIES.includes(vid) ? /^kernel\/dma\/(direct\.[ch]|swiotlb\.c|pool\.c)(:\d+ @[\w-]+)? \w+\(\)/ : /\w+\(\)/;
        const ok = shape.test(node.meta?.source ?? '') || frontEnd.test(node.meta?.source ?? '');
        expect(ok, `${where}: ${node.meta?.source}`).toBe(true);
        if (node.type === 'final') {
          expect(node.meta!.returns, where).toBeDefined();
          expect(node.meta!.call, where).toBeUndefined();
        } else if (node.meta!.call) {
          expect(node.transitions.size, where).toBeGreaterThan(0);
          expect(node.always ?? [], where).toEqual([]);
        } else {
          expect((node.always ?? []).length, `${where} is neither a call, a decision nor final`).toBeGreaterThan(0);
        }
      }
    }
  });

  it('has the pinned number of obligations per entry point in each structure', () => {
    const counts = Object.fromEntries(VERSIONS.map((v) => [v.id, ENTRY_POINTS.map((ep) => obligations(machineOf(v, ep)).length)]));
    // alloc, free, alloc_pages, free_pages, mmap, map_phys, unmap_phys, set_coherent_mask,
    // then the front end: alloc_attrs, free_attrs, mmap_attrs, dma_alloc_pages, dma_free_pages, mmap_pages
    // (each front-end machine has its callee's obligations plus its own),
    // then the environment's steps: rmem_swiotlb_device_init, atomic_pool_expand,
    // then the shared-buffer caller: dma_map_phys_cc_shared, dma_unmap_phys_cc_shared (a front end each)
    for (const vid of BASE_STRUCTURE) expect(counts[vid]).toEqual([88, 27, 41, 16, 12, 9, 6, 3, 98, 36, 14, 43, 18, 5, 9, 27, 9, 8]);
    for (const vid of P3_STRUCTURE) expect(counts[vid]).toEqual([91, 27, 41, 16, 12, 9, 6, 3, 101, 36, 14, 43, 18, 5, 9, 27, 9, 8]);
    expect(counts['jgg-flags']).toEqual([88, 28, 34, 17, 16, 10, 6, 3, 98, 37, 18, 36, 19, 5, 9, 27, 13, 8]);
    expect(counts['v7.3']).toEqual([101, 41, 44, 27, 15, 9, 6, 3, 118, 50, 17, 46, 29, 5, 13, 40, 13, 8]);
  });
});
