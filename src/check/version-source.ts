/**
 * What a kernel version id stands for, as results.json records it: two
 * nights that both say `v2-p1` compare only if `v2-p1` meant the same
 * code on both. Hand-written versions name the patches or design they
 * model (their description in models/versions.ts) and the upstream source
 * those apply to. A version extracted from a kernel tree (--tree) names the
 * tree and the sha256 of the files read, so two nights that read different
 * code under one name do not compare as the same version.
 */
import { versionById } from '../../models/versions.ts';
import { treeDataFor, type TreeFile } from '../extract/tree-registry.ts';

/** The upstream direct.c that baseline models and the v2 series and Jason Gunthorpe's design apply to (facts S1). */
const V2_BASE = 'kernel/dma/direct.c at gregkh/linux 2c142b63c8ee982cdfdba49a616027c266294838';

const BASED_ON: Readonly<Record<string, string>> = {
  baseline: V2_BASE,
  'v2-p1': V2_BASE,
  'v2-p2': V2_BASE,
  'v2-p3': V2_BASE,
  'v2-p4': V2_BASE,
  'v2-p3-without-p1': V2_BASE,
  'jgg-flags': V2_BASE,
};

export interface HandWrittenSource {
  readonly kind: 'hand-written';
  /** the patches or design it models (models/versions.ts) */
  readonly description: string;
  /** the source commit those apply to; absent when neither this table nor the description names one */
  readonly basedOn?: string;
}

export interface TreeSource {
  readonly kind: 'tree';
  /** the tree, absolute */
  readonly path: string;
  /** sha256 over the files read (each as its path, a NUL, its contents, a NUL) */
  readonly sha256: string;
  readonly files: readonly TreeFile[];
  /** environment generation, and how it was chosen (`detected: ...`, `--env VERSION`) */
  readonly env: string;
  readonly envFrom: string;
  /** dma_direct_* entry points the tree does not define, run as the hand-written machines of `completedFrom` (an ABSTRACTION) */
  readonly completed: readonly string[];
  readonly completedFrom: string;
}

export type VersionSource = HandWrittenSource | TreeSource;

/** The source record of a version id this build has (undefined for an unknown id). */
export function versionSource(id: string): VersionSource | undefined {
  const [tree] = treeDataFor([id]);
  if (tree) {
    const { path, sha256, files, env, envFrom, completed, completedFrom } = tree;
    return { kind: 'tree', path, sha256, files, env, envFrom, completed, completedFrom };
  }
  const v = versionById(id);
  if (!v) return undefined;
  // a version written from a later tree names it in its description: "..., direct.c at 63e62b63"
  const named = /\b(kernel\/dma\/)?direct\.c at ([0-9a-f]{7,40})\b/.exec(v.description);
  const basedOn = BASED_ON[id] ?? (named ? `kernel/dma/direct.c at ${named[2]}` : undefined);
  return { kind: 'hand-written', description: v.description, ...(basedOn ? { basedOn } : {}) };
}
