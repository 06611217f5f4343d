/**
 * Reachability obligations from the machine definitions: every state and
 * every transition (each guarded candidate of an event or of an eventless
 * decision) must be reached by some run. Ids are stable text:
 * `state remapping`, `remapping on REMAP_FAILED [0] -> outFreePages`,
 * `decrypting always [1] -> clearing`.
 */
import type { DmaMachine } from './machines/dma-setup.ts';

/** The parts of an xstate TransitionDefinition that identify it. */
export interface TransitionLike {
  readonly source: { readonly key: string; readonly transitions: Map<string, readonly TransitionLike[]>; readonly always?: readonly TransitionLike[] };
  readonly eventType: string;
  readonly target?: readonly { readonly key: string }[];
}

export function transitionId(t: TransitionLike): string {
  const list = t.eventType === '' ? t.source.always ?? [] : t.source.transitions.get(t.eventType) ?? [];
  const i = list.indexOf(t);
  const to = (t.target ?? []).map((x) => x.key).join(',') || '(self)';
  return t.eventType === '' ? `${t.source.key} always [${i}] -> ${to}` : `${t.source.key} on ${t.eventType} [${i}] -> ${to}`;
}

/** Every state and transition of a machine, as coverage ids, in definition order. */
export function obligations(machine: DmaMachine): string[] {
  const out: string[] = [];
  const states = machine.states as unknown as Record<string, TransitionLike['source']>;
  for (const [name, node] of Object.entries(states)) {
    out.push(`state ${name}`);
    for (const t of node.always ?? []) out.push(transitionId(t));
    for (const list of node.transitions.values()) for (const t of list) out.push(transitionId(t));
  }
  return out;
}

/**
 * Obligations that no run of the modelled platform matrix can reach, and
 * why. The reachability report lists them apart; anything else left
 * unreached is a model bug or a bound too small.
 */
export interface ExpectedUnreachable {
  readonly entryPoint: string;
  readonly id: string;
  /** versions it applies to (all when absent) */
  readonly versions?: readonly string[];
  readonly reason: string;
}

const BASE_STRUCTURE = ['baseline', 'v2-p1', 'v2-p2'];
/** versions whose dma_direct_alloc has patch 3's structure, where allow_highmem is a condition */
const P3_STRUCTURE = ['v2-p3', 'v2-p4', 'v2-p3-without-p1'];
/** Jason Gunthorpe's design, with machines of its own */
const JGG = ['jgg-flags'];
/** mainline v7.3, with machines of its own */
const V73 = ['v7.3'];

