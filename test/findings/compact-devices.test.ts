import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { compactDevices, compactPlatformDevices } from '../../src/findings/compact-devices.ts';

const KNOBS = { coherent: ['1', '0'], pool: ['none', 'own', 'shared'], gfp: ['blocking', 'atomic'], nkm: ['0', '1'] } as const;
const ALL_KEYS: string[] = [];
for (const c of KNOBS.coherent) for (const p of KNOBS.pool) for (const g of KNOBS.gfp) for (const n of KNOBS.nkm)
  ALL_KEYS.push(`coherent=${c},pool=${p},gfp=${g},nkm=${n}`);

/** Every device key a term stands for. */
function expand(term: string): string[] {
  let keys = [''];
  for (const part of term.split(',')) {
    const [k, vs] = part.split('=') as [string, string];
    keys = keys.flatMap((prefix) => vs.split('|').map((v) => `${prefix}${prefix ? ',' : ''}${k}=${v}`));
  }
  return keys;
}

describe('compactDevices', () => {
  it('merges configurations that differ in one knob, values in the order the model lists them', () => {
    expect(compactDevices([
      'coherent=0,pool=shared,gfp=atomic,nkm=1', 'coherent=0,pool=own,gfp=atomic,nkm=0',
      'coherent=0,pool=own,gfp=atomic,nkm=1', 'coherent=0,pool=shared,gfp=atomic,nkm=0',
    ])).toEqual(['coherent=0,pool=own|shared,gfp=atomic,nkm=0|1']);
  });

  it('keeps apart what is not a product', () => {
    expect(compactDevices(['coherent=1,pool=none,gfp=blocking,nkm=0', 'coherent=0,pool=own,gfp=blocking,nkm=0']))
      .toEqual(['coherent=1,pool=none,gfp=blocking,nkm=0', 'coherent=0,pool=own,gfp=blocking,nkm=0']);
  });

  it('keeps a knob only some keys have (mask on sme-host) apart from keys without it', () => {
    expect(compactDevices(['coherent=1,pool=none,gfp=atomic,nkm=0,mask=below', 'coherent=1,pool=none,gfp=atomic,nkm=0,mask=above', 'coherent=1,pool=none,gfp=atomic,nkm=0']))
      .toEqual(['coherent=1,pool=none,gfp=atomic,nkm=0,mask=above|below', 'coherent=1,pool=none,gfp=atomic,nkm=0']);
  });

  test.prop([fc.subarray(ALL_KEYS, { minLength: 1 })])('covers exactly the configurations given', (keys) => {
    const terms = compactDevices(keys);
    const covered = terms.flatMap(expand);
    expect(new Set(covered).size).toBe(covered.length);
    expect([...covered].sort()).toEqual([...keys].sort());
  });
});

describe('compactPlatformDevices', () => {
  it('puts platforms with the same configurations on one line, in first-seen order', () => {
    const devs = ['coherent=0,pool=own,gfp=atomic,nkm=0', 'coherent=0,pool=own,gfp=atomic,nkm=1'];
    const pairs = ['cca', 'pkvm', 'sev'].flatMap((platform) => (platform === 'sev' ? devs.slice(0, 1) : devs).map((device) => ({ platform, device })));
    expect(compactPlatformDevices(pairs)).toEqual([
      { platforms: ['cca', 'pkvm'], terms: ['coherent=0,pool=own,gfp=atomic,nkm=0|1'] },
      { platforms: ['sev'], terms: ['coherent=0,pool=own,gfp=atomic,nkm=0'] },
    ]);
  });
});
