/**
 * The xstate `setup` every dma-direct machine is built from: the context
 * (device predicates, Kconfig, call arguments, the function's locals), the
 * named guards with their BASELINE meaning, and the actions.
 *
 * A guard is named after the kernel predicate it encodes; `GUARD_C` gives the
 * C condition. Versions replace guard implementations with
 * `machine.provide({ guards })` (see models/versions.ts), never the
 * structure; a patch that changes structure has its own machine file.
 */
import { assign, setup } from 'xstate';
import type { OutcomeEvent } from '../vocabulary.ts';

/** What the caller and the configuration fix before the entry point runs. */
export interface MachineInput {
  /** force_dma_unencrypted(dev) */
  readonly F: boolean;
  /** is_swiotlb_for_alloc(dev): the device has a restricted-dma-pool */
  readonly R: boolean;
  /** dev_is_dma_coherent(dev) */
  readonly C: boolean;
  /** gfpflags_allow_blocking(gfp) */
  readonly B: boolean;
  /** attrs & DMA_ATTR_NO_KERNEL_MAPPING */
  readonly NKM: boolean;
  /** IS_ENABLED(CONFIG_DMA_DIRECT_REMAP) */
  readonly remapConfig: boolean;
  /** IS_ENABLED(CONFIG_DMA_COHERENT_POOL) */
  readonly coherentPoolConfig: boolean;
  /** IS_ENABLED(CONFIG_ARCH_HAS_DMA_SET_UNCACHED) (and _CLEAR_UNCACHED) */
  readonly setUncachedConfig: boolean;
  /** CONFIG_HIGHMEM with a CMA area in highmem */
  readonly highmemCmaConfig: boolean;
  /** is_vmalloc_addr(cpu_addr) of the address passed to a free */
  readonly cpuAddrIsVmalloc: boolean;
  /** is_swiotlb_force_bounce(dev) on the streaming path */
  readonly forceBounce: boolean;
  /** swiotlb_find_pool(dev, phys) != NULL for the address passed to an unmap (the test inside swiotlb_tbl_unmap_single()) */
  readonly swiotlbBuffer: boolean;
  /** dev_get_coherent_memory(dev) != NULL: the device has per-device coherent memory (the `devmem` knob) */
  readonly devCoherent: boolean;
  /** cc_platform_has(CC_ATTR_MEM_ENCRYPT) as the version sees the platform (v7.3: the pools' `cc_shared`) */
  readonly ccMemEncrypt: boolean;
  /** the caller passed DMA_ATTR_CC_SHARED or __DMA_ATTR_ALLOC_CC_SHARED to dma_alloc_attrs(): false in every run of the matrix (a correct driver does not), set by scenario tests */
  readonly callerShared: boolean;
}

/** Local variables of the C function, false when the entry point starts. */
export interface MachineLocals {
  /** `remap` in dma_direct_alloc */
  readonly remap: boolean;
  /** `set_uncached` in dma_direct_alloc */
  readonly setUncached: boolean;
  /** PageHighMem(page) of the page obtained */
  readonly pageHighmem: boolean;
  /** the prot passed to the remap / mmap went through pgprot_decrypted() */
  readonly protDecrypted: boolean;
  /** the DMA handle was made with phys_to_dma_unencrypted() */
  readonly dmaUnencrypted: boolean;
  /** v7.3: `attrs & __DMA_ATTR_ALLOC_CC_SHARED` in the allocs and frees, `attrs & DMA_ATTR_CC_SHARED` in mmap (set from force_dma_unencrypted(dev) at entry) */
  readonly ccShared: boolean;
  /** v7.3: `mark_mem_decrypt` in dma_direct_alloc(), `mark_mem_encrypted` in the frees */
  readonly markMem: boolean;
  /** v7.3: `swiotlb_pool = swiotlb_find_pool(dev, phys)` found the buffer in a swiotlb pool (the frees) */
  readonly swiotlbPool: boolean;
}

export type MachineContext = MachineInput & MachineLocals;