const DIRECT_ONLY_UNREACHABLE: readonly ExpectedUnreachable[] = [
  {
    entryPoint: 'dma_direct_alloc', id: 'noMappingHandOut always [0] -> returnPageCookie', versions: [...BASE_STRUCTURE, ...P3_STRUCTURE],
    reason: 'dead in every modelled version: the NO_KERNEL_MAPPING shortcut requires exactly the devices for which phys_to_dma_direct() picks phys_to_dma()',
  },
  {
    entryPoint: 'dma_direct_alloc', id: 'nonCoherent always [2] -> noNonCoherentStrategy',
    reason: 'platform matrix: every modelled platform with non-coherent devices selects DMA_DIRECT_REMAP or ARCH_HAS_DMA_SET_UNCACHED',
  },
  { entryPoint: 'dma_direct_alloc', id: 'state noNonCoherentStrategy', reason: 'platform matrix: see nonCoherent always [2]' },
  {
    entryPoint: 'dma_direct_alloc', id: 'cmaAlloc on CMA_HIGHMEM_PAGE [1] -> cmaRelease', versions: [...P3_STRUCTURE, ...V73],
    reason: 'platform matrix: a highmem CMA area exists only on arm32-highmem, where force_dma_unencrypted() is false, so allow_highmem is true',
  },
  { entryPoint: 'dma_direct_alloc', id: 'state cmaRelease', versions: [...P3_STRUCTURE, ...V73], reason: 'platform matrix: see cmaAlloc on CMA_HIGHMEM_PAGE [1]' },
  { entryPoint: 'dma_direct_alloc', id: 'cmaRelease on CMA_RELEASED [0] -> buddyAlloc', versions: [...P3_STRUCTURE, ...V73], reason: 'platform matrix: see cmaAlloc on CMA_HIGHMEM_PAGE [1]' },
  ...['outEncryptPages always [0] -> setMemoryEncrypted', 'state setMemoryEncrypted', 'setMemoryEncrypted on SET_ENCRYPTED_OK [0] -> outFreePages',
    'setMemoryEncrypted on SET_ENCRYPTED_FAILED [0] -> leakAfterFailedEncrypt', 'state leakAfterFailedEncrypt'].map((id) => ({
    entryPoint: 'dma_direct_alloc', id, versions: BASE_STRUCTURE,
    reason: 'platform matrix: at baseline only a set_uncached failure reaches out_encrypt_pages, and no set_uncached platform (MIPS) has memory encryption',
  })),
  {
    entryPoint: 'dma_direct_alloc_pages', id: 'poolHandOut always [1] -> returnVaddrAsPage', versions: [...BASE_STRUCTURE, ...P3_STRUCTURE],
    reason: 'dead in every modelled version: the atomic-pool diversion of dma_direct_alloc_pages() requires force_dma_unencrypted(), which selects the unencrypted DMA address',
  },
  {
    entryPoint: 'dma_direct_free_pages', id: 'freeToPool on POOL_FREED [0] -> returned', versions: [...BASE_STRUCTURE, ...P3_STRUCTURE],
    reason: 'kernel bug: dma_direct_alloc_pages() returns the pool CPU address as the struct page *, so a pool page never reaches dma_direct_free_pages() by its real page',
  },
  // v7.3 (models/machines/v73-*.ts)
  ...['outFreeRemapPages always [0] -> freeingRemap', 'state freeingRemap', 'freeingRemap on VUNMAPPED [0] -> outEncryptPages'].map((id) => ({
    entryPoint: 'dma_direct_alloc', id, versions: V73,
    reason: 'platform matrix: remap and set_uncached are both set only on an arch selecting DMA_DIRECT_REMAP and ARCH_HAS_DMA_SET_UNCACHED together (none is modelled), and a highmem page clears set_uncached',
  })),
  {
    entryPoint: 'dma_direct_alloc_pages', id: 'poolHandOut always [1] -> returnPoolPage', versions: V73,
    reason: 'dead in v7.3: the atomic-pool diversion of dma_direct_alloc_pages() requires __DMA_ATTR_ALLOC_CC_SHARED, which selects the unencrypted DMA address',
  },
  // jgg-flags (models/machines/jgg-*.ts)
  ...['cmaAlloc on CMA_HIGHMEM_PAGE [1] -> cmaRelease', 'state cmaRelease', 'cmaRelease on CMA_RELEASED [0] -> buddyAlloc'].map((id) => ({
    entryPoint: 'dma_direct_alloc', id, versions: JGG,
    reason: 'platform matrix: a highmem CMA area exists only on arm32-highmem, where every device can DMA from encrypted memory, so allow_highmem is true',
  })),
  ...['clearingOwned always [0] -> settingUncachedOwned', 'state settingUncachedOwned', 'settingUncachedOwned on SET_UNCACHED_OK [0] -> returnCpuAddr',
    'settingUncachedOwned on SET_UNCACHED_FAILED [0] -> outEncryptPages'].map((id) => ({
    entryPoint: 'dma_direct_alloc', id, versions: JGG,
    reason: 'platform matrix: dma-direct owns a transition only for a device that cannot DMA from encrypted memory, and no set_uncached platform (MIPS) has memory encryption',
  })),
  {
    entryPoint: 'dma_direct_mmap', id: 'nonCoherentProvenance always [2] -> remappingPfnRange', versions: JGG,
    reason: 'platform matrix: a non-coherent device without DMA_DIRECT_REMAP or set_uncached gets no buffer (see nonCoherent always [2]), so it never reaches mmap',
  },
];

/** A coverage id of a machine spliced under `prefix` (models/machines/splice-machine.ts), as the caller's machine names it. */
export function prefixObligation(id: string, prefix: string): string {
  const m = /^state (.+)$/.exec(id);
  if (m) return `state ${prefix}${m[1]}`;
  const t = /^(\S+) (always|on \S+) \[(\d+)\] -> (.+)$/.exec(id)!;
  return `${prefix}${t[1]} ${t[2]} [${t[3]}] -> ${t[4]!.split(',').map((x) => (x === '(self)' ? x : `${prefix}${x}`)).join(',')}`;
}

/** The mapping.c front end and the dma_direct_* machine each splices in. */
export const SPLICED_CALLEES: readonly { readonly entryPoint: string; readonly callee: string }[] = [
  { entryPoint: 'dma_alloc_attrs', callee: 'dma_direct_alloc' },
  { entryPoint: 'dma_free_attrs', callee: 'dma_direct_free' },
  { entryPoint: 'dma_mmap_attrs', callee: 'dma_direct_mmap' },
  { entryPoint: 'dma_alloc_pages', callee: 'dma_direct_alloc_pages' },
  { entryPoint: 'dma_free_pages', callee: 'dma_direct_free_pages' },
];

