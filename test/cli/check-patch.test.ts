/**
 * check-patch on the fixture tree (test/fixtures/tree) with patches written
 * for it (test/fixtures/patches): one that changes one branch, one that
 * changes only white space. (A patch that does not apply: bad-input.test.ts.)
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EXTRACT_FIXTURES, fixtureTree } from '../helpers/fixture-tree.ts';
import { main } from '../../src/cli/main.ts';
import { tempDir } from '../temp-dir.ts';
import { capture } from './capture.ts';

const TREE = join(import.meta.dirname, '..', 'fixtures', 'tree');
const PATCHES = join(import.meta.dirname, '..', 'fixtures', 'patches');
const SMALL = ['--platforms', 'cca', '--entry-points', 'dma_direct_alloc,dma_direct_free', '--threads', '1', '--calls', '2', '--workers', '1', '--quiet'];

const treeHash = () => createHash('sha256').update(readFileSync(join(TREE, 'kernel', 'dma', 'direct.c'))).digest('hex');

async function checkPatch(patch: string, out: string) {
  const io = capture();
  const code = await main(['check-patch', join(PATCHES, patch), '--tree', TREE, ...SMALL, '--out', out], io);
  return { code, out: io.stdout.join('\n'), err: io.stderr.join('\n') };
}

describe('dmacheck check-patch', () => {
  it('a patch that leaks instead of freeing on a failed decrypt: exactly that difference, the violation it fixes with its replay command', async () => {
    const before = treeHash();
    const out = tempDir('check-patch');
    const r = await checkPatch('leak-on-decrypt-failure.patch', out);
    expect(r.code).toBe(1);
    expect(treeHash()).toBe(before);
    const lines = r.out.split('\n');
    expect(lines[0]).toBe('dmacheck: leak-on-decrypt-failure.patch changes what dma-direct does (1 platform(s), 1 thread(s) x 2 call(s), observable calls-v1).');
    expect(r.out).toContain('unpatched and patched: different in 8 of 16 runs (8 effective, 0 latent)');
    // one distinct scenario: the same until the failed set_memory_decrypted(), then a free on one side and a leak on the other
    expect(r.out).toContain('1 distinct scenario(s) below');
    const differing = lines.filter((l) => l.startsWith('  >> '));
    expect(differing).toEqual([expect.stringMatching(/^ {2}>> {2}4 {2}T0 give back page0 to buddy +\| T0 leak page0$/), expect.stringMatching(/^ {2}>> {2}4\. CPU0 dma_direct_alloc PAGES_FREED/), expect.stringMatching(/^ {2}>> {2}3\. CPU0 dma_direct_alloc SET_DECRYPTED_FAILED/)]);
    const fixes = lines.indexOf('Violations the patch fixes (replay on patched: fixed):');
    expect(lines.slice(fixes + 1, fixes + 3)).toEqual([
      '  no-decrypted-page-to-allocator (effective) in 4 (platform, device) group(s) on cca; shortest (4 steps, cca coherent=1,pool=none,gfp=blocking,nkm=0):',
      `    dmacheck replay --tree unpatched=${resolve(TREE)} --tree patched=${resolve(out, 'patched')} --version patched --scenario 'dmacheck1:unpatched/cca/coherent=1,pool=none,gfp=blocking,nkm=0/alloc,free/no-decrypted-page-to-allocator/effective/0,0BUDDY_PAGE@page0,0SET_DECRYPTED_FAILED,0PAGES_FREED'`,
    ]);
    expect(lines[fixes + 3]).toBe('');
    expect(lines[fixes + 4]).toBe('Violations the patch introduces: none.');
    expect(readFileSync(join(out, 'reply.txt'), 'utf8')).toBe(`${lines.slice(0, lines.findIndex((l) => l.startsWith('reports: '))).join('\n')}\n`);
    expect(readFileSync(join(out, 'patched', 'kernel', 'dma', 'direct.c'), 'utf8')).toContain("\t\t\treturn NULL;\n\t}\n\tif (!dev_is_dma_coherent(dev)");

    // the replay command runs as printed: fixed on the patched tree
    const cmd = lines[fixes + 2]!.trim().split(' ');
    const io = capture();
    const args = [...cmd.slice(1, 8), '--scenario', lines[fixes + 2]!.slice(lines[fixes + 2]!.indexOf("'") + 1, -1)];
    expect(await main(args, io)).toBe(0);
    expect(io.stdout.join('\n')).toMatch(/^fixed: on patched, the 4 recorded steps run without violating any/);
  });

  it('a white-space-only patch (a blank line, an indent): no observable change, exit 0', async () => {
    const out = tempDir('check-patch-ws');
    const r = await checkPatch('whitespace-only.patch', out);
    expect(r.code).toBe(0);
    expect(r.out.split('\n')[0]).toBe('dmacheck: whitespace-only.patch: no observable change within the bound (1 platform(s), 1 thread(s) x 2 call(s), observable calls-v1; 16 runs compared, 32 verified).');
    expect(readdirSync(out).sort()).toEqual(['diff.json', 'diff.md', 'index.html', 'junit.xml', 'patched', 'reply.txt', 'results.json', 'summary.md']);
  });

  it("the patched copy keeps the tree's mapping.c, so both sides run the tree's own front end", async () => {
    const tree = fixtureTree({ 'direct.c': 'front-end-direct.c', 'mapping.c': 'front-end-mapping.c' }, 'check-patch-front-end');
    const first = readFileSync(join(EXTRACT_FIXTURES, 'front-end-direct.c'), 'utf8').split('\n')[0];
    const patch = join(tree, 'blank-line.patch');
    writeFileSync(patch, `--- a/kernel/dma/direct.c\n+++ b/kernel/dma/direct.c\n@@ -1,1 +1,2 @@\n+\n ${first}\n`);
    const out = tempDir('check-patch-front-end-out');
    const io = capture();
    const code = await main(['check-patch', patch, '--tree', tree, '--platforms', 'cca', '--entry-points', 'dma_alloc_attrs', '--threads', '1', '--calls', '1', '--workers', '1', '--quiet', '--out', out], io);
    expect(code).toBe(0);
    expect(existsSync(join(out, 'patched', 'kernel', 'dma', 'mapping.c'))).toBe(true);
    const notes = io.stderr.join('\n').split('\n').filter((l) => l.startsWith('dmacheck: tree '));
    expect(notes).toHaveLength(2);
    // the two sides read the same files and lack the same entry points
    expect(notes[1]!.replace('tree patched', 'tree unpatched')).toBe(notes[0]);
    expect(notes[0]).not.toContain('dma_alloc_attrs');
  });

  it('where git is not installed, patch -p1 applies it, as strictly (no fuzz)', async () => {
    const bin = tempDir('check-patch-bin');
    symlinkSync(execFileSync('sh', ['-c', 'command -v patch'], { encoding: 'utf8' }).trim(), join(bin, 'patch'));
    vi.stubEnv('PATH', bin);
    const ws = await checkPatch('whitespace-only.patch', tempDir('check-patch-nogit'));
    expect([ws.code, ws.out.split('\n')[0]]).toEqual([0, expect.stringMatching(/^dmacheck: whitespace-only\.patch: no observable change/)]);
    const bad = await checkPatch('does-not-apply.patch', tempDir('check-patch-nogit2'));
    expect(bad).toEqual({ code: 2, out: '', err: `dmacheck check-patch: patch '${join(PATCHES, 'does-not-apply.patch')}' does not apply: the hunk at kernel/dma/direct.c:16 does not match the tree` });
  });
});

afterEach(() => {
  vi.unstubAllEnvs();
});
