/**
 * What a kernel version id stands for, as results.json records it: two
 * nights that both say `v2-p1` compare only if `v2-p1` meant the same
 * code on both. Hand-written versions name the patches they model (their
 * description in models/versions.ts) and the upstream source those
 * patches apply to. A version extracted from a kernel tree will add its
 * own kind (`{ kind: 'tree', path, ... }`) beside this one.
 */
import { versionById } from '../../models/versions.ts';

/**
 * The upstream direct.c every hand-written version starts from (facts S1):
 * baseline models it, the v2 patches and the design in jgg-flags apply to it.
 */
export const HAND_WRITTEN_BASE = 'kernel/dma/direct.c at gregkh/linux 2c142b63c8ee982cdfdba49a616027c266294838';

export interface HandWrittenSource {
  readonly kind: 'hand-written';
  /** the patches or design it models (models/versions.ts) */
  readonly description: string;
  /** the source commit those patches apply to */
  readonly basedOn: string;
}

export type VersionSource = HandWrittenSource;

/** The source record of a version id this build has (undefined for an unknown id). */
export function versionSource(id: string): VersionSource | undefined {
  const v = versionById(id);
  return v ? { kind: 'hand-written', description: v.description, basedOn: HAND_WRITTEN_BASE } : undefined;
}
