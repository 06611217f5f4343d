/**
 * Programs: what a correct driver does on one device, as a sequence of
 * entry-point calls. A program is built from sessions (alloc -> free,
 * alloc -> mmap -> free, alloc_pages -> free_pages, map -> unmap) and cut
 * at the bound; a driver frees only what it allocated, and skips the rest
 * of a session when the allocation or mapping failed.
 *
 * Programs come in two layers: calls into dma-direct as dma-direct sees
 * them (the dma_direct_* entry points), and the mapping.c front end a driver
 * calls (dma_alloc_attrs and the others, each containing its dma_direct_*
 * call). A program stays in one layer, and the threads of a run use one
 * layer: the front end adds no interleaving of its own between threads (it
 * only decides which memory to use), so mixing layers would repeat the
 * dma-direct interleavings at several times the cost.
 *
 * ABSTRACTION: a thread holds at most one buffer at a time (sessions do not
 * nest); two live buffers come from two threads.
 */
import type { EntryPoint } from './versions.ts';

export type Program = readonly EntryPoint[];

export const SESSIONS: readonly Program[] = [
  ['dma_direct_alloc', 'dma_direct_free'],
  ['dma_direct_alloc', 'dma_direct_mmap', 'dma_direct_free'],
  ['dma_direct_alloc_pages', 'dma_direct_free_pages'],
  ['dma_direct_map_phys', 'dma_direct_unmap_phys'],
];

/** Sessions of the mapping.c front end (kernel/dma/mapping.c), as drivers write them. */
export const FRONT_END_SESSIONS: readonly Program[] = [
  ['dma_alloc_attrs', 'dma_free_attrs'],
  ['dma_alloc_attrs', 'dma_mmap_attrs', 'dma_free_attrs'],
  ['dma_alloc_pages', 'dma_free_pages'],
  ['dma_alloc_pages', 'dma_mmap_pages', 'dma_free_pages'],
];

/**
 * Sessions of a caller that maps a buffer it already shared (a dma-buf
 * system_cc_shared heap buffer, DMA_ATTR_CC_SHARED): part of the front
 * end's program set where such a heap exists, on platforms where
 * cc_platform_has(CC_ATTR_MEM_ENCRYPT) as the version sees them.
 */
export const SHARED_BUFFER_SESSIONS: readonly Program[] = [
  ['dma_map_phys_cc_shared', 'dma_unmap_phys_cc_shared'],
];

/**
 * Sessions where the driver moves its device's coherent DMA mask between
 * the allocation and the free (dma_set_coherent_mask()): part of the
 * program set on platforms where force_dma_unencrypted() depends on the
 * mask (the SME host), where they change what the free computes.
 */
export const MASK_SESSIONS: readonly Program[] = [
  ['dma_direct_alloc', 'dma_set_coherent_mask', 'dma_direct_free'],
  ['dma_direct_alloc_pages', 'dma_set_coherent_mask', 'dma_direct_free_pages'],
];

/**
 * The probe of a device with a restricted-dma-pool: rmem_swiotlb_device_init()
 * attaches the device to its region (setting the region up if it is the
 * first) before the driver makes its first call. Put in front of every
 * program of such a device when the entry point is selected.
 */
export const PROBE: EntryPoint = 'rmem_swiotlb_device_init';

/**
 * The atomic pool's worker (atomic_pool_work_fn()) as a thread of its own
 * that expands the pool once: added to a run whose world has an atomic pool
 * when the entry point is selected and a thread record is left.
 */
export const POOL_WORKER: Program = ['atomic_pool_expand'];

/** The environment's own steps (the pools' set-up), as entry points. */
export const ENVIRONMENT_STEPS: readonly EntryPoint[] = [PROBE, POOL_WORKER[0]!];

/** Calls that start a session (they create the buffer the next calls use, or need none). */
export const SESSION_STARTS: ReadonlySet<EntryPoint> = new Set([
  'dma_direct_alloc', 'dma_direct_alloc_pages', 'dma_direct_map_phys', 'dma_alloc_attrs', 'dma_alloc_pages', PROBE, POOL_WORKER[0]!,
  'dma_map_phys_cc_shared',
]);

