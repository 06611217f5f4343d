/**
 * Observable behaviour of a dma-direct run: which observations of a step
 * (models/observation.ts) the platform or the device can see, as canonical
 * label strings. Patch equivalence compares the sequences of these labels.
 *
 * A definition is a named, versioned choice: reports name the definition
 * they used, and a new definition gets a new id rather than changing an
 * old one. Labels never name machine states or kernel positions (those are
 * how a version is built, not what it does); they name the thread, the
 * page, the environment function and the attribute.
 *
 * `calls-v1` (the default) sees every call dma-direct makes into the
 * environment and every value it hands out:
 * - `T0 call dma_direct_alloc`: the API call starts;
 * - `T0 set_memory_decrypted(page0) ok|FAILS` (and `set_memory_encrypted`);
 * - `T0 take page0 from buddy`, `T0 give back page0 to restricted-pool`:
 *   allocator and pool operations, with the allocator or pool;
 * - `T0 leak page0`: dma-direct drops its last reference to a page that is
 *   not given back (the platform sees memory that never returns);
 * - `T0 vmap page0 decrypted`, `T0 vunmap page0`, `T0 user map page0 encrypted`:
 *   aliases with their prot attribute;
 * - `T0 dma addr page0 unencrypted`: a DMA address with its encoding;
 * - `T0 return vmap cpu addr page0`, `T0 return NULL`: the API result;
 * - `T0 alloc_pages_node fails`: a call that failed without a page;
 * - `T0 bogus pointer to set_memory_encrypted`: a call on a pointer that
 *   is not the allocation.
 * Internal, not labelled: "may sleep" markers (a property's concern, not a
 * call) and the driver's own quiesce before a free (the same in every
 * version). A step with no labelled observation is an internal step.
 *
 * `calls-visible-v1` is `calls-v1` as the platform can tell it: attributes
 * the platform makes identical are dropped (the prot of an alias when
 * pgprot_decrypted() is the identity, the encoding of a DMA address when
 * phys_to_dma_unencrypted() equals phys_to_dma()), and set_memory_*()
 * calls that are stubs (no memory encryption) are internal. A difference
 * under `calls-v1` that disappears under `calls-visible-v1` is latent.
 */
import type { Observation } from '../../models/observation.ts';
import { ObsKind } from '../../models/observation.ts';
import type { Platform } from '../../models/platforms.ts';
import { Attr, HOME_NAMES } from '../../models/vocabulary.ts';

export interface LabelContext {
  readonly platform: Platform;
  pageName(page: number): string;
}

export interface ObservableDefinition {
  /** stable id, used in reports and on the command line */
  readonly id: string;
  readonly version: number;
  readonly description: string;
  /**
   * The definition that keeps only what the platform can tell apart; a
   * difference that disappears under it is latent. Absent when this
   * definition already is one (its differences are all effective).
   */
  readonly visibleVariant?: string;
  /** The label of one observation of a step, or undefined if it is internal. */
  label(o: Observation, ctx: LabelContext): string | undefined;
  /** The label of the step that starts an API call (it has no observation of its own), or undefined. */
  call(thread: number, entryPoint: string): string | undefined;
}

const PROT = ['none', 'encrypted', 'decrypted'] as const;
const PLAIN_RESULTS: ReadonlySet<string> = new Set(['0', 'void', 'NULL']);
const ENCODING = ['none', 'encrypted', 'unencrypted'] as const;

/** What each attribute looks like to the observer. */
interface AttrView {
  prot(a: Attr, p: Platform): string;
  encoding(a: Attr, p: Platform): string;
  setMemoryVisible(p: Platform): boolean;
}

