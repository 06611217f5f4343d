/**
 * The package as a user gets it: `npm pack` (which builds dist/ through the
 * `prepare` script), the tarball installed into an empty project without
 * dev dependencies, and its `dmacheck` bin run from there. No tsx, no
 * esbuild, no sources: the commands and their worker pools must run on the
 * build alone.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listing } from '../../src/cli/commands/list.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const PKG = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string; dependencies: Record<string, string> };
// the node running the tests, for npm and for the bin's `#!/usr/bin/env node`
const ENV = { ...process.env, PATH: `${dirname(process.execPath)}${delimiter}${process.env['PATH'] ?? ''}` };

let tmp: string;
let app: string;
let packed: string[];

function run(cmd: string, args: readonly string[], cwd: string): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { cwd, env: ENV, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function ok(r: SpawnSyncReturns<string>, what: string): string {
  if (r.status !== 0) throw new Error(`${what} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

/** The installed bin, as `npx dmacheck` would run it. */
function dmacheck(...args: string[]): SpawnSyncReturns<string> {
  return run(join(app, 'node_modules', '.bin', 'dmacheck'), args, app);
}

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'dmacheck-pack-'));
  const out = ok(run('npm', ['pack', '--json', '--pack-destination', tmp], ROOT), 'npm pack');
  // npm prints the prepare script's output before the JSON
  const [info] = JSON.parse(out.slice(out.indexOf('\n[') + 1)) as { filename: string; files: { path: string }[] }[];
  packed = info!.files.map((f) => f.path).sort();
  app = join(tmp, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }));
  ok(run('npm', ['install', '--omit=dev', '--no-audit', '--no-fund', join(tmp, info!.filename)], app), 'npm install');
}, 240_000);

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('the packed package', () => {
  it('ships the build, the results schema and the README, and no sources, tests or CI scripts', () => {
    for (const f of ['dist/dmacheck.mjs', 'dist/worker.mjs', 'dist/diff-worker.mjs', 'reports/schema/results.schema.json', 'README.md', 'package.json']) expect(packed).toContain(f);
    expect(packed.filter((f) => !/^(dist\/[\w-]+\.mjs|reports\/schema\/results\.schema\.json|reports\/README\.md|README\.md|package\.json)$/.test(f))).toEqual([]);
  });

  it('installs with its runtime dependencies only: no tsx, esbuild or test tools', () => {
    const modules = readdirSync(join(app, 'node_modules')).filter((n) => !n.startsWith('.'));
    for (const dep of [PKG.name, ...Object.keys(PKG.dependencies)]) expect(existsSync(join(app, 'node_modules', dep, 'package.json')), dep).toBe(true);
    for (const dev of ['tsx', 'esbuild', 'vitest', 'typescript', '@fast-check']) expect(modules).not.toContain(dev);
  });

  it('prints its version, without a commit (an installed package is no git checkout)', () => {
    const r = dmacheck('--version');
    expect([r.status, r.stdout, r.stderr]).toEqual([0, `dmacheck ${PKG.version}\n`, '']);
  });

  it('lists what the sources list', () => {
    const r = dmacheck('list', '--json');
    expect([r.status, r.stderr]).toEqual([0, '']);
    expect(JSON.parse(r.stdout)).toEqual(JSON.parse(JSON.stringify(listing())));
    const text = dmacheck('list');
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/^Versions:\n {2}baseline /);
  });

  it('verifies on two workers loading the built worker, and writes its reports', () => {
    const out = join(tmp, 'verify');
    const r = dmacheck('verify', '--versions', 'baseline', '--platforms', 'cca', '--threads', '1', '--calls', '2', '--workers', '2', '--quiet', '--out', out);
    expect(r.stderr).not.toMatch(/warning|tsx|Error/i);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/160 runs, 3764 states in/);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as { complete: boolean; totals: { runs: number; states: number } };
    expect([results.complete, results.totals.runs, results.totals.states]).toEqual([true, 160, 3764]);
    for (const f of ['summary.md', 'junit.xml', 'index.html']) expect(existsSync(join(out, f))).toBe(true);
    // reading results back goes through the shipped schema
    const resumed = dmacheck('verify', '--resume', out, '--quiet', '--out', join(tmp, 'resumed'));
    expect([resumed.status, resumed.stderr]).toEqual([1, '']);
  });

  it('runs diff on two workers loading the built diff worker', () => {
    const out = join(tmp, 'diff');
    const r = dmacheck('diff', 'baseline', 'v2-p1', '--platforms', 'cca', '--device', 'pool=own', '--threads', '1', '--calls', '2', '--workers', '2', '--quiet', '--out', out);
    expect(r.stderr).not.toMatch(/warning|tsx|Error/i);
    expect(r.status).toBe(1);
    expect((JSON.parse(readFileSync(join(out, 'diff.json'), 'utf8')) as { verdict: string }).verdict).toBe('different');
  });

  it('simulates with fast-check, a runtime dependency, and writes the violation as a trace file', () => {
    const out = join(tmp, 'simulate');
    const r = dmacheck('simulate', '--versions', 'baseline', '--platforms', 'cca', '--runs', '20', '--seed', '1', '--out', out);
    expect(r.stderr).toBe('simulate: seed 1; 20 scenario(s) of up to 3 thread(s) x 8 call(s); versions baseline; platforms cca\n');
    expect(r.status).toBe(1);
    const trace = join(out, 'simulate-seed-1.trace.json');
    expect(r.stdout).toContain(`trace: ${trace}`);
    expect(JSON.parse(readFileSync(trace, 'utf8'))).toMatchObject({ format: 'dmacheck-trace', run: { version: 'baseline', platform: 'cca' } });
  });
});
