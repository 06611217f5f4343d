/**
 * The bad-input battery: every command refuses bad input with exit code 2
 * and exactly one line on stderr naming the bad value, no stack trace,
 * nothing on stdout, and (for the flags that write) nothing written. Run
 * in-process through main(); the CLI binary is spawned only where the
 * process itself matters (another user, a pseudo-filesystem).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT_USAGE } from '../../src/cli/command.ts';
import { main } from '../../src/cli/main.ts';
import { capture } from './capture.ts';
import { VERSION_IDS } from '../../models/versions.ts';
import { results } from '../trace/fixtures.ts';

const ROOT = join(import.meta.dirname, '..', '..');

let dir = '';
/** a valid results.json with a violation (baseline, cca, a restricted pool: the double decrypt) */
let good = '';
/** the trace file of that violation */
let trace = '';
/** an existing plain file */
let file = '';
/** a kernel tree whose direct.c uses a construct the extractor does not handle */
let badTree = '';
/** the fixture tree (one entry point that extracts) */
const TREE = join(ROOT, 'test', 'fixtures', 'tree');
const PATCHES = join(ROOT, 'test', 'fixtures', 'patches');

/** A copy of the good results.json changed by `f`, written as NAME.json; returns its path. */
function resultsWith(name: string, f: (r: Record<string, any>) => void): string {
  const r = JSON.parse(readFileSync(good, 'utf8'));
  f(r);
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify(r));
  return path;
}

