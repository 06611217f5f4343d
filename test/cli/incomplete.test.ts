/**
 * An incomplete result never passes: exit 4 when nothing was violated in the
 * part that ran (1 when something was), and every report says incomplete.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXIT_INCOMPLETE, EXIT_OK, EXIT_VIOLATED, resultsExitCode } from '../../src/cli/command.ts';
import { main } from '../../src/cli/main.ts';
import { capture } from './capture.ts';
import { parseXml } from '../report/xml.ts';

const root = mkdtempSync(join(tmpdir(), 'dmacheck-incomplete-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Runs of 3 threads x 3 calls without reductions: 128K per worker cuts many of them. */
const CUT = ['--versions', 'baseline', '--platforms', 'cca', '--device', 'coherent=0,pool=none,gfp=blocking,nkm=0', '--threads', '3', '--calls', '3',
  '--no-por', '--no-symmetry', '--workers', '1', '--max-memory', '128K'];

describe('incomplete results', () => {
  it('exit 1 only for a violation, 4 for an incomplete result without one, 0 otherwise', () => {
    const r = (verdicts: string[], complete: boolean) => resultsExitCode({ complete, results: verdicts.map((verdict) => ({ verdict })) });
    expect([r(['holds'], true), r(['holds', 'violated'], true), r(['holds'], false), r(['violated'], false), r([], false)])
      .toEqual([EXIT_OK, EXIT_VIOLATED, EXIT_INCOMPLETE, EXIT_VIOLATED, EXIT_INCOMPLETE]);
  });

  it('verify cut by --max-memory with nothing violated exits 4, and console, summary, JUnit and HTML say incomplete', async () => {
    const out = join(root, 'cut');
    const io = capture();
    expect(await main(['verify', ...CUT, '--properties', 'no-double-decrypt', '--out', out], io)).toBe(EXIT_INCOMPLETE);
    const res = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(res.complete).toBe(false);
    expect(res.results.map((r: { verdict: string }) => r.verdict)).toEqual(['holds']);
    expect(io.stdout.at(-1)).toMatch(/^INCOMPLETE \(\d+ run\(s\) hit the memory limit .*raise --max-memory\): \d+ runs/);
    const summary = readFileSync(join(out, 'summary.md'), 'utf8');
    expect(summary.split('\n')[0]).toBe('# dmacheck verification summary (INCOMPLETE)');
    expect(summary).toMatch(/> \*\*INCOMPLETE\*\*: \d+ run\(s\) hit the memory limit/);
    const junit = parseXml(readFileSync(join(out, 'junit.xml'), 'utf8'));
    const suite = junit.children[0]!;
    const errored = suite.children.filter((c) => c.name === 'testcase' && c.children.some((x) => x.name === 'error'));
    expect(errored.map((c) => c.attrs['name'])).toEqual(['complete']);
    expect(errored[0]!.children[0]!.attrs['message']).toMatch(/^INCOMPLETE: \d+ run\(s\) hit the memory limit/);
    expect([suite.attrs['errors'], junit.attrs['errors'], suite.attrs['failures']]).toEqual(['1', '1', '0']);
    expect(suite.children.filter((c) => c.name === 'testcase')).toHaveLength(2);
    expect(readFileSync(join(out, 'index.html'), 'utf8')).toMatch(/<div class="banner" id="incomplete" role="alert">INCOMPLETE: /);
  });

  it('verify cut by --max-memory exits 1 when the part that ran violates a property', async () => {
    const io = capture();
    expect(await main(['verify', ...CUT, '--properties', 'no-double-decrypt,no-encrypted-mapped-decrypted', '--out', join(root, 'cut-violated'), '--quiet'], io)).toBe(EXIT_VIOLATED);
    expect(io.stdout.at(-1)).toMatch(/^INCOMPLETE \(/);
  });

  it('merge with a shard missing exits 4 when nothing is violated', async () => {
    const base = ['--versions', 'v2-p1', '--platforms', 'cca', '--properties', 'no-double-decrypt', '--threads', '1', '--calls', '2', '--workers', '1', '--quiet'];
    expect(await main(['verify', ...base, '--shard', '1/2', '--out', join(root, 's1')], capture())).toBe(EXIT_OK);
    const io = capture();
    expect(await main(['merge', join(root, 's1'), '--out', join(root, 'merged')], io)).toBe(EXIT_INCOMPLETE);
    expect(io.stdout.at(-1)).toMatch(/^INCOMPLETE \(shards 2\/2 missing\): merged 1 shard/);
  });
});
