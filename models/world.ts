/**
 * The world a run acts on: a small fixed set of pages and one record per
 * thread, packed into bytes (facts appendix A).
 *
 * Page (2 bytes):
 *   byte 0: loc (2 bits) | enc (2 bits) | holder thread (2 bits)
 *   byte 1: vmap alias attr (2 bits) | user mmap attr (2 bits) | DMA address attr (2 bits)
 *           | restricted pool set up (1 bit: rmem->priv holds the region's io_tlb_mem)
 * Thread (4 bytes):
 *   byte 0: program counter (4 bits) | handle kind (4 bits)
 *   byte 1: machine state (6 bits: 0 = between calls, else state index + 1) | pool detached (1 bit) | mask changed (1 bit)
 *   byte 2: machine locals (bits, LOCAL_KEYS order)
 *   byte 3: current page + 1 (4 bits) | handle page + 1 (4 bits)
 *
 * The linear-map alias of a page is not stored: set_memory_*() keeps its
 * attribute equal to the page's encryption state by construction.
 */
import { Attr, Enc, Home, Loc } from './vocabulary.ts';

export const PAGE_BYTES = 2;
export const THREAD_BYTES = 4;
export const MAX_PAGES = 15;
export const MAX_THREADS = 3;
/** a machine state index must fit the thread record's 6 bits (0 is "between calls") */
export const MAX_MACHINE_STATES = 62;
/** the holder of a page held outside the run's threads (the holder field's value no thread has: MAX_THREADS) */
export const HOLDER_OUTSIDE = MAX_THREADS;

export interface PageInfo {
  /** printable name, e.g. `buddy0`, `slot1`, `chunk0` */
  readonly name: string;
  readonly home: Home;
  /** for restricted-pool slots: the pool index; for other pages: -1 */
  readonly pool: number;
  readonly highmem: boolean;
  /** encryption state when the run starts */
  readonly initialEnc: Enc;
  /**
   * the encryption state its allocator or pool sets it up in, when that
   * differs from `initialEnc` (a restricted-pool slot before the probe
   * decrypts its region, the atomic pool's growth page before the worker adds it)
   */
  readonly setUpEnc?: Enc;
  /** where the page is when the run starts (default free at home) */
  readonly initialLoc?: Loc;
  /**
   * with `initialLoc` USED: the holder, when it is no thread of the run
   * (HOLDER_OUTSIDE: the dma-buf heap's buffer, which the run's threads map
   * but never allocate or free)
   */
  readonly initialHolder?: number;
  /** the page the atomic pool's worker takes from the page allocator to expand the pool (home: the atomic pool) */
  readonly poolGrowth?: boolean;
  /** attribute of the pool's own vmap alias (atomic pool on DMA_DIRECT_REMAP), or NONE */
  readonly initialVmap: Attr;
}

export interface WorldLayout {
  readonly threads: number;
  readonly pages: readonly PageInfo[];
  readonly bytes: number;
}

export function worldLayout(threads: number, pages: readonly PageInfo[]): WorldLayout {
  if (threads > MAX_THREADS) throw new Error(`at most ${MAX_THREADS} threads`);
  if (pages.length > MAX_PAGES) throw new Error(`at most ${MAX_PAGES} pages`);
  return { threads, pages, bytes: threads * THREAD_BYTES + pages.length * PAGE_BYTES };
}

/** Accessors over a packed world. Re-point `buf` to read another state without allocating. */
export class WorldView {
  buf: Uint8Array;
  private readonly pageBase: number;

  constructor(readonly layout: WorldLayout, buf?: Uint8Array) {
    this.buf = buf ?? new Uint8Array(layout.bytes);
    this.pageBase = layout.threads * THREAD_BYTES;
  }

