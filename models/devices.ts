/**
 * Device configurations: the per-device knobs that steer dma-direct
 * (facts §7), and which combinations cannot happen on a platform.
 *
 * In one run every thread drives its own device, and all devices share one
 * configuration; `pool=shared` means the devices are attached to one
 * restricted-dma-pool (rmem_swiotlb_device_init hands the second device the
 * first one's io_tlb_mem), `pool=own` gives each device a pool of its own.
 */
import type { Platform } from './platforms.ts';

export interface DeviceConfig {
  /** dev_is_dma_coherent(dev) */
  readonly coherent: boolean;
  /** restricted-dma-pool: none, one per device, or one shared by all devices */
  readonly pool: 'none' | 'own' | 'shared';
  /** gfpflags_allow_blocking(gfp) of the allocation calls */
  readonly gfp: 'blocking' | 'atomic';
  /** DMA_ATTR_NO_KERNEL_MAPPING on dma_alloc_attrs */
  readonly nkm: boolean;
  /** SME host only: whether the DMA mask reaches the C-bit */
  readonly mask?: 'below' | 'above';
  /** per-device coherent memory (a shared-dma-pool reserved-memory region or dma_declare_coherent_memory()); absent = 0 */
  readonly devmem?: boolean;
}

export interface DeviceKnob {
  readonly name: 'coherent' | 'pool' | 'gfp' | 'nkm' | 'mask' | 'devmem';
  readonly values: readonly string[];
  readonly description: string;
}

export const DEVICE_KNOBS: readonly DeviceKnob[] = [
  { name: 'coherent', values: ['1', '0'], description: 'dev_is_dma_coherent(dev)' },
  { name: 'pool', values: ['none', 'own', 'shared'], description: 'restricted-dma-pool: none, per device, or shared by the devices of the run' },
  { name: 'gfp', values: ['blocking', 'atomic'], description: 'gfpflags_allow_blocking(gfp) of allocations' },
  { name: 'nkm', values: ['0', '1'], description: 'DMA_ATTR_NO_KERNEL_MAPPING on dma_alloc_attrs' },
  { name: 'mask', values: ['above', 'below'], description: 'sme-host only: DMA mask above or below the SME C-bit (below => force_dma_unencrypted)' },
  { name: 'devmem', values: ['0', '1'], description: 'per-device coherent memory (shared-dma-pool region or dma_declare_coherent_memory), reached through dma_alloc_attrs / dma_free_attrs / dma_mmap_attrs' },
];

/** Stable text form, e.g. `coherent=1,pool=none,gfp=blocking,nkm=0`; `,devmem=1` only when set, so keys without coherent memory stay as they were. */
export function deviceKey(d: DeviceConfig): string {
  const base = `coherent=${d.coherent ? 1 : 0},pool=${d.pool},gfp=${d.gfp},nkm=${d.nkm ? 1 : 0}`;
  return `${d.mask ? `${base},mask=${d.mask}` : base}${d.devmem ? ',devmem=1' : ''}`;
}

/** force_dma_unencrypted(dev) for a device of this configuration on this platform (facts §5.1). */
export function forceDmaUnencrypted(p: Platform, d: DeviceConfig): boolean {
  if (p.forceDmaUnencrypted === 'all') return true;
  if (p.forceDmaUnencrypted === 'none') return false;
  return d.mask === 'below';
}

/** Why a configuration cannot happen on a platform, or undefined if it can. */
export function exclusionReason(p: Platform, d: DeviceConfig, threads: number): string | undefined {
  if (!d.coherent && !p.nonCoherentDevices)
    return `${p.id}: DMA is cache-coherent on this architecture (no DMA_DIRECT_REMAP, no set_uncached)`;
  if (d.pool !== 'none' && !p.kconfig.DMA_RESTRICTED_POOL)
    return `${p.id}: a restricted-dma-pool needs an OF reserved-memory node, which this platform does not have`;
  if (d.pool === 'shared' && threads < 2)
    return 'pool=shared needs a second device (threads >= 2); with one device it is pool=own';
  if ((d.mask !== undefined) !== (p.forceDmaUnencrypted === 'mask-below-c-bit'))
    return d.mask === undefined ? `${p.id}: the mask knob must be set` : `${p.id}: the mask knob only exists on sme-host`;
  if (d.devmem && !p.kconfig.DMA_RESTRICTED_POOL)
    return `${p.id}: per-device coherent memory needs a shared-dma-pool reserved-memory node (or CONFIG_DMA_DECLARE_COHERENT, selected by ARM, SH and OF_EARLY_FLATTREE), which this platform does not have`;
  if (d.devmem && d.pool !== 'none')
    return 'devmem=1 with a restricted-dma-pool: a device attaches one reserved-memory region (of_reserved_mem_device_init(), index 0), a restricted-dma-pool or a shared-dma-pool';
  return undefined;
}

/** Every configuration of the knobs for a platform, with the ones that cannot happen and why. */
export function deviceConfigs(p: Platform, threads: number): { configs: DeviceConfig[]; excluded: { device: string; reason: string }[] } {
  const configs: DeviceConfig[] = [];
  const excluded: { device: string; reason: string }[] = [];
  const masks: readonly ('below' | 'above' | undefined)[] = p.forceDmaUnencrypted === 'mask-below-c-bit' ? ['above', 'below'] : [undefined];
  for (const coherent of [true, false])
    for (const pool of ['none', 'own', 'shared'] as const)
      for (const gfp of ['blocking', 'atomic'] as const)
        for (const nkm of [false, true])
          for (const mask of masks)
            for (const devmem of [false, true]) {
              const plain: DeviceConfig = mask ? { coherent, pool, gfp, nkm, mask } : { coherent, pool, gfp, nkm };
              const d: DeviceConfig = devmem ? { ...plain, devmem } : plain;
              const why = exclusionReason(p, d, threads);
              if (why) excluded.push({ device: deviceKey(d), reason: why });
              else configs.push(d);
            }
  return { configs, excluded };
}

/** Parse `coherent=1,pool=own,...` (any subset) into a filter; throws a one-line Error on a bad knob or value. */
export function parseDeviceFilter(text: string): Partial<Record<DeviceKnob['name'], string>> {
  const out: Partial<Record<DeviceKnob['name'], string>> = {};
  for (const part of text.split(',').filter((s) => s.length > 0)) {
    const [name, value, extra] = part.split('=');
    const knob = DEVICE_KNOBS.find((k) => k.name === name);
    if (!knob || value === undefined || extra !== undefined)
      throw new Error(`unknown device knob '${part}' (valid: ${DEVICE_KNOBS.map((k) => `${k.name}=${k.values.join('|')}`).join(', ')})`);
    if (!knob.values.includes(value))
      throw new Error(`bad value '${value}' for device knob ${name} (valid: ${knob.values.join(', ')})`);
    out[knob.name] = value;
  }
  return out;
}

/** Whether a configuration matches a filter from parseDeviceFilter. */
export function deviceMatches(d: DeviceConfig, filter: Partial<Record<DeviceKnob['name'], string>>): boolean {
  const values: Record<DeviceKnob['name'], string | undefined> = {
    coherent: d.coherent ? '1' : '0', pool: d.pool, gfp: d.gfp, nkm: d.nkm ? '1' : '0', mask: d.mask, devmem: d.devmem ? '1' : '0',
  };
  return Object.entries(filter).every(([k, v]) => values[k as DeviceKnob['name']] === v || (k === 'mask' && d.mask === undefined));
}