export const INPUT_KEYS: readonly (keyof MachineInput)[] = [
  'F', 'R', 'C', 'B', 'NKM', 'remapConfig', 'coherentPoolConfig', 'setUncachedConfig', 'highmemCmaConfig',
  'cpuAddrIsVmalloc', 'forceBounce', 'swiotlbBuffer', 'devCoherent', 'callerShared', 'ccMemEncrypt',
];
export const LOCAL_KEYS: readonly (keyof MachineLocals)[] = [
  'remap', 'setUncached', 'pageHighmem', 'protDecrypted', 'dmaUnencrypted', 'ccShared', 'markMem', 'swiotlbPool',
];

export const NO_LOCALS: MachineLocals = {
  remap: false, setUncached: false, pageHighmem: false, protDecrypted: false, dmaUnencrypted: false,
  ccShared: false, markMem: false, swiotlbPool: false,
};

/** The environment call a state waits on (the interleaving points). */
export type EnvCall =
  | 'swiotlb_alloc' | 'dma_alloc_contiguous' | 'dma_free_contiguous' | 'alloc_pages_node'
  | 'dma_alloc_from_pool' | 'dma_free_from_pool' | 'dma_free_from_pool_by_phys'
  | 'set_memory_decrypted' | 'set_memory_encrypted'
  | 'dma_common_contiguous_remap' | 'vunmap' | 'arch_dma_set_uncached' | 'arch_dma_clear_uncached'
  | '__dma_direct_free_pages' | 'swiotlb_map' | 'swiotlb_tbl_unmap_single' | 'remap_pfn_range'
  | 'swiotlb_find_pool' | 'swiotlb_free_from_pool' | 'dma_set_coherent_mask'
  | 'dma_alloc_from_dev_coherent' | 'dma_release_from_dev_coherent' | 'dma_mmap_from_dev_coherent'
  // pool set-up: atomic_pool_expand() (kernel/dma/pool.c) and rmem_swiotlb_device_init() (kernel/dma/swiotlb.c)
  | 'alloc_pages' | 'gen_pool_add_virt' | '__free_pages'
  | 'rmem_priv' | 'set_memory_decrypted_region' | 'add_mem_pool';

/** What a final state returns to the caller. */
export type ReturnKind =
  | 'null' | 'cpu_addr' | 'pool_vaddr' | 'page_cookie' | 'page' | 'vaddr_as_page'
  | 'void' | 'bounced_dma_addr' | 'direct_dma_addr' | 'mapping_error' | 'mmap_result'
  /** an int status (0); the caller keeps the buffer it holds */
  | 'status'
  /** the cpu address of a page of the device's coherent memory region */
  | 'dev_coherent_cpu_addr'
  /** rmem_swiotlb_device_init() returned an error: the device is left without its restricted pool */
  | 'setup_error'
  /** the DMA address of a buffer the caller shared itself (DMA_ATTR_CC_SHARED), mapped without a bounce: the encoding the machine chose goes to that buffer */
  | 'shared_dma_addr';

/** `meta` of every state: where it is in the kernel, and what it does. */
export interface StateMeta {
  /** kernel function and code position of the modelled version */
  readonly source: string;
  /** the environment call this state waits on */
  readonly call?: EnvCall;
  /** which address the call is given, where it matters */
  readonly arg?: 'cpu_addr' | 'page_address';
  /** final states: what the entry point returns */
  readonly returns?: ReturnKind;
  /** final states: the page is deliberately leaked (goto out_leak_pages, or a failed re-encrypt) */
  readonly leak?: boolean;
  /** the kernel logs a warning here (WARN*, pr_warn*), where a model records one; for readers of the model: no check, trace or report uses it */
  readonly warn?: string;
}

export type MachineEvent = { type: OutcomeEvent };

type GuardArgs = { context: MachineContext };