/** Whether a program is the atomic pool's worker. */
export function isPoolWorker(p: Program): boolean {
  return p.length === 1 && p[0] === POOL_WORKER[0];
}

/** Whether a program calls the mapping.c front end (else it calls dma-direct directly). */
export function usesFrontEnd(p: Program): boolean {
  const first = p.find((c) => c !== PROBE);
  return first !== undefined && [...FRONT_END_SESSIONS, ...SHARED_BUFFER_SESSIONS].some((s) => s.includes(first));
}

/** Whether a program can reach per-device coherent memory (only dma_alloc_attrs() allocates from it). */
export function reachesDevCoherent(p: Program): boolean {
  return p.includes('dma_alloc_attrs');
}

/**
 * Every program of at most `calls` calls that uses only `allowed` entry
 * points (and the mask sessions when `maskChanges`, the shared-buffer sessions in the front end's layer when
 * `sharedBuffers`), keeping only maximal ones: a program that is a prefix of another
 * explores a subset of its behaviour. Sorted (dma-direct's programs, then the front end's), deterministic.
 */
export function enumeratePrograms(calls: number, allowed: ReadonlySet<EntryPoint>, maskChanges = false, sharedBuffers = false): Program[] {
  const usable = (list: readonly Program[]) =>
    list.map((s) => s.filter((c) => allowed.has(c))).filter((s) => s.length > 0 && SESSION_STARTS.has(s[0]!));
  const found = new Map<string, Program>();
  const layers = [
    usable([...SESSIONS, ...(maskChanges && allowed.has('dma_set_coherent_mask') ? MASK_SESSIONS : [])]),
    usable([...FRONT_END_SESSIONS, ...(sharedBuffers ? SHARED_BUFFER_SESSIONS : [])]),
  ];
  for (const sessions of layers) growPrograms(calls, sessions, found);
  const all = [...found.values()];
  const maximal = all.filter((p) => !all.some((q) => q.length > p.length && p.every((c, i) => q[i] === c)));
  // dma-direct's own programs first, so that runs (and the shortest counterexample among equally short ones) keep the
  // order they had before the front end was added
  return sortPrograms(maximal);
}

/** Programs in their listing order: dma-direct's, then the front end's, each by name. */
export function sortPrograms(programs: Program[]): Program[] {
  return programs.sort((a, b) => Number(usesFrontEnd(a)) - Number(usesFrontEnd(b)) || a.join(' ').localeCompare(b.join(' ')));
}

/** Every program of at most `calls` calls built from `sessions`, into `found`. */
function growPrograms(calls: number, sessions: readonly Program[], found: Map<string, Program>): void {
  const grow = (prefix: EntryPoint[]) => {
    if (prefix.length >= calls) {
      const p = prefix.slice(0, calls);
      found.set(p.join(' '), p);
      return;
    }
    let extended = false;
    for (const s of sessions) {
      extended = true;
      grow([...prefix, ...s]);
    }
    if (!extended && prefix.length > 0) found.set(prefix.join(' '), prefix);
  };
  grow([]);
}

/** Multisets of `threads` programs of one layer (threads with identical devices are interchangeable). */
export function programTuples(programs: readonly Program[], threads: number): Program[][] {
  const out: Program[][] = [];
  const rec = (start: number, acc: Program[]) => {
    if (acc.length === threads) {
      out.push(acc.slice());
      return;
    }
    for (let i = start; i < programs.length; i++) {
      if (acc.length > 0 && usesFrontEnd(programs[i]!) !== usesFrontEnd(acc[0]!)) continue;
      acc.push(programs[i]!);
      rec(i, acc);
      acc.pop();
    }
  };
  rec(0, []);
  return out;
}

/** Short text form: `alloc,mmap,free`. */
export function programKey(p: Program): string {
  return p.map((c) => c.replace(/^dma_direct_/, '')).join(',');
}
