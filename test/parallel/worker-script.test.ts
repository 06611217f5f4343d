import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DIFF_WORKER } from '../../src/equivalence/diff-pool.ts';
import { parseSelection } from '../../src/check/selection.ts';
import { runBatch } from '../../src/parallel/batch.ts';
import type { BatchResponse } from '../../src/parallel/messages.ts';
import { WORKER } from '../../src/parallel/pool.ts';
import { startPool, workerScript } from '../../src/parallel/worker-script.ts';

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe('worker script', () => {
  it('bundles each worker once per process into one JavaScript file', async () => {
    const a = await workerScript(WORKER);
    expect(a.kind).toBe('bundle');
    expect(a.path).toMatch(/dmacheck-workers-[^/]+\/worker\.mjs$/);
    expect(existsSync(a.path)).toBe(true);
    expect(await workerScript(WORKER)).toBe(a);
    const d = await workerScript(DIFF_WORKER);
    expect(d.path).toMatch(/diff-worker\.mjs$/);
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
    const req = { selection: parseSelection({ versions: 'baseline', platforms: 'cca', threads: 1, calls: 2 }), indices: [0, 1, 2], explore: {} };
    const here = runBatch(req);
    expect(here.outcomes.map((o) => o.states).every((n) => n > 0)).toBe(true);
    const pool = await startPool(WORKER, 1);
    try {
      const there = (await pool.exec('runBatch', [req])) as BatchResponse;
      expect(there.outcomes).toEqual(here.outcomes);
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
    expect(path).toMatch(/dmacheck-workers-[^/]+\/worker\.mjs$/);
    expect(existsSync(dirname(path))).toBe(false);
  });

  it('loads the tsx entry when DMACHECK_WORKER_SCRIPT=tsx', async () => {
    vi.stubEnv('DMACHECK_WORKER_SCRIPT', 'tsx');
    expect(await workerScript(WORKER)).toEqual({ kind: 'tsx', path: fileURLToPath(WORKER.tsxEntry) });
  });

  it('falls back to the tsx entry, with one warning, when bundling fails', async () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const missing = { ts: new URL('./no-such-worker.ts', import.meta.url), tsxEntry: WORKER.tsxEntry };
    const s = await workerScript(missing);
    expect(s).toEqual({ kind: 'tsx', path: fileURLToPath(WORKER.tsxEntry) });
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toMatch(/^dmacheck: workers load TypeScript through tsx \(slower start\) because bundling failed: .*no-such-worker/);
  });
});
