import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { versionById, VERSIONS } from '../../models/versions.ts';
import { mergeShards } from '../../src/check/merge.ts';
import type { Results } from '../../src/check/results.ts';
import { parseSelection } from '../../src/check/selection.ts';
import { commitOf } from '../../src/check/tool-info.ts';
import { versionSource, type HandWrittenSource } from '../../src/check/version-source.ts';
import { verify } from '../../src/check/verify.ts';
import { compareResults } from '../../src/report/compare.ts';
import { readResultsFile, RESULTS_SCHEMA_PATH, resultsSchema, validateResults } from '../../src/report/schema.ts';
import { writeReports } from '../../src/report/write.ts';
import { clone, SMALL, smallResults } from './fixture.ts';
import { tempDir } from '../temp-dir.ts';

const ajv = new Ajv2020({ allErrors: true, strict: true });
ajv.addFormat('date-time', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
const ajvValidate = ajv.compile(JSON.parse(readFileSync(RESULTS_SCHEMA_PATH, 'utf8')) as object);

describe('results.json schema', () => {
  it('is published at reports/schema/results.schema.json and compiles in strict ajv', () => {
    expect(RESULTS_SCHEMA_PATH.endsWith(join('reports', 'schema', 'results.schema.json'))).toBe(true);
    expect((resultsSchema() as Record<string, unknown>)['$schema']).toBe('https://json-schema.org/draft/2020-12/schema');
  });

  it('accepts the results.json that writeReports writes, by ajv and by the built-in validator', async () => {
    const res = await smallResults();
    expect(res.results.some((r) => r.verdict === 'violated')).toBe(true);
    const dir = tempDir('schema');
    await writeReports(dir, res);
    const written = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as unknown;
    expect(ajvValidate(written), JSON.stringify(ajvValidate.errors)).toBe(true);
    expect(validateResults(written)).toEqual([]);
    expect(readResultsFile(dir).totals).toEqual(res.totals);
  });

  it('accepts an interrupted (complete: false) result and a shard', async () => {
    let n = 0;
    const res = await verify({ selection: parseSelection(SMALL), workers: 0, shard: { index: 1, count: 2 }, batchSize: 4, shouldStop: () => n++ >= 2 });
    expect(res.complete).toBe(false);
    expect(res.incompleteReason).toMatch(/^interrupted after 8 of \d+ runs$/);
    expect(ajvValidate(res), JSON.stringify(ajvValidate.errors)).toBe(true);
    expect(validateResults(res)).toEqual([]);
  });

  it('rejects malformed results the same way ajv does, naming the place', async () => {
    const good = await smallResults();
    const cases: [string, (r: Record<string, any>) => void, string][] = [
      ['verdict', (r) => { r['results'][0].verdict = 'maybe'; }, '/results/0/verdict: must be one of "holds", "violated"'],
      ['missing totals', (r) => { delete r['totals']; }, "/: missing required 'totals'"],
      ['extra key', (r) => { r['surprise'] = 1; }, "/: unknown key 'surprise'"],
      ['run record', (r) => { r['runs'][0] = [0, 1, 2]; }, '/runs/0: must have at least 5 items'],
      ['negative count', (r) => { r['totals'].states = -1; }, '/totals/states: must be >= 0'],
      ['trace format', (r) => { r['results'].find((x: any) => x.violations.length).violations[0].trace.format = 'other'; }, 'trace/format: must be "dmacheck-trace"'],
      ['string as number', (r) => { r['selection'].threads = '2'; }, '/selection/threads: must be integer, not string'],
    ];
    for (const [name, mutate, message] of cases) {
      const bad = clone(good) as unknown as Record<string, any>;
      mutate(bad);
      expect(ajvValidate(bad), name).toBe(false);
      const errors = validateResults(bad);
      expect(errors.length, name).toBeGreaterThan(0);
      expect(errors.join('\n'), name).toContain(message);
    }
  });

  it('reads a bad results.json as one line naming the file and the problem', async () => {
    const dir = tempDir('schema');
    const file = join(dir, 'results.json');
    expect(() => readResultsFile(dir)).toThrow(`${file}: no such file`);
    writeFileSync(file, '{"tool": "dmacheck",');
    expect(() => readResultsFile(dir)).toThrow(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: not JSON \\(`));
    const bad = clone(await smallResults()) as unknown as Record<string, unknown>;
    bad['complete'] = 'yes';
    writeFileSync(file, JSON.stringify(bad));
    expect(() => readResultsFile(dir)).toThrow(`${file}: not a dmacheck results.json: /complete: must be boolean, not string`);
  });

  it('records the dmacheck version and commit, and what each kernel version is', async () => {
    const res = await smallResults();
    const root = join(import.meta.dirname, '..', '..');
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
    expect(res.dmacheck).toEqual({ version: pkg.version, commit: head });
    expect(Object.keys(res.kernelVersions!)).toEqual(['baseline', 'v2-p1']);
    expect(res.kernelVersions!['v2-p1']).toEqual({
      source: {
        kind: 'hand-written',
        description: versionById('v2-p1')!.description,
        basedOn: 'kernel/dma/direct.c at gregkh/linux 2c142b63c8ee982cdfdba49a616027c266294838',
      },
    });
    expect((res.kernelVersions!['v2-p1']!.source as HandWrittenSource).description).toContain('Avoid double decrypting with DMA_RESTRICTED_POOL');
  });

  it('names, for every version this build has, what it models and the source commit it applies to', () => {
    for (const v of VERSIONS) {
      const s = versionSource(v.id) as HandWrittenSource;
      expect(s.kind, v.id).toBe('hand-written');
      expect(s.description, v.id).toBe(v.description);
      expect(s.basedOn, v.id).toMatch(/^kernel\/dma\/direct\.c at (gregkh\/linux )?[0-9a-f]{7,40}$/);
    }
    expect(versionSource('no-such-version')).toBeUndefined();
  });

  it('records no commit outside a checkout, nor that of a repository the package only sits in', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dmacheck-schema-'));
    try {
      expect(commitOf(dir)).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const root = join(import.meta.dirname, '..', '..');
    expect(commitOf(join(root, 'src'))).toBeUndefined();
    expect(commitOf(root)).toMatch(/^[0-9a-f]{40}$/);
  });

  it('refuses malformed version metadata, naming the place', async () => {
    const cases: [string, (r: Record<string, any>) => void, string][] = [
      ['dmacheck version', (r) => { r['dmacheck'].version = 1; }, '/dmacheck/version: must be string, not integer'],
      ['dmacheck extra', (r) => { r['dmacheck'].branch = 'main'; }, "/dmacheck: unknown key 'branch'"],
      ['missing source', (r) => { r['kernelVersions']['baseline'] = {}; }, "/kernelVersions/baseline: missing required 'source'"],
      ['source kind', (r) => { delete r['kernelVersions']['baseline'].source.kind; }, "/kernelVersions/baseline/source: missing required 'kind'"],
    ];
    for (const [name, mutate, message] of cases) {
      const bad = clone(await smallResults()) as unknown as Record<string, any>;
      mutate(bad);
      expect(ajvValidate(bad), name).toBe(false);
      expect(validateResults(bad).join('\n'), name).toContain(message);
    }
    // a later kind with its own fields is accepted
    const tree = clone(await smallResults()) as unknown as Record<string, any>;
    tree['kernelVersions']['baseline'].source = { kind: 'tree', path: '/src/linux', commit: 'abc' };
    expect(validateResults(tree)).toEqual([]);
    expect(ajvValidate(tree)).toBe(true);
  });

  it('still loads, merges, resumes and compares results written before the version metadata', async () => {
    const old = (r: Results): Results => {
      const { dmacheck: _d, kernelVersions: _k, ...rest } = clone(r);
      return rest as Results;
    };
    const full = old(await smallResults());
    const dir = mkdtempSync(join(tmpdir(), 'dmacheck-schema-'));
    try {
      writeFileSync(join(dir, 'results.json'), JSON.stringify(full));
      expect(ajvValidate(full)).toBe(true);
      const loaded = readResultsFile(dir);
      expect(loaded.dmacheck).toBeUndefined();
      expect(compareResults(loaded, await smallResults()).unchangedViolations).toHaveLength(32);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const sel = parseSelection(SMALL);
    const shards = await Promise.all([1, 2].map((index) => verify({ selection: sel, workers: 0, shard: { index, count: 2 } })));
    const merged = mergeShards(shards.map((r, i) => ({ path: `shard-${i + 1}`, results: old(r) })));
    expect(merged.complete).toBe(true);
    expect(merged.totals).toEqual(full.totals);
    expect(merged.dmacheck).toEqual((await smallResults()).dmacheck);
    let n = 0;
    const partial = old(await verify({ selection: sel, workers: 0, batchSize: 4, shouldStop: () => n++ >= 2 }));
    const resumed = await verify({ selection: sel, workers: 0, resume: partial });
    expect(resumed.complete).toBe(true);
    expect(resumed.results).toEqual((await smallResults()).results);
  });
});
