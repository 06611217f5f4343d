import { describe, expect, it } from 'vitest';
import type { Results } from '../../src/check/results.ts';
import { VERSION_IDS } from '../../models/versions.ts';
import { PROPERTY_IDS } from '../../properties/index.ts';
import { abbreviations, consoleTable, CONSOLE_WIDTH } from '../../src/report/console-table.ts';
import { clone, smallResults } from './fixture.ts';

/** Every version x every property, each cell violated with `e` effective and `l` latent runs. */
function everything(e: number, l: number): Results {
  const results = VERSION_IDS.flatMap((version) => PROPERTY_IDS.map((property) => ({
    version, property, verdict: e + l ? 'violated' : 'holds', violatingRuns: { effective: e, latent: l }, violations: [],
  })));
  return { selection: { versions: VERSION_IDS, properties: PROPERTY_IDS }, results } as unknown as Results;
}

const widest = (text: string) => Math.max(...text.split('\n').map((l) => l.length));

describe('the console verdict table', () => {
  it('prints the small matrix with abbreviated ids, their legend and what E and L mean', async () => {
    expect(consoleTable(await smallResults())).toBe([
      'version   DD   LOOSMF  PO',
      'baseline  16E  6E      6E',
      'v2-p1     .    6E      6E',
      '',
      'DD no-double-decrypt, LOOSMF leak-only-on-set-memory-failure, PO page-ownership',
      'Cells: violating runs; E effective (the platform makes the violation observable),',
      'L latent (the code is wrong, but this platform cannot see it); . holds.',
    ].join('\n'));
  });

  it('fits 100 columns on every version and property, with small and with very large counts', () => {
    const holds = consoleTable(everything(0, 0));
    expect(widest(holds)).toBeLessThanOrEqual(CONSOLE_WIDTH);
    const small = consoleTable(everything(12, 3));
    expect(widest(small)).toBeLessThanOrEqual(CONSOLE_WIDTH);
    expect(small.split('\n')[1]).toMatch(/^baseline +12E\/3L +12E\/3L/);
    // Counts this large do not fit one line per version: E and L take a line each.
    const large = consoleTable(everything(74800, 74800));
    expect(widest(large)).toBeLessThanOrEqual(CONSOLE_WIDTH);
    expect(large.split('\n').slice(1, 3)).toEqual([
      expect.stringMatching(/^baseline +74800E +74800E/),
      expect.stringMatching(/^ +74800L +74800L/),
    ]);
    // The one-line form of the same table would not have fitted.
    expect(VERSION_IDS.reduce((n, v) => Math.max(n, v.length), 0) + PROPERTY_IDS.length * '74800E/74800L  '.length).toBeGreaterThan(CONSOLE_WIDTH);
  });

  it('says a cell with only latent runs is latent, and one that holds is a dot', async () => {
    const r = clone(await smallResults());
    const cell = r.results.find((x) => x.version === 'v2-p1' && x.property === 'page-ownership')!;
    Object.assign(cell, { verdict: 'violated', violatingRuns: { effective: 0, latent: 7 } });
    Object.assign(r.results.find((x) => x.version === 'v2-p1' && x.property === 'leak-only-on-set-memory-failure')!, { verdict: 'holds', violatingRuns: { effective: 0, latent: 0 } });
    expect(consoleTable(r).split('\n')[2]).toBe('v2-p1     .    .       7L');
  });

  it('abbreviates every property id uniquely', () => {
    const a = abbreviations(PROPERTY_IDS);
    expect(new Set(a).size).toBe(PROPERTY_IDS.length);
    expect(abbreviations(['no-double-decrypt', 'double-decrypt', 'no-dd'])).toEqual(['DD', 'DD2', 'D']);
  });
});
