/** Read a results.json (a file or a report directory) with one-line errors for bad input. */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Results } from './results.ts';
import { RESULTS_SCHEMA_VERSION } from './results.ts';
import { UsageError } from './selection.ts';

export function loadResults(pathOrDir: string): Results {
  const path = existsSync(pathOrDir) && statSync(pathOrDir).isDirectory() ? join(pathOrDir, 'results.json') : pathOrDir;
  if (!existsSync(path)) throw new UsageError(`${path}: no such file`);
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new UsageError(`${path}: not valid JSON (${(e as Error).message.split('\n')[0]})`);
  }
  const r = data as Partial<Results> | null;
  if (!r || typeof r !== 'object' || r.tool !== 'dmacheck') throw new UsageError(`${path}: not a dmacheck results.json (no "tool": "dmacheck")`);
  if (r.schemaVersion !== RESULTS_SCHEMA_VERSION)
    throw new UsageError(`${path}: results schemaVersion ${String(r.schemaVersion)} is not supported (this dmacheck reads ${RESULTS_SCHEMA_VERSION})`);
  for (const k of ['selection', 'results', 'runs', 'coverage', 'reachability', 'totals'] as const)
    if (r[k] === undefined) throw new UsageError(`${path}: malformed results.json (missing "${k}")`);
  return r as Results;
}
