import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { newNightDir } from '../../src/nightly/nightly.ts';

describe('the night directory', () => {
  it('is reports/<date>, then <date>.2, <date>.3 on the same date, each created so no night takes another\'s', () => {
    const root = mkdtempSync(join(tmpdir(), 'dmacheck-night-'));
    try {
      const at = new Date('2026-12-06T01:00:00Z');
      expect(newNightDir(join(root, 'reports'), at)).toBe(join(root, 'reports', '2026-12-06'));
      expect(newNightDir(join(root, 'reports'), at)).toBe(join(root, 'reports', '2026-12-06.2'));
      expect(newNightDir(join(root, 'reports'), at)).toBe(join(root, 'reports', '2026-12-06.3'));
      expect(newNightDir(join(root, 'reports'), new Date('2026-12-07T00:00:00Z'))).toBe(join(root, 'reports', '2026-12-07'));
      // a root that cannot be created is bad input, named
      writeFileSync(join(root, 'file'), '');
      expect(() => newNightDir(join(root, 'file'), at)).toThrow(`cannot create ${join(root, 'file')} (EEXIST); give --out DIR`);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
