/**
 * Read a results.json (a file or a report directory) for `merge` and
 * `verify --resume`, refusing in one line naming the file and the field
 * (exit code 2) anything this build cannot take: not JSON, another schema
 * version, fields of the wrong type (the published schema), or a selection,
 * run or counterexample this build does not have (an unknown version or
 * platform, a bound out of range, a run index past the matrix, a trace
 * that does not replay). A UTF-8 byte order mark is skipped.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PLATFORM_IDS } from '../../models/platforms.ts';
import { ENTRY_POINTS, VERSION_IDS } from '../../models/versions.ts';
import { PROPERTY_IDS } from '../../properties/index.ts';
import { validateResults } from '../report/schema.ts';
import { buildMatrix, type Matrix } from './matrix.ts';
import type { Results } from './results.ts';
import { RESULTS_SCHEMA_VERSION } from './results.ts';
import { MAX_CALLS, MAX_THREADS, parseBound, parseList, parseSelection, UsageError, type Selection } from './selection.ts';
import { buildTrace } from './trace.ts';

/** Text of a file with a leading UTF-8 byte order mark removed. */
export function readTextFile(path: string): string {
  const text = readFileSync(path, 'utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

export function loadResults(pathOrDir: string): Results {
  const stat = statSync(pathOrDir, { throwIfNoEntry: false });
  const path = stat?.isDirectory() ? join(pathOrDir, 'results.json') : pathOrDir;
  let text: string;
  try {
    text = readTextFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (e as Error).message.split('\n')[0]}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${path}: not valid JSON (${(e as Error).message.split('\n')[0]})`);
  }
  const r = data as Partial<Results> | null;
  if (!r || typeof r !== 'object' || r.tool !== 'dmacheck') throw new UsageError(`${path}: not a dmacheck results.json (no "tool": "dmacheck")`);
  if (r.schemaVersion !== RESULTS_SCHEMA_VERSION)
    throw new UsageError(`${path}: results schemaVersion ${String(r.schemaVersion)} is not supported (this dmacheck reads ${RESULTS_SCHEMA_VERSION})`);
  const errors = validateResults(r);
  if (errors.length) throw new UsageError(`${path}: malformed results.json: ${errors[0]}${errors.length > 1 ? ` (and ${errors.length - 1} more)` : ''}`);
  const results = r as Results;
  checkAgainstBuild(path, results, checkSelection(path, results.selection));
  return results;
}

/** The stored selection, parsed as this build parses one: every id known, the bound in range. */
function checkSelection(path: string, s: Selection): Matrix {
  const field = (name: string, check: () => unknown) => {
    try {
      check();
    } catch (e) {
      if (e instanceof UsageError) throw new UsageError(`${path}: selection.${name}: ${e.message}`);
      throw e;
    }
  };
  field('versions', () => parseList('version', s.versions.join(','), VERSION_IDS, 'list'));
  field('platforms', () => parseList('platform', s.platforms.join(','), PLATFORM_IDS, 'list'));
  field('properties', () => parseList('property', s.properties.join(','), PROPERTY_IDS, 'list'));
  field('entryPoints', () => parseList('entry point', s.entryPoints.join(','), ENTRY_POINTS, 'list'));
  field('device', () => parseSelection({ device: Object.entries(s.device).map(([k, v]) => `${k}=${v}`).join(',') || 'all' }));
  field('threads', () => parseBound('value', s.threads, 1, MAX_THREADS, 0));
  field('calls', () => parseBound('value', s.calls, 1, MAX_CALLS, 0));
  return buildMatrix(s);
}

/** Runs, verdicts and counterexamples must name runs of the selection's matrix. */
function checkAgainstBuild(path: string, r: Results, matrix: Matrix): void {
  const n = matrix.tasks.length;
  const bad = (field: string, msg: string): never => {
    throw new UsageError(`${path}: ${field}: ${msg}`);
  };
  if (r.shard && (r.shard.index < 1 || r.shard.index > r.shard.count)) bad('shard', `${r.shard.index}/${r.shard.count} is not a shard (valid: i/n with 1 <= i <= n)`);
  if (r.totals.runs > n) bad('totals.runs', `${r.totals.runs} runs, but the selection has ${n} in this dmacheck`);
  r.runs.forEach((run, i) => {
    if (run[0] >= n) bad(`runs[${i}]`, `run index ${run[0]} is past the selection's ${n} runs in this dmacheck`);
  });
  r.results.forEach((pr, i) => {
    if (!r.selection.versions.includes(pr.version)) bad(`results[${i}].version`, `'${pr.version}' is not in the selection (${r.selection.versions.join(', ')})`);
    if (!r.selection.properties.includes(pr.property)) bad(`results[${i}].property`, `'${pr.property}' is not in the selection (${r.selection.properties.join(', ')})`);
    pr.violations.forEach((g, j) => {
      const where = `results[${i}].violations[${j}]`;
      const task = matrix.tasks[g.runIndex];
      if (!task) return bad(`${where}.runIndex`, `${g.runIndex} is past the selection's ${n} runs in this dmacheck`);
      if (task.version !== pr.version || task.platform !== g.platform)
        bad(`${where}.platform`, `run ${g.runIndex} is ${task.version} on ${task.platform} in this dmacheck, not ${pr.version} on ${g.platform}`);
      try {
        buildTrace(task, pr.property, g.severity, g.trace.actions);
      } catch (e) {
        bad(`${where}.trace.actions`, `the counterexample does not replay in this dmacheck (${(e as Error).message.split('\n')[0]})`);
      }
    });
  });
}