function configWith(name: string, c: Record<string, unknown>): string {
  const path = join(dir, `${name}.config.json`);
  writeFileSync(path, JSON.stringify(c));
  return path;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dmacheck-bad-input-'));
  good = join(dir, 'results.json');
  writeFileSync(good, JSON.stringify(await results('baseline', 'cca', 'coherent=1,pool=own,gfp=blocking,nkm=0', 'no-double-decrypt')));
  const io = capture();
  expect(await main(['trace', good, '--version', 'baseline', '--property', 'no-double-decrypt', '--format', 'json'], io)).toBe(0);
  trace = join(dir, 'dd.trace.json');
  writeFileSync(trace, io.stdout.join('\n'));
  file = join(dir, 'a-file');
  writeFileSync(file, 'not a directory\n');
  badTree = join(dir, 'badtree');
  mkdirSync(join(badTree, 'kernel', 'dma'), { recursive: true });
  copyFileSync(join(ROOT, 'test', 'fixtures', 'extract', 'unsupported.c'), join(badTree, 'kernel', 'dma', 'direct.c'));
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A small selection, so that a case that is wrongly accepted ends quickly. */
const SMALL = ['--versions', 'baseline', '--platforms', 'cca', '--threads', '1', '--calls', '1', '--workers', '1', '--quiet'];

/** [what, argv (a function: paths exist only after beforeAll), the message] */
const CASES: [string, () => string[], RegExp][] = [
  // verify
  ['verify: an unknown version', () => ['verify', '--versions', 'v9'], /unknown version 'v9' \(valid: baseline, /],
  ['verify: an empty --versions', () => ['verify', '--versions', ''], /--versions has an empty value/],
  ['verify: --platforms of commas only', () => ['verify', '--platforms', ',,'], /empty --platforms ',,' \(give a comma list, or omit it for all; valid: plain-x86, /],
  ['verify: --versions given twice', () => ['verify', '--versions', 'baseline', '--versions', 'v2-p1'], /--versions given more than once/],
  ['verify: --quiet given twice', () => ['verify', ...SMALL, '--quiet'], /--quiet given more than once/],
  ['verify: too many threads', () => ['verify', '--threads', '4'], /bad --threads '4' \(valid: an integer from 1 to 3\)/],
  ['verify: zero calls', () => ['verify', '--calls', '0'], /bad --calls '0' \(valid: an integer from 1 to 8\)/],
  ['verify: zero workers', () => ['verify', '--workers', '0'], /bad --workers '0' \(valid: an integer from 1 to 64\)/],
  ['verify: a bad device knob value', () => ['verify', '--device', 'pool=wet'], /bad value 'wet' for device knob pool \(valid: none, own, shared\)/],
  ['verify: a device knob set twice', () => ['verify', '--device', 'pool=own,pool=none'], /--device 'pool=own,pool=none' sets the knob pool twice/],
  ['verify: an empty --device', () => ['verify', '--device', ','], /empty --device ','/],
  ['verify: no program from the entry points', () => ['verify', '--entry-points', 'dma_direct_free'], /the selection has no runs: no program can be built from --entry-points dma_direct_free \(a program starts with dma_direct_alloc, /],
  ['verify: no device configuration', () => ['verify', '--platforms', 'tdx', '--device', 'pool=own'], /the selection has no runs: no device configuration of tdx matches --device pool=own \(excluded: tdx: a restricted-dma-pool needs/],
  ['verify: an unreadable --max-memory', () => ['verify', '--max-memory', 'lots'], /bad --max-memory 'lots' \(valid: a size in MiB, or with a K, M or G suffix/],
  ['verify: a --max-memory too small to run anything', () => ['verify', ...SMALL, '--max-memory', '64K'], /--max-memory '64K' is too small to run anything: at least 128K per worker/],
  ['verify: a shard past the count', () => ['verify', '--shard', '3/2'], /bad --shard '3\/2'/],
  ['verify: --out an existing file', () => ['verify', ...SMALL, '--out', file], /--out '.*a-file' is an existing file, not a directory/],
  ['verify: --out a path under a file', () => ['verify', ...SMALL, '--out', join(file, 'sub')], /--out '.*a-file\/sub': .*a-file is a file, not a directory/],
  ['verify: --out under /proc', () => ['verify', ...SMALL, '--out', '/proc/x'], /--out '\/proc\/x' is on a kernel pseudo-filesystem/],
  ['verify: --out empty', () => ['verify', ...SMALL, '--out='], /--out has an empty value/],
  ['verify: --resume a directory without results', () => ['verify', '--resume', join(dir, 'nowhere')], /--resume: .*nowhere: no such file/],
  ['verify: --resume results naming an unknown version', () => ['verify', '--resume', resultsWith('resume-v9', (r) => { r['selection'].versions = ['v9']; })], /--resume: .*resume-v9\.json: selection\.versions: unknown version 'v9' \(valid: baseline, /],
  ['verify: an unknown option', () => ['verify', '--frobnicate'], /unknown option '--frobnicate' for 'dmacheck verify'/],
  ['verify: a positional argument', () => ['verify', 'baseline'], /unexpected argument 'baseline' \(verify takes only options\)/],
  ['verify: a --tree name that is not an id', () => ['verify', ...SMALL, '--tree', `my tree=${TREE}`], /bad --tree 'my tree=.*': 'my tree' cannot be a version id \(valid: letters, digits/],
  ['verify: a --tree with no directory', () => ['verify', ...SMALL, '--tree', 'mine='], /bad --tree 'mine=' \(valid: NAME=DIR or DIR/],
  ['verify: a --tree named after a version', () => ['verify', ...SMALL, '--tree', `baseline=${TREE}`], /--tree 'baseline=.*': 'baseline' is already a version id \(taken: baseline, v2-p1, /],
  ['verify: two trees of one name', () => ['verify', ...SMALL, '--tree', `m=${TREE}`, '--tree', `m=${badTree}`], /--tree 'm=.*badtree': the name 'm' is given to two trees/],
  ['verify: a --tree that does not exist', () => ['verify', ...SMALL, '--tree', `m=${join(dir, 'nowhere')}`], /no such directory '.*nowhere' \(--tree takes a kernel source tree\)/],
  ['verify: a --tree that is no kernel tree', () => ['verify', ...SMALL, '--tree', `m=${dir}`], /'.*dmacheck-bad-input-.*' is not a kernel tree: no kernel\/dma\/direct\.c/],
  ['verify: a --tree that does not extract', () => ['verify', ...SMALL, '--tree', `m=${badTree}`], /--tree m: .*badtree\/kernel\/dma\/direct\.c:5:2: unsupported construct 'switch statement'/],
  ['verify: an unknown --env', () => ['verify', ...SMALL, '--tree', `m=${TREE}`, '--env', 'v9'], /unknown --env version 'v9' \(valid: baseline, /],
  ['verify: --env without --tree', () => ['verify', ...SMALL, '--env', 'v7.3'], /--env 'v7\.3' applies to the versions of --tree, and none is given/],
  ['verify: a tree version and an unknown one', () => ['verify', '--platforms', 'cca', '--tree', `m=${TREE}`, '--versions', 'm,v9'], /unknown version 'v9' \(valid: baseline, .*, v7\.3, m\)/],
  // list
  ['list: an argument', () => ['list', 'versions'], /unexpected argument 'versions' \(list takes none\)/],
  ['list: --json given twice', () => ['list', '--json', '--json'], /--json given more than once/],
  ['list: an option of another command', () => ['list', '--versions', 'baseline'], /unknown option '--versions' for 'dmacheck list' \(valid: --json\)/],
  // trace
  ['trace: no file', () => ['trace'], /missing the results or trace file/],
  ['trace: a missing file', () => ['trace', join(dir, 'none.json')], /none\.json: cannot read the file \(ENOENT\)/],
  ['trace: a truncated file', () => { writeFileSync(join(dir, 'cut.json'), '{"tool": "dmacheck", "res'); return ['trace', join(dir, 'cut.json')]; }, /cut\.json: not valid JSON/],
  ['trace: an unknown --format', () => ['trace', good, '--format', 'pdf'], /unknown --format 'pdf' \(valid: mail, md, json\)/],
  ['trace: a results filter on a trace file', () => ['trace', trace, '--version', 'baseline'], /--version selects a counterexample in a results file; .*dd\.trace\.json is a trace file/],
  ['trace: --index 0', () => ['trace', good, '--index', '0'], /bad --index '0'/],
  // replay
  ['replay: an unknown --version', () => ['replay', trace, '--version', 'v9'], /unknown version 'v9' \(valid: baseline, /],
  ['replay: a results file', () => ['replay', good], /results\.json is a results file, not a trace file/],
  ['replay: a trace of an unknown version', () => {
    const t = JSON.parse(readFileSync(trace, 'utf8'));
    t.run.version = 'v7';
    writeFileSync(join(dir, 'v7.trace.json'), JSON.stringify(t));
    return ['replay', join(dir, 'v7.trace.json')];
  }, /v7\.trace\.json: .*'v7'/],
  ['replay: two files', () => ['replay', trace, trace], /unexpected argument/],
  // diff
  ['diff: one version', () => ['diff', 'baseline'], /diff takes two versions, got 1/],
  ['diff: one version and two trees', () => ['diff', 'baseline', '--tree', `m=${TREE}`, '--tree', `n=${TREE}`], /diff takes two versions, got 1: dmacheck diff A B, or A and one --tree NAME=DIR \(got 2 --tree\) \(valid: /],
  ['diff: an unknown version', () => ['diff', 'baseline', 'v9'], /unknown version 'v9' \(valid: baseline, /],
  ['diff: an unknown observable', () => ['diff', 'baseline', 'v2-p1', '--observable', 'everything'], /unknown observable 'everything' \(valid: calls-v1, /],
  ['diff: an empty selection', () => ['diff', 'baseline', 'v2-p1', '--platforms', 'tdx', '--device', 'pool=own'], /the selection has no runs: no device configuration of tdx/],
  ['diff: --out an existing file', () => ['diff', 'baseline', 'v2-p1', '--platforms', 'cca', '--threads', '1', '--calls', '1', '--out', file], /--out '.*a-file' is an existing file/],
  ['diff: an empty --threads', () => ['diff', 'baseline', 'v2-p1', '--threads='], /--threads has an empty value/],
  // merge
  ['merge: no file', () => ['merge'], /merge needs the results\.json files/],
  ['merge: a missing file', () => ['merge', join(dir, 'none.json')], /none\.json: no such file/],
  ['merge: not JSON', () => ['merge', file], /a-file: not valid JSON/],
  ['merge: an unknown version', () => ['merge', resultsWith('v9', (r) => { r['selection'].versions = ['v9']; })], /v9\.json: selection\.versions: unknown version 'v9' \(valid: baseline, /],
  ['merge: an unknown platform', () => ['merge', resultsWith('riscv', (r) => { r['selection'].platforms = ['riscv']; })], /riscv\.json: selection\.platforms: unknown platform 'riscv' \(valid: plain-x86, /],
  ['merge: a bound out of range', () => ['merge', resultsWith('threads9', (r) => { r['selection'].threads = 9; })], /threads9\.json: selection\.threads: bad value '9' \(valid: an integer from 1 to 3\)/],
  ['merge: runs of the wrong type', () => ['merge', resultsWith('runs-text', (r) => { r['runs'] = 'all of them'; })], /runs-text\.json: malformed results\.json: \/runs: must be array, not string/],
  ['merge: a verdict of the wrong type', () => ['merge', resultsWith('verdict-num', (r) => { r['results'][0].verdict = 3; })], /verdict-num\.json: malformed results\.json: \/results\/0\/verdict: /],
  ['merge: a run index past the matrix', () => ['merge', resultsWith('run-index', (r) => { r['runs'][0][0] = 99999; })], /run-index\.json: runs\[0\]: run index 99999 is past the selection's \d+ runs/],
  ['merge: a counterexample of another run', () => ['merge', resultsWith('cex-index', (r) => { r['results'][0].violations[0].runIndex = 99999; })], /cex-index\.json: results\[0\]\.violations\[0\]\.runIndex: 99999 is past/],
  ['merge: a counterexample that does not replay', () => ['merge', resultsWith('cex-actions', (r) => { r['results'][0].violations[0].trace.actions = [9999, 9999]; })], /cex-actions\.json: results\[0\]\.violations\[0\]\.trace\.actions: the counterexample does not replay/],
  ['merge: another schema version', () => ['merge', resultsWith('schema2', (r) => { r['schemaVersion'] = 2; })], /schema2\.json: results schemaVersion 2 is not supported/],
  ['merge: --out under /proc', () => ['merge', good, '--out', '/proc/x'], /--out '\/proc\/x' is on a kernel pseudo-filesystem/],
  // nightly
  ['nightly: a missing config', () => ['nightly', '--config', join(dir, 'none.config.json')], /none\.config\.json: no such config file/],
  ['nightly: an empty version list in the config', () => ['nightly', '--config', configWith('empty', { versions: '' })], /empty\.config\.json: versions: empty list ""/],
  ['nightly: a config maxMemory too small to run anything', () => ['nightly', '--config', configWith('tiny', { versions: ['baseline'], platforms: ['cca'], bound: { threads: 1, calls: 1 }, workers: 1, maxMemory: '64K' })], /tiny\.config\.json: maxMemory '64K' is too small to run anything/],
  ['nightly: an empty selection in the config', () => ['nightly', '--config', configWith('none', { platforms: ['tdx'], device: 'pool=own' })], /the selection has no runs: no device configuration of tdx/],
  ['nightly: --out an existing file', () => ['nightly', '--config', configWith('ok', { versions: ['baseline'], platforms: ['cca'], bound: { threads: 1, calls: 1 }, workers: 1 }), '--out', file], /--out '.*a-file' is an existing file/],
  ['nightly: a --previous without results', () => ['nightly', '--config', configWith('ok2', { versions: ['baseline'] }), '--previous', join(dir, 'nowhere')], /--previous: .*nowhere.*no such file/],
  ['nightly: config trees that are not NAME: DIR', () => ['nightly', '--config', configWith('trees-list', { trees: [TREE] })], /trees-list\.config\.json: trees: bad value \[".*"\] \(valid: \{"NAME": "DIR", \.\.\.\}/],
  ['nightly: a config env without trees', () => ['nightly', '--config', configWith('env-alone', { env: 'v7.3' })], /env-alone\.config\.json: env: applies to the versions of trees, and the config has none/],
  ['nightly: a config tree that does not extract', () => ['nightly', '--config', configWith('bad-tree', { trees: { m: badTree } })], /bad-tree\.config\.json: trees: --tree m: .*direct\.c:5:2: unsupported construct/],
  // check-patch
  ['check-patch: a patch that does not apply', () => ['check-patch', join(PATCHES, 'does-not-apply.patch'), '--tree', TREE, '--out', join(dir, 'cp')], /patch '.*does-not-apply\.patch' does not apply: the hunk at kernel\/dma\/direct\.c:16 does not match the tree/],
  ['check-patch: no --tree', () => ['check-patch', join(PATCHES, 'whitespace-only.patch')], /missing --tree DIR/],
  ['check-patch: a missing patch', () => ['check-patch', join(dir, 'none.patch'), '--tree', TREE], /no such file '.*none\.patch'/],
  ['check-patch: not a unified diff', () => ['check-patch', file, '--tree', TREE, '--out', join(dir, 'cp2')], /patch '.*a-file' is not a unified diff/],
  ['check-patch: a tree that does not extract', () => ['check-patch', join(PATCHES, 'whitespace-only.patch'), '--tree', badTree, '--out', join(dir, 'cp3')], /--tree unpatched: .*direct\.c:5:2: unsupported construct/],
  // check-kernel
  ['check-kernel: no tree', () => ['check-kernel'], /missing the trees: dmacheck check-kernel DIR/],
  ['check-kernel: a NAME that is no hand-written version', () => ['check-kernel', `mine=${TREE}`], /tree 'mine=.*': 'mine' is not a hand-written version \(valid: baseline, /],
  ['check-kernel: one tree without --as', () => ['check-kernel', TREE], /'.*tree' is one tree: say which hand-written version it is with --as VERSION/],
  ['check-kernel: a directory without trees', () => ['check-kernel', dir], /'.*' is no kernel tree \(no kernel\/dma\/direct\.c\) and has no subdirectory named after a hand-written version/],
  ['check-kernel: an unknown --as', () => ['check-kernel', TREE, '--as', 'v9'], /--as: 'v9' is not a hand-written version/],
  // simulate
  ['simulate: a seed that is not a number', () => ['simulate', '--seed', 'x'], /bad --seed 'x' \(valid: an integer\)/],
  ['simulate: too many calls', () => ['simulate', '--calls', '16'], /bad --calls '16' \(valid: an integer from 1 to 15\)/],
  ['simulate: no program from the entry points', () => ['simulate', '--entry-points', 'dma_direct_free_pages'], /the selection has no runs: no program can be built from --entry-points dma_direct_free_pages/],
  ['simulate: --out under /proc', () => ['simulate', '--runs', '1', '--out', '/proc/x'], /--out '\/proc\/x' is on a kernel pseudo-filesystem/],
  ['simulate: --versions of commas only', () => ['simulate', '--versions', ',,'], /empty --versions ',,'/],
];

describe('bad input: exit 2 and one line naming the bad value', () => {
  it('covers at least 40 distinct bad inputs, across every command', () => {
    expect(new Set(CASES.map(([, argv]) => argv.toString())).size).toBe(CASES.length);
    expect(CASES.length).toBeGreaterThanOrEqual(40);
    const commands = new Set(CASES.map(([what]) => what.split(':')[0]));
    expect([...commands].sort()).toEqual(['check-kernel', 'check-patch', 'diff', 'list', 'merge', 'nightly', 'replay', 'simulate', 'trace', 'verify']);
  });

  for (const [what, argv, message] of CASES) {
    it(what, async () => {
      const args = argv();
      const io = capture();
      const code = await main(args, io);
      expect({ code, stderr: io.stderr }).toEqual({ code: EXIT_USAGE, stderr: [expect.stringMatching(message)] });
      expect(io.stderr[0]!.split('\n')).toHaveLength(1);
      expect(io.stderr[0]).toMatch(new RegExp(`^dmacheck ${args[0]}: `));
      expect(io.stderr[0]).not.toMatch(/\n\s+at |internal error/);
      expect(io.stdout).toEqual([]);
    });
  }

  it('writes nothing for a refused --out, and never creates the directory', async () => {
    const before = readdirSync(dir).sort();
    expect(await main(['verify', ...SMALL, '--out', join(file, 'sub', 'deeper')], capture())).toBe(EXIT_USAGE);
    expect(await main(['verify', ...SMALL, '--versions', 'v9', '--out', join(dir, 'fresh')], capture())).toBe(EXIT_USAGE);
    expect(readdirSync(dir).sort()).toEqual(before);
    expect(existsSync(join(dir, 'fresh'))).toBe(false);
  });

  it('accepts a results file and a trace file that start with a UTF-8 byte order mark', async () => {
    const bomResults = join(dir, 'bom-results.json');
    const bomTrace = join(dir, 'bom.trace.json');
    writeFileSync(bomResults, '\uFEFF' + readFileSync(good, 'utf8'));
    writeFileSync(bomTrace, '\uFEFF' + readFileSync(trace, 'utf8'));
    const out = join(dir, 'bom-merged');
    try {
      expect(await main(['merge', bomResults, '--out', out, '--json'], capture())).toBe(1);
      expect(await main(['trace', bomTrace], capture())).toBe(0);
      expect(await main(['replay', bomTrace], capture())).toBe(1);
      expect(await main(['replay', bomTrace, '--version', 'v2-p1'], capture())).toBe(0);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

describe('bad input through the real CLI process', () => {
  const cli = (args: string[], opts: { uid?: number; gid?: number } = {}) =>
    spawnSync(process.execPath, [join(ROOT, 'bin', 'dmacheck.mjs'), ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000, ...opts });

  it('refuses --out /proc/x at once with exit 2 (no hang, no stack trace)', () => {
    const r = cli(['verify', ...SMALL, '--out', '/proc/x']);
    expect(r.status).toBe(EXIT_USAGE);
    expect(r.stderr).toBe("dmacheck verify: --out '/proc/x' is on a kernel pseudo-filesystem (/proc, /sys, /dev); give a directory on disk\n");
    expect(r.stdout).toBe('');
  });

  it('lists every valid version in a refusal, as the in-process main does', () => {
    const r = cli(['verify', '--versions', 'v9']);
    expect(r.status).toBe(EXIT_USAGE);
    expect(r.stderr).toBe(`dmacheck verify: unknown version 'v9' (valid: ${VERSION_IDS.join(', ')})\n`);
  });
});