/** The C condition each guard encodes, at baseline. Versions document their own in versions.ts. */
export const GUARD_C: Readonly<Record<string, string>> = {
  forceDmaUnencrypted: 'force_dma_unencrypted(dev)',
  isSwiotlbForAlloc: 'is_swiotlb_for_alloc(dev)',
  devIsDmaCoherent: 'dev_is_dma_coherent(dev)',
  noKernelMappingShortcut: '(attrs & DMA_ATTR_NO_KERNEL_MAPPING) && !force_dma_unencrypted(dev) && !is_swiotlb_for_alloc(dev)',
  useAtomicPool: '(remap || force_dma_unencrypted(dev)) && dma_direct_use_pool(dev, gfp)  [use_pool = !blocking && !is_swiotlb_for_alloc]',
  useAtomicPoolForAllocPages: 'force_dma_unencrypted(dev) && dma_direct_use_pool(dev, gfp)',
  allowHighmem: 'allow_highmem argument of __dma_direct_alloc_pages() in dma_direct_alloc(): true',
  dmaOwnsDecryption: 'dma_set_decrypted()/dma_set_encrypted() go on to set_memory_*(): force_dma_unencrypted(dev)',
  physToDmaUnencrypted: 'phys_to_dma_direct() uses phys_to_dma_unencrypted(): force_dma_unencrypted(dev)',
  remapProtDecrypted: 'dma_direct_alloc() applies pgprot_decrypted() to the remap prot: force_dma_unencrypted(dev)',
  mmapProtDecrypted: 'dma_direct_mmap() applies pgprot_decrypted() to vm_page_prot: force_dma_unencrypted(dev)',
  dmaDirectRemapConfigured: 'IS_ENABLED(CONFIG_DMA_DIRECT_REMAP)',
  setUncachedConfigured: 'IS_ENABLED(CONFIG_ARCH_HAS_DMA_SET_UNCACHED)',
  clearUncachedConfigured: 'IS_ENABLED(CONFIG_ARCH_HAS_DMA_CLEAR_UNCACHED)',
  coherentPoolConfigured: 'IS_ENABLED(CONFIG_DMA_COHERENT_POOL)',
  highmemCmaConfigured: 'CONFIG_HIGHMEM with a CMA area in highmem (dma_alloc_contiguous can return a highmem page)',
  pageIsHighmem: 'PageHighMem(page)',
  remapNeeded: 'remap',
  setUncachedNeeded: 'set_uncached',
  cpuAddrIsVmalloc: 'is_vmalloc_addr(cpu_addr)',
  swiotlbForceBounce: 'is_swiotlb_force_bounce(dev)',
  isSwiotlbBuffer: 'swiotlb_find_pool(dev, phys) != NULL',
  // v7.3 (the merged CC_SHARED series): conditions on the attrs and locals the functions now carry
  ccShared: 'attrs & __DMA_ATTR_ALLOC_CC_SHARED (dma_direct_mmap: attrs & DMA_ATTR_CC_SHARED), set at entry when force_dma_unencrypted(dev)',
  noKernelMappingUnshared: '(attrs & (DMA_ATTR_NO_KERNEL_MAPPING | __DMA_ATTR_ALLOC_CC_SHARED)) == DMA_ATTR_NO_KERNEL_MAPPING && !is_swiotlb_for_alloc(dev)',
  useAtomicPoolShared: '(remap || (attrs & __DMA_ATTR_ALLOC_CC_SHARED)) && dma_direct_use_pool(dev, gfp)',
  useAtomicPoolSharedForAllocPages: '(attrs & __DMA_ATTR_ALLOC_CC_SHARED) && dma_direct_use_pool(dev, gfp)',
  allowHighmemUnshared: 'allow_highmem: false when attrs & __DMA_ATTR_ALLOC_CC_SHARED',
  markMem: 'mark_mem_decrypt (dma_direct_alloc) / mark_mem_encrypted (the frees)',
  swiotlbPoolFound: 'swiotlb_pool (= swiotlb_find_pool(dev, phys)) != NULL',
  // the mapping.c front end and kernel/dma/coherent.c
  devCoherentMemory: 'dev_get_coherent_memory(dev) != NULL (dev->dma_mem: a shared-dma-pool region or dma_declare_coherent_memory())',
  callerSharedAttr: 'attrs & (DMA_ATTR_CC_SHARED | __DMA_ATTR_ALLOC_CC_SHARED) as the caller passed them to dma_alloc_attrs()',
  // pool set-up (kernel/dma/pool.c, kernel/dma/swiotlb.c)
  ccPlatformHasMemEncrypt: 'cc_platform_has(CC_ATTR_MEM_ENCRYPT)',
  poolCcShared: 'dma_pool->cc_shared (set from cc_platform_has(CC_ATTR_MEM_ENCRYPT) when the pool was created)',
};

