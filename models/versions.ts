/**
 * Kernel versions as deltas over baseline (facts §2). A patch that only
 * changes conditions provides other guard implementations to the previous
 * version's machines; patch 3 changes structure and brings its own
 * dma_direct_alloc / dma_direct_free machines.
 *
 * Notation: F = force_dma_unencrypted(dev), R = is_swiotlb_for_alloc(dev),
 * O = dma_owns_decryption(dev) = F && !R, D = is_dma_decrypted(dev) = F || R.
 */
import type { DmaMachine, MachineContext } from './machines/dma-setup.ts';
import type { EnvGeneration } from './platforms.ts';
import { dmaDirectAlloc } from './machines/dma-direct-alloc.ts';
import { dmaDirectAllocDecryptFirst } from './machines/dma-direct-alloc-decrypt-first.ts';
import { dmaDirectFree } from './machines/dma-direct-free.ts';
import { dmaDirectFreeReencryptRemap } from './machines/dma-direct-free-reencrypt-remap.ts';
import { dmaDirectAllocPages } from './machines/dma-direct-alloc-pages.ts';
import { dmaDirectFreePages } from './machines/dma-direct-free-pages.ts';
import { dmaDirectMmap } from './machines/dma-direct-mmap.ts';
import { dmaDirectMapPhys } from './machines/dma-direct-map-phys.ts';
import { dmaDirectUnmapPhys } from './machines/dma-direct-unmap-phys.ts';
import { jggDmaDirectAlloc } from './machines/jgg-dma-direct-alloc.ts';
import { jggDmaDirectFree } from './machines/jgg-dma-direct-free.ts';
import { jggDmaDirectAllocPages } from './machines/jgg-dma-direct-alloc-pages.ts';
import { jggDmaDirectFreePages } from './machines/jgg-dma-direct-free-pages.ts';
import { jggDmaDirectMmap } from './machines/jgg-dma-direct-mmap.ts';
import { jggDmaDirectMapPhys } from './machines/jgg-dma-direct-map-phys.ts';
import { jggDmaDirectUnmapPhys } from './machines/jgg-dma-direct-unmap-phys.ts';
import { v73DmaDirectAlloc } from './machines/v73-dma-direct-alloc.ts';
import { v73DmaDirectFree } from './machines/v73-dma-direct-free.ts';
import { v73DmaDirectAllocPages } from './machines/v73-dma-direct-alloc-pages.ts';
import { v73DmaDirectFreePages } from './machines/v73-dma-direct-free-pages.ts';
import { v73DmaDirectMmap } from './machines/v73-dma-direct-mmap.ts';
import { v73DmaDirectMapPhys } from './machines/v73-dma-direct-map-phys.ts';
import { dmaSetCoherentMask } from './machines/dma-set-coherent-mask.ts';
import { dmaDirectMapPhysShared } from './machines/dma-direct-map-phys-shared.ts';
import { jggDmaDirectMapPhysShared } from './machines/jgg-dma-direct-map-phys-shared.ts';
import { v73DmaDirectMapPhysShared } from './machines/v73-dma-direct-map-phys-shared.ts';
import { dmaMapPhysCcShared } from './machines/mapping-dma-map-phys-cc-shared.ts';
import { dmaUnmapPhysCcShared } from './machines/mapping-dma-unmap-phys-cc-shared.ts';
import { dmaAllocAttrs } from './machines/mapping-dma-alloc-attrs.ts';
import { dmaFreeAttrs } from './machines/mapping-dma-free-attrs.ts';
import { dmaMmapAttrs } from './machines/mapping-dma-mmap-attrs.ts';
import { dmaAllocPages } from './machines/mapping-dma-alloc-pages.ts';
import { dmaFreePages } from './machines/mapping-dma-free-pages.ts';
import { dmaMmapPages } from './machines/mapping-dma-mmap-pages.ts';
import { atomicPoolExpand } from './machines/atomic-pool-expand.ts';
import { v73AtomicPoolExpand } from './machines/v73-atomic-pool-expand.ts';
import { rmemSwiotlbDeviceInit } from './machines/rmem-swiotlb-device-init.ts';
import { v73RmemSwiotlbDeviceInit } from './machines/v73-rmem-swiotlb-device-init.ts';