function callsLabel(view: AttrView) {
  return (o: Observation, ctx: LabelContext): string | undefined => {
    const t = `T${o.thread}`;
    const pg = o.page >= 0 ? ctx.pageName(o.page) : '(no page)';
    const p = ctx.platform;
    switch (o.kind) {
      case ObsKind.SET_DECRYPTED:
      case ObsKind.SET_ENCRYPTED:
        if (!view.setMemoryVisible(p)) return undefined;
        return `${t} ${o.kind === ObsKind.SET_DECRYPTED ? 'set_memory_decrypted' : 'set_memory_encrypted'}(${pg}) ${o.ok ? 'ok' : 'FAILS'}`;
      case ObsKind.TAKE: return `${t} take ${pg} from ${HOME_NAMES[o.dest]}`;
      case ObsKind.GIVE_BACK: return `${t} give back ${pg} to ${HOME_NAMES[o.dest]}`;
      case ObsKind.LEAK: return `${t} leak ${pg}`;
      case ObsKind.VMAP: return o.attr === Attr.NONE ? `${t} vunmap ${pg}` : `${t} vmap ${pg}${view.prot(o.attr, p)}`;
      case ObsKind.USER_MAP: return `${t} user map ${pg}${view.prot(o.attr, p)}`;
      case ObsKind.DMA_ADDR: return `${t} dma addr ${pg}${view.encoding(o.attr, p)}`;
      // A returned handle names its page; `0` (mmap), `void` and `NULL` do not.
      case ObsKind.RETURN: return `${t} return ${o.result}${o.page >= 0 && !PLAIN_RESULTS.has(o.result) ? ` ${pg}` : ''}`;
      case ObsKind.FAILED_CALL: return `${t} ${o.fn} fails`;
      case ObsKind.BOGUS_POINTER: return `${t} bogus pointer to ${o.fn}`;
      case ObsKind.MAY_SLEEP:
      case ObsKind.QUIESCE:
        return undefined;
    }
    return undefined;
  };
}

const callLabel = (thread: number, entryPoint: string): string => `T${thread} call ${entryPoint}`;

/** Every call into the environment and every value handed out, with all attributes. */
export const OBSERVABLE_V1: ObservableDefinition = {
  id: 'calls-v1',
  version: 1,
  description: 'every call dma-direct makes into the environment (set_memory_*, allocators and pools, aliases with their prot, DMA addresses with their encoding) and every API call and return value',
  visibleVariant: 'calls-visible-v1',
  label: callsLabel({
    prot: (a) => ` ${PROT[a]}`,
    encoding: (a) => ` ${ENCODING[a]}`,
    setMemoryVisible: () => true,
  }),
  call: callLabel,
};

/** calls-v1 without what the platform makes invisible: its differences are the effective ones. */
export const OBSERVABLE_VISIBLE_V1: ObservableDefinition = {
  id: 'calls-visible-v1',
  version: 1,
  description: 'calls-v1 as the platform can tell it: no prot attribute where pgprot_decrypted() is the identity, no DMA encoding where the encodings are equal, no set_memory_*() where they are stubs',
  label: callsLabel({
    prot: (a, p) => (p.pgprotDecryptedDiffers && p.memEncryptActive ? ` ${PROT[a]}` : ''),
    encoding: (a, p) => (p.encodingsDiffer && p.memEncryptActive ? ` ${ENCODING[a]}` : ''),
    setMemoryVisible: (p) => p.memEncryptActive,
  }),
  call: callLabel,
};

export const OBSERVABLES: readonly ObservableDefinition[] = [OBSERVABLE_V1, OBSERVABLE_VISIBLE_V1];
export const OBSERVABLE_IDS: readonly string[] = OBSERVABLES.map((d) => d.id);
export const DEFAULT_OBSERVABLE = OBSERVABLE_V1.id;

export function observableById(id: string): ObservableDefinition | undefined {
  return OBSERVABLES.find((d) => d.id === id);
}

/**
 * The labels of a step under `def`, in order (empty: an internal step):
 * the call label when the step starts entry point `callOf` (else
 * undefined), then the labels of its observations.
 */
export function stepLabels(
  def: ObservableDefinition, callOf: { thread: number; entryPoint: string } | undefined,
  obs: readonly Observation[], n: number, ctx: LabelContext, out: string[] = [],
): string[] {
  out.length = 0;
  if (callOf) {
    const l = def.call(callOf.thread, callOf.entryPoint);
    if (l !== undefined) out.push(l);
  }
  for (let i = 0; i < n; i++) {
    const l = def.label(obs[i]!, ctx);
    if (l !== undefined) out.push(l);
  }
  return out;
}
