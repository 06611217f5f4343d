import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DIFF_WORKER } from '../../src/equivalence/diff-pool.ts';
import { parseSelection } from '../../src/check/selection.ts';
import { runBatch } from '../../src/parallel/batch.ts';
import type { BatchResponse } from '../../src/parallel/messages.ts';
import { WORKER } from '../../src/parallel/pool.ts';
import { DIR_PREFIX, startPool, sweepDeadDirs, workerScript } from '../../src/parallel/worker-script.ts';

beforeEach(() => {
  // the default, whatever the developer's shell exports
  vi.stubEnv('DMACHECK_WORKER_SCRIPT', '');
});

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe('worker script', () => {
  it('bundles each worker once per process into one JavaScript file', async () => {
    const a = await workerScript(WORKER);
    expect(a.kind).toBe('bundle');
    expect(a.path).toMatch(new RegExp(`/${DIR_PREFIX}${process.pid}-[^/]+/\\d+-worker\\.mjs$`));
    expect(existsSync(a.path)).toBe(true);
    expect(await workerScript(WORKER)).toBe(a);
    const d = await workerScript(DIFF_WORKER);
    expect(d.path).toMatch(/\/\d+-diff-worker\.mjs$/);
    expect(dirname(d.path)).toBe(dirname(a.path));
    expect(d.path).not.toBe(a.path);
  });

  it('bundles no module that finds files next to its source (the bundle lives elsewhere)', async () => {
    for (const src of [WORKER, DIFF_WORKER]) {
      const text = readFileSync((await workerScript(src)).path, 'utf8');
      // the banner's createRequire is the one use of import.meta
      expect(text.split('import.meta').length - 1).toBe(1);
      expect(text).not.toMatch(/from ['"]\.\.?\//);
    }
  });

  it('runs a batch in a worker loading the bundle exactly as in this thread', async () => {
    const req = { selection: parseSelection({ versions: 'baseline', platforms: 'cca', threads: 1, calls: 2 }), indices: [0, 1, 2], explore: {}, generation: 1 };
    const here = runBatch(req);
    expect(here.outcomes.map((o) => o.states).every((n) => n > 0)).toBe(true);
    const pool = await startPool(WORKER, 1);
    try {
      const there = (await pool.exec('runBatch', [req])) as BatchResponse;
      expect(there.outcomes).toEqual(here.outcomes);
      expect(Object.keys(there.coverage)).toEqual(['baseline']);
      expect(there.coverage).toEqual(here.coverage);
    } finally {
      await pool.terminate(true);
    }
  });

  it('removes its directory when the process exits', () => {
    const code = `import(${JSON.stringify(new URL('../../src/parallel/worker-script.ts', import.meta.url).href)}).then(async (m) => {
      const pool = await import(${JSON.stringify(new URL('../../src/parallel/pool.ts', import.meta.url).href)});
      console.log((await m.workerScript(pool.WORKER)).path);
    })`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', code], { encoding: 'utf8', env: { ...process.env, DMACHECK_WORKER_SCRIPT: '' } });
    expect(r.status).toBe(0);
    const path = r.stdout.trim();
    expect(path).toMatch(/dmacheck-workers-\d+-[^/]+\/\d+-worker\.mjs$/);
    expect(existsSync(dirname(path))).toBe(false);
  });

  it("removes a killed process's directory at the next bundling, and only directories of processes that are gone", () => {
    // a process killed by a signal's default action never runs its exit handlers
    const code = `import(${JSON.stringify(new URL('../../src/parallel/worker-script.ts', import.meta.url).href)}).then(async (m) => {
      const pool = await import(${JSON.stringify(new URL('../../src/parallel/pool.ts', import.meta.url).href)});
      console.log((await m.workerScript(pool.WORKER)).path);
      process.kill(process.pid, 'SIGKILL');
    })`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', code], { encoding: 'utf8', env: { ...process.env, DMACHECK_WORKER_SCRIPT: '' } });
    expect(r.signal).toBe('SIGKILL');
    const left = dirname(r.stdout.trim());
    expect(existsSync(left)).toBe(true);
    // a private root: the dead process's directory, one of this live process, and a name that is not ours
    const root = mkdtempSync(join(tmpdir(), 'sweep-test-'));
    try {
      const dead = join(root, `${DIR_PREFIX}${r.pid}-abc`);
      const live = join(root, `${DIR_PREFIX}${process.pid}-abc`);
      const other = join(root, `${DIR_PREFIX}x-abc`);
      for (const d of [dead, live, other]) mkdirSync(d);
      sweepDeadDirs(root);
      expect(readdirSync(root).sort()).toEqual([`${DIR_PREFIX}${process.pid}-abc`, `${DIR_PREFIX}x-abc`]);
      sweepDeadDirs();
      expect(existsSync(left)).toBe(false);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('loads the tsx entry when DMACHECK_WORKER_SCRIPT=tsx, and warns once about a value it does not know', async () => {
    vi.stubEnv('DMACHECK_WORKER_SCRIPT', 'tsx');
    expect(await workerScript(WORKER)).toEqual({ kind: 'tsx', path: fileURLToPath(WORKER.tsxEntry) });
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    vi.stubEnv('DMACHECK_WORKER_SCRIPT', 'TSX');
    expect((await workerScript(WORKER)).kind).toBe('bundle');
    expect((await workerScript(DIFF_WORKER)).kind).toBe('bundle');
    expect(warn.mock.calls.map((c) => String(c[0]))).toEqual(["dmacheck: ignoring DMACHECK_WORKER_SCRIPT='TSX' (valid: bundle, tsx); workers load the bundle"]);
  });

  it('falls back to the tsx entry, with one warning, when bundling fails', async () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const missing = { ts: new URL('./no-such-worker.ts', import.meta.url), tsxEntry: WORKER.tsxEntry };
    const s = await workerScript(missing);
    expect(s).toEqual({ kind: 'tsx', path: fileURLToPath(WORKER.tsxEntry) });
    const other = { ts: new URL('./no-such-worker-either.ts', import.meta.url), tsxEntry: DIFF_WORKER.tsxEntry };
    expect(await workerScript(other)).toEqual({ kind: 'tsx', path: fileURLToPath(DIFF_WORKER.tsxEntry) });
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toMatch(/^dmacheck: workers load TypeScript through tsx \(slower start\) because bundling failed: .*no-such-worker/);
  });
});