/** The dev-coherent test inside dma_direct_mmap() (models/machines/dev-coherent-mmap-states.ts): every structure but jgg-flags'. */
const DEV_COHERENT_MMAP = ['devCoherentCheck always [0] -> mmapFromDevCoherent', 'state mmapFromDevCoherent',
  'mmapFromDevCoherent on PFN_REMAPPED [0] -> returned', 'mmapFromDevCoherent on NOT_IN_POOL [0] -> remappingPfnRange'];
const NOT_JGG = [...BASE_STRUCTURE, ...P3_STRUCTURE, ...V73];

const DIRECT_UNREACHABLE: readonly ExpectedUnreachable[] = [
  ...DIRECT_ONLY_UNREACHABLE,
  ...DEV_COHERENT_MMAP.map((id) => ({
    entryPoint: 'dma_direct_mmap', id, versions: NOT_JGG,
    reason: 'matrix: a devmem=1 device runs only programs that call dma_alloc_attrs() (the only way into its coherent memory), so dma_direct_mmap() called directly never sees one; dma_mmap_attrs reaches these states',
  })),
];

/**
 * Obligations of the front end: what is unreachable in a dma_direct_*
 * machine is unreachable in its spliced copy too (the front end adds only
 * the choice of memory), except the dev-coherent test of dma_direct_mmap,
 * which dma_mmap_attrs reaches; and what a device with coherent memory
 * cannot do.
 */
const FRONT_END_UNREACHABLE: readonly ExpectedUnreachable[] = [
  ...SPLICED_CALLEES.flatMap(({ entryPoint, callee }) => DIRECT_UNREACHABLE
    .filter((e) => e.entryPoint === callee && !DEV_COHERENT_MMAP.includes(e.id))
    .map((e) => ({ ...e, entryPoint, id: prefixObligation(e.id, `${callee}:`) }))),
  {
    entryPoint: 'dma_alloc_attrs', id: 'start always [0] -> refuseSharedAttr', versions: V73,
    reason: 'matrix: a correct driver never passes DMA_ATTR_CC_SHARED or __DMA_ATTR_ALLOC_CC_SHARED to dma_alloc_attrs() (callerShared is false in every run; the scenario tests set it)',
  },
  { entryPoint: 'dma_alloc_attrs', id: 'state refuseSharedAttr', versions: V73, reason: 'matrix: see start always [0] -> refuseSharedAttr' },
  ...['start always [0] -> unbouncing', 'state unbouncing', 'unbouncing on BOUNCE_UNMAPPED [0] -> returned'].map((id) => ({
    entryPoint: 'dma_unmap_phys_cc_shared', id: prefixObligation(id, 'dma_direct_unmap_phys:'), versions: [...BASE_STRUCTURE, ...P3_STRUCTURE],
    reason: 'kernel/dma/direct.h:91-100 (blob 7140c208): with DMA_ATTR_CC_SHARED a force-bounced device skips the bounce and any other is refused, so no shared mapping is a swiotlb buffer to release',
  })),
  {
    entryPoint: 'dma_free_attrs', id: 'releaseFromDevCoherent on NOT_IN_POOL [0] -> callDirect', versions: NOT_JGG.concat(JGG),
    reason: 'kernel/dma/coherent.c:195-196: a device with coherent memory never falls back to dma-direct (an exhausted region gives NULL), so every buffer it frees is in its region',
  },
  {
    entryPoint: 'dma_mmap_attrs', id: prefixObligation('mmapFromDevCoherent on NOT_IN_POOL [0] -> remappingPfnRange', 'dma_direct_mmap:'), versions: NOT_JGG,
    reason: 'kernel/dma/coherent.c:195-196: a device with coherent memory never falls back to dma-direct, so every buffer it maps is in its region',
  },
];

export const EXPECTED_UNREACHABLE: readonly ExpectedUnreachable[] = [...DIRECT_UNREACHABLE, ...FRONT_END_UNREACHABLE];

export function expectedUnreachable(version: string, entryPoint: string, id: string): ExpectedUnreachable | undefined {
  return EXPECTED_UNREACHABLE.find((e) => e.entryPoint === entryPoint && e.id === id && (!e.versions || e.versions.includes(version)));
}
