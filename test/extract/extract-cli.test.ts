import { readFileSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixtureTree } from '../helpers/fixture-tree.ts';
import { main } from '../../src/cli/main.ts';
import type { Io } from '../../src/cli/command.ts';

const FIX = 'test/fixtures/extract';

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (t) => out.push(t), err: (t) => err.push(t), isTTY: false };
  const code = await main(args, io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}


describe('dmacheck extract', () => {
  it('prints each state with its meta.source in the file read, its transitions, and the table entries used', async () => {
    const r = await run(['extract', '--file', `${FIX}/inline-twice.c`]);
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    const lines = r.out.split('\n');
    expect(lines[0]).toBe(`dma_direct_alloc_pages (${FIX}/inline-twice.c:9): 9 states, 4 final, initial alloc_pages_node_L12`);
    expect(lines.slice(1, 5)).toEqual([
      '  alloc_pages_node_L12  [call alloc_pages_node]',
      `      ${FIX}/inline-twice.c:12 dma_direct_alloc_pages: struct page *page = alloc_pages_node(0, gfp, 0);`,
      '      on BUDDY_PAGE -> forceDmaUnencrypted_L4_in_set_decrypted1',
      '      on BUDDY_FAILED -> return_L15',
    ]);
    expect(r.out).toContain('  table entries used: alloc_pages_node, force_dma_unencrypted, page_address, set_memory_decrypted');
  });

  it('--tree reads kernel/dma/direct.c of the tree; --out writes the JSON there', async () => {
    const tree = fixtureTree({ 'direct.c': 'goto-label.c' }, 'extract');
    const out = join(tree, 'extracted.json');
    const r = await run(['extract', '--tree', tree, '--out', out, '--json']);
    expect(r).toEqual({ code: 0, out: `dmacheck extract: 1 machine written to ${out}`, err: '' });
    const json = JSON.parse(readFileSync(out, 'utf8')) as { format: string; files: { file: string; machines: { id: string; states: unknown[] }[] }[] };
    expect(json.format).toBe('dmacheck-extract');
    expect(json.files.map((f) => [f.file, f.machines.map((m) => [m.id, m.states.length])])).toEqual([['kernel/dma/direct.c', [['dma_direct_alloc', 14]]]]);
  });

  const errors: [string, string][] = [
    ['unsupported.c', `${FIX}/unsupported.c:5:2: unsupported construct 'switch statement'`],
    ['unknown-function.c', `${FIX}/unknown-function.c:8:3: unknown function 'frobnicate_pages' (not in the lookup table, not defined in ${FIX}/unknown-function.c): add 'frobnicate_pages' to FUNCTIONS in models/extract-table.ts`],
    ['no-entry.c', `${FIX}/no-entry.c:1:1: no entry point: defines none of dma_direct_alloc,`],
    ['unknown-condition.c', `${FIX}/unknown-condition.c:5:46: comparison 'size > PAGE_SIZE' is not in the lookup table: add it to EXPRESSIONS`],
    ['unknown-config.c', `${FIX}/unknown-config.c:5:6: unknown function 'IS_ENABLED' (not in the lookup table, not defined in ${FIX}/unknown-config.c): add 'IS_ENABLED' to FUNCTIONS or 'IS_ENABLED(CONFIG_FROB)' to EXPRESSIONS`],
    ['unbounded-loop.c', `${FIX}/unbounded-loop.c:8:1: a loop the table does not bound`],
    ['attrs-unknown-bit.c', `${FIX}/attrs-unknown-bit.c:5:14: 'DMA_ATTR_FROBNICATE' is not an attrs bit the lookup table knows: add it to ATTR_BITS in models/extract-table.ts`],
  ];
  it.each(errors)('%s: exit 2 with one line naming the file and line', async (file, start) => {
    const r = await run(['extract', '--file', `${FIX}/${file}`]);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err.split('\n')).toHaveLength(1);
    expect(r.err.startsWith(`dmacheck extract: ${start}`)).toBe(true);
  });

  it('--tree --entry of a front end: an unknown function in mapping.c exits 2 with one line naming the tree file, line and column', async () => {
    const tree = fixtureTree({ 'direct.c': 'front-end-direct.c', 'mapping.c': 'front-end-errors.c' }, 'extract');
    const r = await run(['extract', '--tree', tree, '--entry', 'dma_free_attrs']);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err.split('\n')).toHaveLength(1);
    expect(r.err.startsWith(`dmacheck extract: kernel/dma/mapping.c:5:6: unknown function 'frob_coherent'`)).toBe(true);
    copyFileSync(`${FIX}/front-end-mapping.c`, join(tree, 'kernel/dma/mapping.c'));
    const ok = await run(['extract', '--tree', tree, '--entry', 'dma_alloc_attrs']);
    expect(ok.code).toBe(0);
    expect(ok.out.split('\n')[0]).toBe('dma_alloc_attrs (kernel/dma/mapping.c:2): 16 states, 6 final, initial ccShared_L8');
  });

  it('bad input: neither or both of --tree and --file, a missing file, a directory that is no kernel tree', async () => {
    expect(await run(['extract'])).toEqual({ code: 2, out: '', err: 'dmacheck extract: give exactly one of --tree DIR and --file FILE[,FILE...]' });
    expect((await run(['extract', '--file', `${FIX}/nope.c`])).err).toBe(`dmacheck extract: no such file '${FIX}/nope.c'`);
    expect((await run(['extract', '--tree', FIX])).err).toBe(`dmacheck extract: '${FIX}' is not a kernel tree: no kernel/dma/direct.c`);
  });
});
