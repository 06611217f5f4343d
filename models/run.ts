/**
 * A run: (version, platform, device configuration, one program per thread),
 * and the world it starts from. Pages are made only for what the programs
 * can touch, so a run's state stays small.
 */
import { deviceKey, forceDmaUnencrypted, type DeviceConfig } from './devices.ts';
import type { Platform } from './platforms.ts';
import { isPoolWorker, POOL_WORKER, PROBE, programKey, type Program } from './programs.ts';
import type { KernelVersion } from './versions.ts';
import { Attr, Enc, Home, Loc } from './vocabulary.ts';
import { HOLDER_OUTSIDE, worldLayout, type PageInfo, type WorldLayout } from './world.ts';

export interface RunSpec {
  readonly version: KernelVersion;
  readonly platform: Platform;
  readonly device: DeviceConfig;
  /** one program per thread */
  readonly programs: readonly Program[];
}

/** Plain-data form of a run (what crosses to workers and into reports). */
export interface RunId {
  readonly version: string;
  readonly platform: string;
  readonly device: string;
  readonly programs: readonly string[];
}

export function runId(r: RunSpec): RunId {
  return { version: r.version.id, platform: r.platform.id, device: deviceKey(r.device), programs: r.programs.map(programKey) };
}

export interface RunWorld {
  readonly layout: WorldLayout;
  /** restricted pool index of each thread's device, or -1 */
  readonly devicePool: readonly number[];
  /** F and R of the run's devices (F as the `mask` knob sets it, before any dma_set_coherent_mask()) */
  readonly F: boolean;
  readonly R: boolean;
  /** v7.3: `cc_shared` of the atomic pools and of the restricted pools (unused by classic versions) */
  readonly atomicPoolShared: boolean;
  readonly restrictedPoolShared: boolean;
  /** v7.3: `cc_shared` of the default swiotlb (io_tlb_default_mem) */
  readonly swiotlbShared: boolean;
  /** the thread that runs the atomic pool's worker, or -1 */
  readonly poolWorker: number;
  /** the dma-buf heap's buffer the run's callers map with DMA_ATTR_CC_SHARED, or -1 */
  readonly sharedBuffer: number;
}

/**
 * Whether a run's world has an atomic pool: a device that allocates without
 * a restricted pool (or may lose it at its probe), with a non-blocking gfp,
 * on a platform with DMA_COHERENT_POOL.
 */
export function hasAtomicPool(r: RunSpec): boolean {
  return planOf(r).atomicPool;
}

/** What a run's world holds, from its programs, device and platform. */
function planOf(r: RunSpec) {
  const { platform: p, device: d, programs } = r;
  const uses = (c: string) => programs.some((prog) => prog.includes(c as never));
  const allocates = uses('dma_direct_alloc') || uses('dma_direct_alloc_pages') || uses('dma_alloc_attrs') || uses('dma_alloc_pages');
  const R = d.pool !== 'none';
  const probed = R && uses(PROBE);
  // v7.3's probe fails the device's pool set-up when set_memory_decrypted() fails: the device then works without one
  const mayDetach = probed && r.version.env === 'cc-shared' && p.ccMemEncrypt && p.memEncryptActive && p.setMemoryCanFail;
  const withoutPool = !R || mayDetach;
  return {
    allocates, probed, withoutPool, maps: uses('dma_direct_map_phys'), mapsShared: uses('dma_map_phys_cc_shared'),
    atomicPool: allocates && withoutPool && p.kconfig.DMA_COHERENT_POOL && d.gfp === 'atomic',
  };
}