export const dmaSetup = setup({
  types: {
    context: {} as MachineContext,
    events: {} as MachineEvent,
    input: {} as MachineInput,
  },
  guards: {
    forceDmaUnencrypted: ({ context }: GuardArgs) => context.F,
    isSwiotlbForAlloc: ({ context }: GuardArgs) => context.R,
    devIsDmaCoherent: ({ context }: GuardArgs) => context.C,
    noKernelMappingShortcut: ({ context }: GuardArgs) => context.NKM && !context.F && !context.R,
    useAtomicPool: ({ context }: GuardArgs) => (context.remap || context.F) && !context.B && !context.R,
    useAtomicPoolForAllocPages: ({ context }: GuardArgs) => context.F && !context.B && !context.R,
    allowHighmem: () => true,
    dmaOwnsDecryption: ({ context }: GuardArgs) => context.F,
    physToDmaUnencrypted: ({ context }: GuardArgs) => context.F,
    remapProtDecrypted: ({ context }: GuardArgs) => context.F,
    mmapProtDecrypted: ({ context }: GuardArgs) => context.F,
    dmaDirectRemapConfigured: ({ context }: GuardArgs) => context.remapConfig,
    setUncachedConfigured: ({ context }: GuardArgs) => context.setUncachedConfig,
    // ABSTRACTION: ARCH_HAS_DMA_CLEAR_UNCACHED is taken to be set exactly where ARCH_HAS_DMA_SET_UNCACHED is
    // (the environment treats arch_dma_clear_uncached() as a no-op for encryption either way).
    clearUncachedConfigured: ({ context }: GuardArgs) => context.setUncachedConfig,
    coherentPoolConfigured: ({ context }: GuardArgs) => context.coherentPoolConfig,
    highmemCmaConfigured: ({ context }: GuardArgs) => context.highmemCmaConfig,
    pageIsHighmem: ({ context }: GuardArgs) => context.pageHighmem,
    remapNeeded: ({ context }: GuardArgs) => context.remap,
    setUncachedNeeded: ({ context }: GuardArgs) => context.setUncached,
    cpuAddrIsVmalloc: ({ context }: GuardArgs) => context.cpuAddrIsVmalloc,
    swiotlbForceBounce: ({ context }: GuardArgs) => context.forceBounce,
    isSwiotlbBuffer: ({ context }: GuardArgs) => context.swiotlbBuffer,
    ccShared: ({ context }: GuardArgs) => context.ccShared,
    noKernelMappingUnshared: ({ context }: GuardArgs) => context.NKM && !context.ccShared && !context.R,
    useAtomicPoolShared: ({ context }: GuardArgs) => (context.remap || context.ccShared) && !context.B && !context.R,
    useAtomicPoolSharedForAllocPages: ({ context }: GuardArgs) => context.ccShared && !context.B && !context.R,
    allowHighmemUnshared: ({ context }: GuardArgs) => !context.ccShared,
    markMem: ({ context }: GuardArgs) => context.markMem,
    swiotlbPoolFound: ({ context }: GuardArgs) => context.swiotlbPool,
    devCoherentMemory: ({ context }: GuardArgs) => context.devCoherent,
    callerSharedAttr: ({ context }: GuardArgs) => context.callerShared,
    ccPlatformHasMemEncrypt: ({ context }: GuardArgs) => context.ccMemEncrypt,
    poolCcShared: ({ context }: GuardArgs) => context.ccMemEncrypt,
  },
  actions: {
    /** dma_direct_alloc step 3c: remap = CONFIG_DMA_DIRECT_REMAP, set_uncached = CONFIG_ARCH_HAS_DMA_SET_UNCACHED */
    takeNonCoherentStrategy: assign(({ context }) => ({ remap: context.remapConfig, setUncached: context.setUncachedConfig })),
    /** dma_direct_alloc step 6: a highmem page has no linear alias, so it must be remapped */
    highmemForcesRemap: assign({ remap: true, setUncached: false }),
    markPageHighmem: assign({ pageHighmem: true }),
    usePgprotDecrypted: assign({ protDecrypted: true }),
    usePhysToDmaUnencrypted: assign({ dmaUnencrypted: true }),
    /** v7.3: `attrs |= __DMA_ATTR_ALLOC_CC_SHARED` (or DMA_ATTR_CC_SHARED in mmap) because force_dma_unencrypted(dev) */
    setCcShared: assign({ ccShared: true }),
    /** v7.3: `mark_mem_decrypt = true` / `mark_mem_encrypted = true` */
    setMarkMem: assign({ markMem: true }),
    /** v7.3: `mark_mem_decrypt = false`: swiotlb memory comes from a pool already set up as the attrs ask */
    clearMarkMem: assign({ markMem: false }),
    /** v7.3 frees: the buffer is in a swiotlb pool, so `mark_mem_encrypted = false` */
    noteSwiotlbPool: assign({ swiotlbPool: true, markMem: false }),
  },
});

