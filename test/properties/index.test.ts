import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PROPERTIES, PROPERTY_IDS } from '../../properties/index.ts';

describe('the property registry', () => {
  it('lists the nine properties in report order', () => {
    expect(PROPERTY_IDS).toEqual([
      'no-double-decrypt', 'no-double-encrypt', 'no-encrypted-mapped-decrypted', 'no-decrypted-mapped-encrypted',
      'leak-only-on-set-memory-failure', 'no-decrypted-page-to-allocator', 'pool-slots-stay-decrypted',
      'no-blocking-in-atomic', 'page-ownership',
    ]);
  });

  it('has one file per property, named by its id, and a rule for each', () => {
    const dir = fileURLToPath(new URL('../../properties/', import.meta.url));
    const files = readdirSync(dir).filter((f) => f.endsWith('.ts') && f !== 'index.ts' && f !== 'property.ts').map((f) => f.slice(0, -3));
    expect(files.sort()).toEqual([...PROPERTY_IDS].sort());
    for (const p of PROPERTIES) expect(p.rule.length).toBeGreaterThan(20);
  });
});