export function runWorld(r: RunSpec): RunWorld {
  const { platform: p, device: d, programs } = r;
  const poolWorker = programs.findIndex(isPoolWorker);
  // the devices' threads (the pool worker, when there is one, is the last thread)
  const T = poolWorker < 0 ? programs.length : poolWorker;
  if (poolWorker >= 0 && poolWorker !== programs.length - 1) throw new Error(`the pool worker (${POOL_WORKER[0]}) must be the last thread`);
  const F = forceDmaUnencrypted(p, d);
  const R = d.pool !== 'none';
  const uses = (c: string) => programs.some((prog) => prog.includes(c as never));
  const { allocates, maps, mapsShared, probed, withoutPool, atomicPool } = planOf(r);
  // Classic: rmem_swiotlb_device_init() and atomic_pool_expand() call set_memory_decrypted() unconditionally;
  // it is a stub on platforms without memory encryption. v7.3: both pools are cc_shared, and decrypted,
  // exactly when cc_platform_has(CC_ATTR_MEM_ENCRYPT).
  const shared = r.version.env === 'classic' || p.ccMemEncrypt;
  const poolEnc = p.memEncryptActive && shared ? Enc.DEC : Enc.ENC;
  const pages: PageInfo[] = [];
  const add = (name: string, home: Home, pool = -1, extra: Partial<PageInfo> = {}) =>
    pages.push({ name, home, pool, highmem: false, initialEnc: Enc.ENC, initialVmap: Attr.NONE, ...extra });
  if (allocates && withoutPool) for (let i = 0; i < T; i++) add(`page${i}`, Home.BUDDY);
  if (allocates && withoutPool && p.kconfig.HIGHMEM) add('cma0', Home.CMA_HIGHMEM, -1, { highmem: true });
  if (atomicPool) {
    for (let i = 0; i < T; i++)
      // ABSTRACTION: the DMA, DMA32 and kernel atomic pools are one pool.
      // Under DMA_DIRECT_REMAP the pool maps its chunks with pgprot_decrypted(pgprot_dmacoherent(PAGE_KERNEL)).
      add(`chunk${i}`, Home.ATOMIC_POOL, -1, { initialEnc: poolEnc, initialVmap: p.kconfig.DMA_DIRECT_REMAP ? (poolEnc === Enc.DEC ? Attr.DEC : Attr.ENC) : Attr.NONE });
    // The page atomic_pool_expand() takes from the page allocator: the worker's alone until gen_pool_add_virt() makes it a chunk.
    if (poolWorker >= 0) add('grow0', Home.ATOMIC_POOL, -1, { initialLoc: Loc.IN_BUDDY, setUpEnc: poolEnc, poolGrowth: true });
  }
  const devicePool: number[] = [];
  // With the probe in the programs the region starts as reserved memory, encrypted, and the probe sets it up.
  const slot = probed ? { initialEnc: Enc.ENC, setUpEnc: poolEnc } : { initialEnc: poolEnc };
  if (R && (allocates || maps || mapsShared)) {
    if (d.pool === 'shared') {
      for (let i = 0; i < T; i++) add(`slot${i}`, Home.RESTRICTED_POOL, 0, slot);
      for (let t = 0; t < T; t++) devicePool.push(0);
    } else {
      // ABSTRACTION: a thread holds one buffer at a time, so a pool of its own needs one slot.
      for (let t = 0; t < T; t++) {
        add(`pool${t}.slot0`, Home.RESTRICTED_POOL, t, slot);
        devicePool.push(t);
      }
    }
  } else for (let t = 0; t < T; t++) devicePool.push(-1);
  if (poolWorker >= 0) devicePool.push(-1);
  if (maps && withoutPool && F && p.bounceWhenForced)
    for (let i = 0; i < T; i++) add(`swiotlb${i}`, Home.SWIOTLB, -1, { initialEnc: poolEnc });
  // Per-device coherent memory: memremap()ed by coherent.c, never passed to set_memory_*(), so private (ENC) wherever
  // memory encryption is active. ABSTRACTION: the run's devices share one shared-dma-pool region (rmem_dma_device_init()
  // hands every device of the reserved-memory node the same dma_coherent_mem) of one page per thread (a thread holds one
  // buffer at a time); the memremap() kernel alias is not tracked (its prot is the arch's ioremap policy, not dma-direct's).
  if (d.devmem && uses('dma_alloc_attrs'))
    for (let i = 0; i < T; i++) add(`devmem${i}`, Home.DEV_COHERENT);
  // The buffer a caller shared itself: the dma-buf system_cc_shared heap allocated it and called set_memory_decrypted()
  // on it before the run. ABSTRACTION: the run's devices map one buffer (one dma-buf attached to each of them); the
  // heap's own allocation, decryption (and its failure) and release are not modelled, and the heap holds the buffer
  // throughout, so an unmap leaves the DMA address recorded on it (no property judges the buffer after its mapping).
  const sharedBuffer = mapsShared ? pages.length : -1;
  if (mapsShared)
    add('heap0', Home.DMA_BUF_HEAP, -1, { initialEnc: p.memEncryptActive ? Enc.DEC : Enc.ENC, initialLoc: Loc.USED, initialHolder: HOLDER_OUTSIDE });
  return {
    layout: worldLayout(programs.length, pages), devicePool, F, R, poolWorker, sharedBuffer,
    atomicPoolShared: p.ccMemEncrypt, restrictedPoolShared: p.ccMemEncrypt, swiotlbShared: p.ccMemEncrypt,
  };
}
