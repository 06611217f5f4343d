/** `dmacheck list`: versions, platforms (with their rules), device knobs, entry points, properties. */
import { DEVICE_KNOBS } from '../../../models/devices.ts';
import { PLATFORMS } from '../../../models/platforms.ts';
import { ENTRY_POINTS, VERSIONS } from '../../../models/versions.ts';
import { PROPERTIES } from '../../../properties/index.ts';
import { UsageError } from '../../check/selection.ts';
import { EXIT_OK, type Command } from '../command.ts';

export function listing() {
  return {
    versions: VERSIONS.map((v) => ({ id: v.id, description: v.description, guardChanges: v.guardChanges })),
    platforms: PLATFORMS.map((p) => ({
      id: p.id, description: p.description, forceDmaUnencrypted: p.forceRule, memEncryptActive: p.memEncryptActive,
      setMemoryCanFail: p.setMemoryCanFail, encodingsDiffer: p.encodingsDiffer, pgprotDecryptedDiffers: p.pgprotDecryptedDiffers,
      kconfig: p.kconfig, nonCoherentDevices: p.nonCoherentDevices,
    })),
    deviceKnobs: DEVICE_KNOBS.map((k) => ({ name: k.name, values: k.values, description: k.description })),
    entryPoints: [...ENTRY_POINTS],
    properties: PROPERTIES.map((p) => ({ id: p.id, rule: p.rule })),
  };
}

export const listCommand: Command = {
  name: 'list',
  summary: 'list the modelled kernel versions, platforms, device knobs, entry points and properties',
  options: [{ name: 'json', type: 'boolean', description: 'print the listing as JSON', default: 'false' }],
  async run(values, positionals, io) {
    if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}' (list takes none)`);
    const l = listing();
    if (values['json']) {
      io.out(JSON.stringify(l, null, 2));
      return EXIT_OK;
    }
    const out: string[] = ['Versions:'];
    for (const v of l.versions) {
      out.push(`  ${v.id.padEnd(18)} ${v.description}`);
      for (const [g, c] of Object.entries(v.guardChanges)) out.push(`  ${''.padEnd(18)}   ${g}: ${c}`);
    }
    out.push('', 'Platforms:');
    for (const p of l.platforms) {
      const k = Object.entries(p.kconfig).filter(([, on]) => on).map(([n]) => n).join(' ') || '-';
      out.push(`  ${p.id.padEnd(14)} ${p.description}`);
      out.push(`  ${''.padEnd(14)}   force_dma_unencrypted: ${p.forceDmaUnencrypted}`);
      out.push(`  ${''.padEnd(14)}   set_memory_*: ${p.memEncryptActive ? (p.setMemoryCanFail ? 'active, can fail' : 'active, never fails') : 'stubs'}; ` +
        `DMA encodings ${p.encodingsDiffer ? 'differ' : 'equal'}; pgprot_decrypted ${p.pgprotDecryptedDiffers ? 'differs' : 'identity'}; ` +
        `devices ${p.nonCoherentDevices ? 'coherent or not' : 'coherent'}`);
      out.push(`  ${''.padEnd(14)}   Kconfig: ${k}`);
    }
    out.push('', 'Device knobs (--device KNOB=VALUE,...):');
    for (const k of l.deviceKnobs) out.push(`  ${k.name.padEnd(9)} ${k.values.join('|').padEnd(16)} ${k.description}`);
    out.push('', 'Entry points:', ...l.entryPoints.map((e) => `  ${e}`));
    out.push('', 'Properties:', ...l.properties.map((p) => `  ${p.id.padEnd(32)} ${p.rule}`));
    io.out(out.join('\n'));
    return EXIT_OK;
  },
};
