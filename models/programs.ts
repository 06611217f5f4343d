/**
 * Programs: what a correct driver does on one device, as a sequence of
 * entry-point calls. A program is built from sessions (alloc -> free,
 * alloc -> mmap -> free, alloc_pages -> free_pages, map -> unmap) and cut
 * at the bound; a driver frees only what it allocated, and skips the rest
 * of a session when the allocation or mapping failed.
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

/** Calls that start a session (they create the buffer the next calls use). */
export const SESSION_STARTS: ReadonlySet<EntryPoint> = new Set(['dma_direct_alloc', 'dma_direct_alloc_pages', 'dma_direct_map_phys']);

/**
 * Every program of at most `calls` calls that uses only `allowed` entry
 * points (and the mask sessions when `maskChanges`), keeping only maximal ones: a program that is a prefix of another
 * explores a subset of its behaviour. Sorted, deterministic.
 */
export function enumeratePrograms(calls: number, allowed: ReadonlySet<EntryPoint>, maskChanges = false): Program[] {
  const sessions = [...SESSIONS, ...(maskChanges && allowed.has('dma_set_coherent_mask') ? MASK_SESSIONS : [])]
    .map((s) => s.filter((c) => allowed.has(c))).filter((s) => s.length > 0 && SESSION_STARTS.has(s[0]!));
  const found = new Map<string, Program>();
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
  const all = [...found.values()];
  const maximal = all.filter((p) => !all.some((q) => q.length > p.length && p.every((c, i) => q[i] === c)));
  return maximal.sort((a, b) => a.join(' ').localeCompare(b.join(' ')));
}

/** Multisets of `threads` programs (threads with identical devices are interchangeable). */
export function programTuples(programs: readonly Program[], threads: number): Program[][] {
  const out: Program[][] = [];
  const rec = (start: number, acc: Program[]) => {
    if (acc.length === threads) {
      out.push(acc.slice());
      return;
    }
    for (let i = start; i < programs.length; i++) {
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