  // ---- pages
  private pb(p: number): number { return this.pageBase + p * PAGE_BYTES; }
  loc(p: number): Loc { return (this.buf[this.pb(p)]! & 3) as Loc; }
  enc(p: number): Enc { return ((this.buf[this.pb(p)]! >> 2) & 3) as Enc; }
  holder(p: number): number { return (this.buf[this.pb(p)]! >> 4) & 3; }
  vmap(p: number): Attr { return (this.buf[this.pb(p) + 1]! & 3) as Attr; }
  user(p: number): Attr { return ((this.buf[this.pb(p) + 1]! >> 2) & 3) as Attr; }
  dma(p: number): Attr { return ((this.buf[this.pb(p) + 1]! >> 4) & 3) as Attr; }
  /** restricted-pool pages: the region's io_tlb_mem is set up and published in rmem->priv */
  poolSetUp(p: number): boolean { return (this.buf[this.pb(p) + 1]! & 0x40) !== 0; }
  setPoolSetUp(p: number, v: boolean): void { const i = this.pb(p) + 1; this.buf[i] = (this.buf[i]! & ~0x40) | (v ? 0x40 : 0); }
  setLoc(p: number, v: Loc, holder = 0): void {
    const i = this.pb(p);
    this.buf[i] = (this.buf[i]! & 0b1100) | v | (holder << 4);
  }
  setEnc(p: number, v: Enc): void { const i = this.pb(p); this.buf[i] = (this.buf[i]! & ~0b1100) | (v << 2); }
  setVmap(p: number, v: Attr): void { const i = this.pb(p) + 1; this.buf[i] = (this.buf[i]! & ~3) | v; }
  setUser(p: number, v: Attr): void { const i = this.pb(p) + 1; this.buf[i] = (this.buf[i]! & ~0b1100) | (v << 2); }
  setDma(p: number, v: Attr): void { const i = this.pb(p) + 1; this.buf[i] = (this.buf[i]! & ~0b110000) | (v << 4); }

  // ---- threads
  private tb(t: number): number { return t * THREAD_BYTES; }
  pc(t: number): number { return this.buf[this.tb(t)]! & 15; }
  handleKind(t: number): number { return this.buf[this.tb(t)]! >> 4; }
  mstate(t: number): number { return this.buf[this.tb(t) + 1]! & 0x3f; }
  /** the device's restricted-pool set-up failed (rmem_swiotlb_device_init() returned an error): it has no restricted pool */
  poolDetached(t: number): boolean { return (this.buf[this.tb(t) + 1]! & 0x40) !== 0; }
  setPoolDetached(t: number, v: boolean): void { const i = this.tb(t) + 1; this.buf[i] = (this.buf[i]! & ~0x40) | (v ? 0x40 : 0); }
  /** the driver changed its device's coherent DMA mask (dma_set_coherent_mask) to the other side of the `mask` knob */
  maskChanged(t: number): boolean { return (this.buf[this.tb(t) + 1]! & 0x80) !== 0; }
  setMaskChanged(t: number, v: boolean): void { const i = this.tb(t) + 1; this.buf[i] = (this.buf[i]! & 0x7f) | (v ? 0x80 : 0); }
  locals(t: number): number { return this.buf[this.tb(t) + 2]!; }
  /** page the running call works on, or -1 */
  cur(t: number): number { return (this.buf[this.tb(t) + 3]! & 15) - 1; }
  /** page the caller's handle refers to, or -1 */
  handlePage(t: number): number { return (this.buf[this.tb(t) + 3]! >> 4) - 1; }
  setPc(t: number, v: number): void { const i = this.tb(t); this.buf[i] = (this.buf[i]! & 0xf0) | v; }
  setHandle(t: number, kind: number, page: number): void {
    const i = this.tb(t);
    this.buf[i] = (this.buf[i]! & 15) | (kind << 4);
    this.buf[i + 3] = (this.buf[i + 3]! & 15) | ((page + 1) << 4);
  }
  setMachine(t: number, mstate: number, locals: number): void {
    const i = this.tb(t);
    this.buf[i + 1] = (this.buf[i + 1]! & 0xc0) | mstate;
    this.buf[i + 2] = locals;
  }
  setCur(t: number, p: number): void { const i = this.tb(t) + 3; this.buf[i] = (this.buf[i]! & 0xf0) | (p + 1); }

  /** Write the initial world: every page free at home, threads between calls. */
  writeInitial(): void {
    this.buf.fill(0);
    this.layout.pages.forEach((pg, p) => {
      this.setLoc(p, pg.initialLoc ?? Loc.FREE, pg.initialHolder ?? 0);
      this.setEnc(p, pg.initialEnc);
      this.setVmap(p, pg.initialVmap);
    });
  }
}

export { Attr, Enc, Home, Loc };