export type DmaMachine = ReturnType<typeof dmaSetup.createMachine>;
export type GuardName = keyof typeof GUARD_C;

/** Every machine's context: the input, with all locals false. */
export const initialContext = ({ input }: { input: MachineInput }): MachineContext => ({ ...input, ...NO_LOCALS });

/**
 * dma_direct_alloc()'s strategy for a non-coherent device, as `always`
 * transitions: set_uncached where the arch has it, else a remap where
 * DMA_DIRECT_REMAP is set (either taken into the locals), else `onNone`.
 * The alloc machines and the jgg-flags mmap (which replays the choice to
 * recover a buffer's provenance) share it, so they cannot drift apart.
 */
export function nonCoherentStrategy(onStrategy: string, onNone: string) {
  return [
    { guard: 'setUncachedConfigured', actions: 'takeNonCoherentStrategy', target: onStrategy },
    { guard: 'dmaDirectRemapConfigured', actions: 'takeNonCoherentStrategy', target: onStrategy },
    { target: onNone },
  ] as const;
}

/** The commit every baseline direct.c line number refers to (gregkh/linux, facts §0 S1). */
export const BASELINE_DIRECT = '2c142b63';

/** `kernel/dma/direct.c:<line> @2c142b63 <fn>(): <what>`: a position in the baseline direct.c. */
export function baselineAt(line: number, fn: string, what: string): string {
  return `kernel/dma/direct.c:${line} @${BASELINE_DIRECT} ${fn}(): ${what}`;
}

/** What dma_set_encrypted() logs when set_memory_encrypted() fails (the page then leaks). */
export const DMA_SET_ENCRYPTED_WARN = 'dma_set_encrypted(): pr_warn_ratelimited, leaking DMA memory that cannot be re-encrypted';

/**
 * The last states of every free: set_memory_encrypted() (a failure returns
 * at once and the page leaks), then the pages go back. `text` gives each
 * state's source position, and `leakWarn` the warning the kernel logs on
 * the leak, if it logs one.
 */
export function encryptThenFreeStates(text: { readonly encrypt: string; readonly free: string; readonly leaked: string; readonly returned: string; readonly leakWarn?: string }) {
  return {
    setMemoryEncrypted: {
      meta: { source: text.encrypt, call: 'set_memory_encrypted' } satisfies StateMeta,
      on: { SET_ENCRYPTED_OK: { target: 'freePages' }, SET_ENCRYPTED_FAILED: { target: 'leaked' } },
    },
    freePages: {
      meta: { source: text.free, call: '__dma_direct_free_pages' } satisfies StateMeta,
      on: { PAGES_FREED: { target: 'returned' } },
    },
    leaked: {
      type: 'final',
      meta: { source: text.leaked, returns: 'void', leak: true, ...(text.leakWarn !== undefined ? { warn: text.leakWarn } : {}) } satisfies StateMeta,
    },
    returned: {
      type: 'final',
      meta: { source: text.returned, returns: 'void' } satisfies StateMeta,
    },
  } as const;
}
