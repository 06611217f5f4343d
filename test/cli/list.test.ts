import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import type { Io } from '../../src/cli/command.ts';
import { VERSION_IDS } from '../../models/versions.ts';

interface Captured extends Io { readonly outText: () => string; readonly errText: () => string }

function capture(): Captured {
  const out: string[] = [];
  const err: string[] = [];
  return { out: (t) => out.push(t), err: (t) => err.push(t), isTTY: false, outText: () => out.join('\n'), errText: () => err.join('\n') };
}

interface Listing {
  versions: { id: string; description: string; guardChanges: Record<string, string> }[];
  platforms: { id: string; forceDmaUnencrypted: string; memEncryptActive: boolean; setMemoryCanFail: boolean; encodingsDiffer: boolean; pgprotDecryptedDiffers: boolean; kconfig: Record<string, boolean>; nonCoherentDevices: boolean }[];
  deviceKnobs: { name: string; values: string[]; description: string }[];
  entryPoints: string[];
  properties: { id: string; rule: string }[];
}

async function listJson(): Promise<Listing> {
  const io = capture();
  expect(await main(['list', '--json'], io)).toBe(0);
  expect(io.errText()).toBe('');
  return JSON.parse(io.outText()) as Listing;
}

describe('dmacheck list', () => {
  it('lists every version, the six of the v2 series first, with the guards each changes', async () => {
    const l = await listJson();
    const ids = l.versions.map((v) => v.id);
    expect(ids).toEqual(VERSION_IDS);
    expect(ids.slice(0, 6)).toEqual(['baseline', 'v2-p1', 'v2-p2', 'v2-p3', 'v2-p4', 'v2-p3-without-p1']);
    const changes = Object.fromEntries(l.versions.map((v) => [v.id, Object.keys(v.guardChanges).sort()]));
    expect(changes['baseline']).toEqual([]);
    expect(changes['v2-p1']).toEqual(['dmaOwnsDecryption']);
    expect(changes['v2-p2']).toEqual(['dmaOwnsDecryption', 'physToDmaUnencrypted']);
    expect(changes['v2-p3-without-p1']).toEqual(['allowHighmem', 'physToDmaUnencrypted']);
    expect(l.versions.find((v) => v.id === 'v2-p4')!.guardChanges['mmapProtDecrypted']).toBe('is_dma_decrypted(dev)');
  });

  it('lists the twelve platforms with their force_dma_unencrypted rule, set_memory and encoding flags, and Kconfig', async () => {
    const l = await listJson();
    expect(l.platforms.map((p) => p.id)).toEqual([
      'plain-x86', 'plain-arm64', 'arm32-highmem', 'plain-mips', 'sev', 'tdx', 'hyperv', 'sme-host', 'cca', 'pkvm', 'ppc-svm', 's390-pv',
    ]);
    for (const p of l.platforms) {
      expect(p.forceDmaUnencrypted.length, p.id).toBeGreaterThan(5);
      expect(Object.keys(p.kconfig).sort(), p.id).toEqual(['ARCH_HAS_DMA_SET_UNCACHED', 'DMA_COHERENT_POOL', 'DMA_DIRECT_REMAP', 'DMA_RESTRICTED_POOL', 'HIGHMEM']);
    }
    const cca = l.platforms.find((p) => p.id === 'cca')!;
    expect(cca.forceDmaUnencrypted).toContain('is_realm_world()');
    expect([cca.memEncryptActive, cca.setMemoryCanFail, cca.encodingsDiffer, cca.pgprotDecryptedDiffers]).toEqual([true, true, true, true]);
    const tdx = l.platforms.find((p) => p.id === 'tdx')!;
    expect([tdx.encodingsDiffer, tdx.pgprotDecryptedDiffers]).toEqual([false, true]);
    expect(l.platforms.filter((p) => p.kconfig['HIGHMEM']).map((p) => p.id)).toEqual(['arm32-highmem']);
    expect(l.platforms.filter((p) => p.kconfig['ARCH_HAS_DMA_SET_UNCACHED']).map((p) => p.id)).toEqual(['plain-mips']);
  });

  it('lists the device knobs, the entry points (with the driver\'s mask step, the mapping.c front end, the pools\' set-up and the shared-buffer caller) and the properties', async () => {
    const l = await listJson();
    expect(l.deviceKnobs.map((k) => `${k.name}=${k.values.join('|')}`)).toEqual([
      'coherent=1|0', 'pool=none|own|shared', 'gfp=blocking|atomic', 'nkm=0|1', 'mask=above|below', 'devmem=0|1',
    ]);
    expect(l.entryPoints).toEqual([
      'dma_direct_alloc', 'dma_direct_free', 'dma_direct_alloc_pages', 'dma_direct_free_pages',
      'dma_direct_mmap', 'dma_direct_map_phys', 'dma_direct_unmap_phys', 'dma_set_coherent_mask',
      'dma_alloc_attrs', 'dma_free_attrs', 'dma_mmap_attrs', 'dma_alloc_pages', 'dma_free_pages', 'dma_mmap_pages',
      'rmem_swiotlb_device_init', 'atomic_pool_expand', 'dma_map_phys_cc_shared', 'dma_unmap_phys_cc_shared',
    ]);
    expect(l.properties).toHaveLength(9);
  });

  it('prints the same listing as text without --json', async () => {
    const io = capture();
    expect(await main(['list'], io)).toBe(0);
    const text = io.outText();
    for (const heading of ['Versions:', 'Platforms:', 'Device knobs', 'Entry points:', 'Properties:']) expect(text).toContain(heading);
    for (const id of ['v2-p3-without-p1', 'arm32-highmem', 's390-pv', 'dma_direct_unmap_phys', 'pool-slots-stay-decrypted']) expect(text).toContain(id);
    expect(text).toContain('force_dma_unencrypted: is_realm_world(): true for every device');
  });
});

describe('bad command lines', () => {
  it('rejects an unknown command with exit 2 and one line naming it and the valid commands', async () => {
    const io = capture();
    expect(await main(['lsit'], io)).toBe(2);
    expect(io.outText()).toBe('');
    const err = io.errText();
    expect(err.split('\n')).toHaveLength(1);
    expect(err).toContain("'lsit'");
    expect(err).toMatch(/valid: .*\blist\b/);
    expect(err).toMatch(/valid: .*\bverify\b/);
  });

  it('rejects an unknown flag with exit 2 and one line naming it and the valid flags', async () => {
    const io = capture();
    expect(await main(['list', '--jsn'], io)).toBe(2);
    const err = io.errText();
    expect(err.split('\n')).toHaveLength(1);
    expect(err).toContain("'--jsn'");
    expect(err).toContain('valid: --json');
  });

  it('rejects a positional argument to list with exit 2', async () => {
    const io = capture();
    expect(await main(['list', 'platforms'], io)).toBe(2);
    expect(io.errText().split('\n')).toHaveLength(1);
    expect(io.errText()).toContain("'platforms'");
  });

  it('prints usage with exit 2 when no command is given, and exit 0 for --help', async () => {
    const none = capture();
    expect(await main([], none)).toBe(2);
    expect(none.outText()).toContain('usage: dmacheck <command>');
    const help = capture();
    expect(await main(['list', '--help'], help)).toBe(0);
    expect(help.outText()).toContain('--json');
  });
});
