import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PLATFORM_IDS } from '../../models/platforms.ts';
import { VERSION_IDS } from '../../models/versions.ts';
import { UsageError } from '../../src/check/selection.ts';
import { CONFIG_KEYS, parseConfig, readConfig } from '../../src/nightly/config.ts';
import { dateDir } from '../../src/nightly/nightly.ts';
import { tempDir } from '../temp-dir.ts';

const bad = (raw: unknown) => {
  try {
    parseConfig(raw, 'cfg.json');
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error('accepted');
};

describe('nightly config', () => {
  it('reads the documented example at the repository root: everything, 2 threads x 3 calls, one worker per core', () => {
    const c = readConfig(join(import.meta.dirname, '..', '..', 'dmacheck.config.json'));
    expect(c.selection.versions).toEqual(VERSION_IDS);
    expect(c.selection.platforms).toEqual(PLATFORM_IDS);
    expect([c.selection.threads, c.selection.calls]).toEqual([2, 3]);
    expect(c.selection.device).toEqual({});
    expect(c.workers).toBeUndefined();
    expect(c.shard).toBeUndefined();
  });

  it('takes lists, a device filter as text or object, the bound, workers, memory and a shard', () => {
    const c = parseConfig({
      versions: ['v2-p1', 'baseline'], platforms: 'cca,tdx', properties: ['no-double-decrypt'], entryPoints: ['dma_direct_alloc', 'dma_direct_free'],
      device: { pool: 'own', coherent: true }, bound: { threads: 1, calls: 4 }, workers: 0, maxMemory: '2G', shard: '2/3',
    }, 'cfg.json');
    expect(c.selection).toEqual({
      versions: ['baseline', 'v2-p1'], platforms: ['tdx', 'cca'].sort((a, b) => PLATFORM_IDS.indexOf(a) - PLATFORM_IDS.indexOf(b)),
      properties: ['no-double-decrypt'], device: { pool: 'own', coherent: '1' }, entryPoints: ['dma_direct_alloc', 'dma_direct_free'], threads: 1, calls: 4,
    });
    expect([c.workers, c.maxMemory, c.shard]).toEqual([0, '2G', { index: 2, count: 3 }]);
  });

  it('refuses unknown keys and bad values in one line naming the key and the valid values', () => {
    expect(bad({ verisons: 'all', bound: {} })).toBe(`cfg.json: unknown key 'verisons' (valid: ${Object.keys(CONFIG_KEYS).join(', ')})`);
    expect(bad({ versions: ['baseline', 'v9'] })).toBe(`cfg.json: versions: unknown version 'v9' (valid: ${VERSION_IDS.join(', ')})`);
    expect(bad({ platforms: ['mars'] })).toMatch(/^cfg\.json: platforms: unknown platform 'mars' \(valid: plain-x86, /);
    expect(bad({ properties: 'no-such' })).toMatch(/^cfg\.json: properties: unknown property 'no-such'/);
    expect(bad({ entryPoints: ['dma_direct_nothing'] })).toMatch(/^cfg\.json: entryPoints: unknown entry point 'dma_direct_nothing'/);
    expect(bad({ bound: { threads: 4 } })).toBe('cfg.json: bound.threads: bad value 4 (valid: an integer from 1 to 3)');
    expect(bad({ bound: { calls: '3' } })).toBe('cfg.json: bound.calls: bad value "3" (valid: an integer from 1 to 8)');
    expect(bad({ bound: { depth: 3 } })).toBe("cfg.json: bound: unknown key 'depth' (valid: threads, calls)");
    expect(bad({ workers: -1 })).toBe('cfg.json: workers: bad value -1 (valid: an integer from 0 to 64)');
    expect(bad({ shard: '3/2' })).toBe('cfg.json: shard: bad value "3/2" (valid: "i/n" with 1 <= i <= n, e.g. "2/3")');
    expect(bad({ maxMemory: 'lots' })).toBe('cfg.json: maxMemory: bad value "lots" (valid: memory limit of the explorer, as --max-memory: MiB (a number), or with a K, M or G suffix ("8G", "512M", "900K"))');
    expect(bad({ maxMemory: '0' })).toMatch(/^cfg\.json: maxMemory: bad value "0"/);
    expect(bad({ maxMemory: true })).toMatch(/^cfg\.json: maxMemory: bad value true/);
    expect(bad({ versions: '' })).toMatch(/^cfg\.json: versions: empty list ""/);
    expect(bad({ platforms: ',,' })).toMatch(/^cfg\.json: platforms: empty list ",,"/);
    expect(bad({ versions: [] })).toMatch(/^cfg\.json: versions: empty list/);
    expect(bad({ device: 'pool=wet' })).toBe("cfg.json: device: bad value 'wet' for device knob pool (valid: none, own, shared)");
    expect(bad({ versions: 3 })).toMatch(/^cfg\.json: versions: 3 is not a list/);
    expect(bad([])).toBe('cfg.json: the config must be a JSON object');
  });

  it('takes --max-memory syntax for maxMemory: MiB as a number or a string, and K, M, G suffixes in any case', () => {
    for (const mm of [512, '512', '900K', '900k', '512M', '2g'])
      expect(parseConfig({ maxMemory: mm }, 'cfg.json').maxMemory).toBe(String(mm));
  });

  it('reads a config file that starts with a UTF-8 byte order mark', () => {
    const dir = tempDir('config');
    writeFileSync(join(dir, 'bom.json'), '\uFEFF{ "versions": ["baseline"] }');
    expect(readConfig(join(dir, 'bom.json')).selection.versions).toEqual(['baseline']);
  });

  it('names the file when it is missing or not JSON', () => {
    const dir = tempDir('config');
    expect(() => readConfig(join(dir, 'none.json'))).toThrow(`${join(dir, 'none.json')}: no such config file (pass --config FILE)`);
    writeFileSync(join(dir, 'bad.json'), '{ "versions": [ }');
    expect(() => readConfig(join(dir, 'bad.json'))).toThrow(new RegExp(`^${join(dir, 'bad.json').replace(/[.\\/]/g, '\\$&')}: not JSON \\(`));
  });

  it('puts reports under reports/<YYYY-MM-DD> by UTC date', () => {
    expect(dateDir('reports', new Date('2026-11-24T23:30:00Z'))).toBe(join('reports', '2026-11-24'));
  });
});
