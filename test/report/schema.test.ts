import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { parseSelection } from '../../src/check/selection.ts';
import { verify } from '../../src/check/verify.ts';
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
});
