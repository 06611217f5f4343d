/**
 * The matrix of runs a selection covers, in one deterministic order:
 * version x platform x device configuration x program tuple. A run is plain
 * data (`RunTask`) so it can cross to a worker and into a report.
 */
import { deviceConfigs, deviceKey, deviceMatches, type DeviceConfig } from '../../models/devices.ts';
import { platformAt, platformById } from '../../models/platforms.ts';
import { enumeratePrograms, POOL_WORKER, PROBE, programTuples, reachesDevCoherent, sortPrograms, type Program } from '../../models/programs.ts';
import { hasAtomicPool, type RunSpec } from '../../models/run.ts';
import { versionById } from '../../models/versions.ts';
import { MAX_THREADS } from '../../models/world.ts';
import type { Selection } from './selection.ts';

export interface RunTask {
  /** position in the matrix */
  readonly index: number;
  readonly version: string;
  readonly platform: string;
  readonly device: DeviceConfig;
  readonly programs: readonly Program[];
}

export interface Matrix {
  readonly tasks: readonly RunTask[];
  /** (platform, device) combinations that cannot happen, with the reason */
  readonly excluded: readonly { platform: string; device: string; reason: string }[];
  readonly programs: readonly Program[];
}

export function buildMatrix(sel: Selection): Matrix {
  const allowed = new Set(sel.entryPoints);
  // where force_dma_unencrypted() depends on the DMA mask, drivers that change it are part of the program set; where
  // the version sees cc_platform_has(CC_ATTR_MEM_ENCRYPT), so are callers of a shared (dma-buf heap) buffer
  const sets = new Map<string, { programs: Program[]; tuples: Program[][] }>();
  const programSet = (mask: boolean, shared: boolean) => {
    const key = `${mask}/${shared}`;
    let s = sets.get(key);
    if (!s) {
      const programs = enumeratePrograms(sel.calls, allowed, mask, shared);
      sets.set(key, (s = { programs, tuples: programTuples(programs, sel.threads) }));
    }
    return s;
  };
  const listed = new Map<string, Program>();
  const tasks: RunTask[] = [];
  const excluded: { platform: string; device: string; reason: string }[] = [];
  for (const v of sel.versions) {
    for (const pid of sel.platforms) {
      const p = platformById(pid)!;
      const set = programSet(p.forceDmaUnencrypted === 'mask-below-c-bit', sharedBufferHeap(v, pid));
      for (const prog of set.programs) listed.set(prog.join(' '), prog);
      const platformTuples = set.tuples;
      // per-device coherent memory is reached only through dma_alloc_attrs(): a devmem=1 device runs only the tuples
      // whose every program calls it (with the others it behaves as devmem=0)
      const devmemTuples = platformTuples.filter((progs) => progs.every(reachesDevCoherent));
      const { configs, excluded: ex } = deviceConfigs(p, sel.threads);
      if (v === sel.versions[0]) {
        for (const e of ex) if (deviceMatchesKey(e.device, sel.device)) excluded.push({ platform: pid, ...e });
        if (devmemTuples.length === 0)
          for (const d of configs) if (d.devmem && deviceMatches(d, sel.device)) excluded.push({ platform: pid, device: deviceKey(d), reason: DEVMEM_UNREACHED });
      }
      for (const d of configs) {
        if (!deviceMatches(d, sel.device)) continue;
        for (const progs of d.devmem ? devmemTuples : platformTuples)
          tasks.push({ index: tasks.length, version: v, platform: pid, device: d, programs: withEnvironment(v, pid, d, progs, allowed) });
      }
    }
  }
  return { tasks, excluded, programs: listed.size ? sortPrograms([...listed.values()]) : programSet(false, false).programs };
}

/**
 * Whether a caller on platform `pid` can hold a buffer it shared itself: the
 * dma-buf system_cc_shared heap exists where cc_platform_has(CC_ATTR_MEM_ENCRYPT)
 * holds as version `v` sees the platform.
 * ABSTRACTION: taken as the heap's condition for registering (its Kconfig and
 * driver are not modelled).
 */
function sharedBufferHeap(v: string, pid: string): boolean {
  const version = versionById(v);
  return version !== undefined && platformAt(platformById(pid)!, version.env).ccMemEncrypt;
}

/**
 * The environment's own steps around the drivers' programs, where their
 * entry points are selected: each device with a restricted-dma-pool is
 * probed first (rmem_swiotlb_device_init), and a run whose world has an
 * atomic pool gets the pool's worker (atomic_pool_expand) as one more
 * thread while a thread record is left (ABSTRACTION: at --threads 3 the
 * worker does not run).
 */
function withEnvironment(v: string, pid: string, d: DeviceConfig, progs: readonly Program[], allowed: ReadonlySet<string>): readonly Program[] {
  const probed = allowed.has(PROBE) && d.pool !== 'none' ? progs.map((p) => [PROBE, ...p]) : progs;
  if (!allowed.has(POOL_WORKER[0]!) || probed.length >= MAX_THREADS) return probed;
  const spec = specOf({ index: 0, version: v, platform: pid, device: d, programs: probed });
  return hasAtomicPool(spec) ? [...probed, POOL_WORKER] : probed;
}

const DEVMEM_UNREACHED = 'devmem=1: no selected program calls dma_alloc_attrs(), the only way into per-device coherent memory';

function deviceMatchesKey(key: string, filter: Selection['device']): boolean {
  return Object.entries(filter).every(([k, v]) => key.split(',').includes(`${k}=${v}`) || (k === 'mask' && !key.includes('mask=')) || (k === 'devmem' && v === '0' && !key.includes('devmem=')));
}

export function specOf(t: RunTask): RunSpec {
  const version = versionById(t.version);
  const platform = platformById(t.platform);
  if (!version) throw new Error(`unknown version ${t.version}`);
  if (!platform) throw new Error(`unknown platform ${t.platform}`);
  return { version, platform: platformAt(platform, version.env), device: t.device, programs: t.programs };
}

export function taskLabel(t: RunTask): string {
  return `${t.version} ${t.platform} ${deviceKey(t.device)} [${t.programs.map((p) => p.map((c) => c.replace(/^dma_direct_/, '')).join(',')).join(' | ')}]`;
}