export const ENTRY_POINTS = [
  'dma_direct_alloc', 'dma_direct_free', 'dma_direct_alloc_pages', 'dma_direct_free_pages',
  'dma_direct_mmap', 'dma_direct_map_phys', 'dma_direct_unmap_phys',
  // a driver step between calls, not part of dma-direct: the same machine in every version
  'dma_set_coherent_mask',
  // the mapping.c front end drivers call; each contains its version's dma_direct_* machine
  'dma_alloc_attrs', 'dma_free_attrs', 'dma_mmap_attrs', 'dma_alloc_pages', 'dma_free_pages', 'dma_mmap_pages',
  // the environment's own steps: a restricted pool's set-up at the device's probe, and the atomic pool's worker
  'rmem_swiotlb_device_init', 'atomic_pool_expand',
  // a caller that already shared its buffer (a dma-buf system_cc_shared heap buffer) maps it through mapping.c's
  // dma_map_phys() / dma_unmap_phys() with DMA_ATTR_CC_SHARED; each contains its version's dma_direct_*_phys machine
  'dma_map_phys_cc_shared', 'dma_unmap_phys_cc_shared',
] as const;
type FrontEndPoint = 'dma_alloc_attrs' | 'dma_free_attrs' | 'dma_mmap_attrs' | 'dma_alloc_pages' | 'dma_free_pages' | 'dma_mmap_pages';
export type EntryPoint = (typeof ENTRY_POINTS)[number];

/** The entry points before the mapping.c front end: dma-direct's own and the driver's mask step (`--entry-points` of the old scope). */
export const DIRECT_SCOPE: readonly EntryPoint[] = ENTRY_POINTS.filter((ep) => ep.startsWith('dma_direct_') || ep === 'dma_set_coherent_mask');

/** The mapping.c front end, and the dma_direct_* function each calls for a direct device. */
export const FRONT_END: Readonly<Record<FrontEndPoint, EntryPoint | null>> = {
  dma_alloc_attrs: 'dma_direct_alloc',
  dma_free_attrs: 'dma_direct_free',
  dma_mmap_attrs: 'dma_direct_mmap',
  dma_alloc_pages: 'dma_direct_alloc_pages',
  dma_free_pages: 'dma_direct_free_pages',
  dma_mmap_pages: null,
};

export type DirectMachines = Omit<Record<EntryPoint, DmaMachine>, FrontEndPoint>;

/**
 * A structure table completed with the mapping.c front end of generation
 * `gen` around its dma_direct_* machines (before any guard change is
 * provided, so the changes reach the spliced states too).
 */
export function withFrontEnd(direct: DirectMachines, gen: EnvGeneration): Record<EntryPoint, DmaMachine> {
  return {
    ...direct,
    dma_alloc_attrs: dmaAllocAttrs(direct.dma_direct_alloc, gen),
    dma_free_attrs: dmaFreeAttrs(direct.dma_direct_free, gen),
    dma_mmap_attrs: dmaMmapAttrs(direct.dma_direct_mmap, gen),
    dma_alloc_pages: dmaAllocPages(direct.dma_direct_alloc_pages, gen),
    dma_free_pages: dmaFreePages(direct.dma_direct_free_pages, gen),
    dma_mmap_pages: dmaMmapPages(gen),
  };
}

type Guard = (args: { context: MachineContext }) => boolean;
interface GuardDelta { readonly impl: Guard; readonly c: string }

export interface KernelVersion {
  readonly id: string;
  readonly description: string;
  /** the environment the version's code runs in (pools with or without cc_shared, platform rules) */
  readonly env: EnvGeneration;
  /** guards whose condition differs from baseline, with the C condition they now encode */
  readonly guardChanges: Readonly<Record<string, string>>;
  readonly machines: Readonly<Record<EntryPoint, DmaMachine>>;
}

const O = (c: MachineContext) => c.F && !c.R;
const D = (c: MachineContext) => c.F || c.R;

const P1: Record<string, GuardDelta> = {
  dmaOwnsDecryption: { impl: ({ context: c }) => c.F && !c.R, c: 'force_dma_unencrypted(dev) && !is_swiotlb_for_alloc(dev)' },
};
const P2: Record<string, GuardDelta> = {
  physToDmaUnencrypted: { impl: ({ context: c }) => c.F || c.R, c: 'force_dma_unencrypted(dev) || is_swiotlb_for_alloc(dev)' },
};
const P3: Record<string, GuardDelta> = {
  allowHighmem: { impl: ({ context: c }) => !c.F, c: 'allow_highmem = !force_dma_unencrypted(dev)' },
};
const P4: Record<string, GuardDelta> = {
  physToDmaUnencrypted: { impl: ({ context: c }) => D(c), c: 'is_dma_decrypted(dev)' },
  dmaOwnsDecryption: { impl: ({ context: c }) => O(c), c: 'dma_owns_decryption(dev)' },
  allowHighmem: { impl: ({ context: c }) => !O(c), c: 'allow_highmem = !dma_owns_decryption(dev)' },
  noKernelMappingShortcut: { impl: ({ context: c }) => c.NKM && !D(c), c: '(attrs & DMA_ATTR_NO_KERNEL_MAPPING) && !is_dma_decrypted(dev)' },
  useAtomicPool: { impl: ({ context: c }) => (c.remap || O(c)) && !c.B && !c.R, c: '(remap || dma_owns_decryption(dev)) && dma_direct_use_pool(dev, gfp)' },
  useAtomicPoolForAllocPages: { impl: ({ context: c }) => O(c) && !c.B && !c.R, c: 'dma_owns_decryption(dev) && dma_direct_use_pool(dev, gfp)' },
  remapProtDecrypted: { impl: ({ context: c }) => D(c), c: 'is_dma_decrypted(dev)' },
  mmapProtDecrypted: { impl: ({ context: c }) => D(c), c: 'is_dma_decrypted(dev)' },
};

const BASE_DIRECT: DirectMachines = {
  dma_direct_alloc: dmaDirectAlloc,
  dma_direct_free: dmaDirectFree,
  dma_direct_alloc_pages: dmaDirectAllocPages,
  dma_direct_free_pages: dmaDirectFreePages,
  dma_direct_mmap: dmaDirectMmap,
  dma_direct_map_phys: dmaDirectMapPhys,
  dma_direct_unmap_phys: dmaDirectUnmapPhys,
  dma_set_coherent_mask: dmaSetCoherentMask,
  // pool.c and swiotlb.c before the CC_SHARED series (the v2 RFC changes only direct.c)
  rmem_swiotlb_device_init: rmemSwiotlbDeviceInit,
  atomic_pool_expand: atomicPoolExpand,
  // direct.h as the series' base has it (Jiri Pirko's DMA_ATTR_CC_SHARED included); the v2 RFC changes only direct.c
  dma_map_phys_cc_shared: dmaMapPhysCcShared(dmaDirectMapPhysShared, 'classic'),
  dma_unmap_phys_cc_shared: dmaUnmapPhysCcShared(dmaDirectUnmapPhys, 'classic'),
};
const BASE_MACHINES = withFrontEnd(BASE_DIRECT, 'classic');
const P3_MACHINES = withFrontEnd({
  ...BASE_DIRECT,
  dma_direct_alloc: dmaDirectAllocDecryptFirst,
  dma_direct_free: dmaDirectFreeReencryptRemap,
}, 'classic');

/**
 * Jason Gunthorpe's counter-proposal (facts §3): the flag travels with the
 * phys; its own machines for every entry point (models/machines/jgg-*.ts).
 * Guards keep their baseline meaning, read as the one device question
 * (force_dma_unencrypted(dev) = !dev_can_dma_from_encrypted(dev)).
 */
const JGG_MACHINES = withFrontEnd({
  dma_direct_alloc: jggDmaDirectAlloc,
  dma_direct_free: jggDmaDirectFree,
  dma_direct_alloc_pages: jggDmaDirectAllocPages,
  dma_direct_free_pages: jggDmaDirectFreePages,
  dma_direct_mmap: jggDmaDirectMmap,
  dma_direct_map_phys: jggDmaDirectMapPhys,
  dma_direct_unmap_phys: jggDmaDirectUnmapPhys,
  dma_set_coherent_mask: dmaSetCoherentMask,
  // ABSTRACTION: the design changes dma-direct only; its pools are set up as baseline's
  rmem_swiotlb_device_init: rmemSwiotlbDeviceInit,
  atomic_pool_expand: atomicPoolExpand,
  // a caller-shared buffer is a phys whose flag is DEC (facts §3: the flag travels with the phys)
  dma_map_phys_cc_shared: dmaMapPhysCcShared(jggDmaDirectMapPhysShared, 'classic'),
  dma_unmap_phys_cc_shared: dmaUnmapPhysCcShared(jggDmaDirectUnmapPhys, 'classic'),
}, 'classic');
const JGG: Record<string, GuardDelta> = {
  allowHighmem: { impl: ({ context: c }) => !c.F, c: 'allow_highmem = dev_can_dma_from_encrypted(dev) (a highmem page has no linear alias to decrypt)' },
};

/**
 * Mainline v7.3: the merged CC_SHARED series (Aneesh Kumar K.V, v8; facts
 * §8), every entry point with a machine of its own whose states cite
 * direct.c lines at 63e62b63. Its environment generation is `cc-shared`.
 */
const V73_MACHINES = withFrontEnd({
  dma_direct_alloc: v73DmaDirectAlloc,
  dma_direct_free: v73DmaDirectFree,
  dma_direct_alloc_pages: v73DmaDirectAllocPages,
  dma_direct_free_pages: v73DmaDirectFreePages,
  dma_direct_mmap: v73DmaDirectMmap,
  dma_direct_map_phys: v73DmaDirectMapPhys,
  // ABSTRACTION: dma_direct_unmap_phys() (kernel/dma/direct.h) releases a bounce slot as before.
  dma_direct_unmap_phys: dmaDirectUnmapPhys,
  dma_set_coherent_mask: dmaSetCoherentMask,
  rmem_swiotlb_device_init: v73RmemSwiotlbDeviceInit,
  atomic_pool_expand: v73AtomicPoolExpand,
  dma_map_phys_cc_shared: dmaMapPhysCcShared(v73DmaDirectMapPhysShared, 'cc-shared'),
  dma_unmap_phys_cc_shared: dmaUnmapPhysCcShared(dmaDirectUnmapPhys, 'cc-shared'),
}, 'cc-shared');

function version(id: string, description: string, structure: Record<EntryPoint, DmaMachine>, ...deltas: Record<string, GuardDelta>[]): KernelVersion {
  const merged: Record<string, GuardDelta> = Object.assign({}, ...deltas);
  const guards = Object.fromEntries(Object.entries(merged).map(([k, v]) => [k, v.impl]));
  const machines = Object.fromEntries(
    ENTRY_POINTS.map((ep) => [ep, Object.keys(guards).length ? structure[ep].provide({ guards } as never) : structure[ep]]),
  ) as Record<EntryPoint, DmaMachine>;
  return { id, description, env: 'classic', guardChanges: Object.fromEntries(Object.entries(merged).map(([k, v]) => [k, v.c])), machines };
}

export const VERSIONS: readonly KernelVersion[] = [
  version('baseline', 'upstream kernel/dma/direct.c before the v2 series', BASE_MACHINES),
  version('v2-p1', 'v2 1/5 "Avoid double decrypting with DMA_RESTRICTED_POOL"', BASE_MACHINES, P1),
  version('v2-p2', 'v2 1-2/5: + "Use the correct phys_to_dma() for DMA_RESTRICTED_POOL"', BASE_MACHINES, P1, P2),
  version('v2-p3', 'v2 1-3/5: + "Decrypt memory on remap"', P3_MACHINES, P1, P2, P3),
  version('v2-p4', 'v2 1-4/5: + "Refactor memory encryption usage" (patch 5 is documentation only)', P3_MACHINES, P1, P2, P3, P4),
  version('v2-p3-without-p1', 'v2 2/5 and 3/5 without 1/5: checks that patch 3 depends on patch 1', P3_MACHINES, P2, P3),
  version('jgg-flags', 'Jason Gunthorpe\'s design: the encryption state travels with the phys as a flag; the device is asked only dev_can_dma_from_encrypted()', JGG_MACHINES, JGG),
  { ...version('v7.3', 'mainline v7.3: the merged CC_SHARED series ("dma-mapping: Track shared DMA state through direct, pool and swiotlb paths"), direct.c at 63e62b63', V73_MACHINES), env: 'cc-shared' },
];

/** Versions added at run time (a kernel tree read with --tree, src/extract/tree-registry.ts), after VERSIONS. */
const ADDED: KernelVersion[] = [];
const IDS: string[] = VERSIONS.map((v) => v.id);

/** The ids of VERSIONS, then those of the versions added at run time (the same array, kept current). */
export const VERSION_IDS: readonly string[] = IDS;

export function versionById(id: string): KernelVersion | undefined {
  return VERSIONS.find((v) => v.id === id) ?? ADDED.find((v) => v.id === id);
}

/** Make `v` a version like any other until removeVersion(v.id); replaces an added version of the same id, never one of VERSIONS. */
export function addVersion(v: KernelVersion): void {
  if (VERSIONS.some((h) => h.id === v.id)) throw new Error(`versions: '${v.id}' is a hand-written version`);
  removeVersion(v.id);
  ADDED.push(v);
  IDS.push(v.id);
}

export function removeVersion(id: string): void {
  const i = ADDED.findIndex((v) => v.id === id);
  if (i < 0) return;
  ADDED.splice(i, 1);
  IDS.splice(IDS.indexOf(id), 1);
}
