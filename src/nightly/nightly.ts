/**
 * `dmacheck nightly` as a function: verify the configured matrix, write the
 * full report set into the night's directory, and, given the previous
 * night's directory, compare.json and compare.md next to it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Results } from '../check/results.ts';
import { UsageError } from '../check/selection.ts';
import { verify, type VerifyOptions } from '../check/verify.ts';
import { compareMarkdown, compareResults, type Comparison } from '../report/compare.ts';
import { writeReports } from '../report/write.ts';

export interface NightlyOptions extends VerifyOptions {
  /** directory for tonight's reports */
  readonly out: string;
  /** the previous night's results and the directory they came from */
  readonly previous?: { readonly results: Results; readonly dir: string };
}

export interface NightlyOutcome {
  readonly results: Results;
  readonly comparison?: Comparison;
  /** every file written */
  readonly files: readonly string[];
}

/** `reports/2026-11-24`: tonight's directory (UTC date). */
export function dateDir(root = 'reports', now = new Date()): string {
  return join(root, now.toISOString().slice(0, 10));
}

const cannotCreate = (dir: string, e: unknown) =>
  new UsageError(`cannot create ${dir} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); give --out DIR`);

/**
 * Create tonight's directory and return it: `reports/2026-11-24`, or for a
 * second night on the same date `reports/2026-11-24.2`, `.3`, ... so that
 * no night overwrites another. Creating it (not only testing for it) keeps
 * two nightlies started at once apart as well.
 */
export function newNightDir(root = 'reports', now = new Date()): string {
  try {
    mkdirSync(root, { recursive: true });
  } catch (e) {
    throw cannotCreate(root, e);
  }
  const base = dateDir(root, now);
  for (let n = 1; ; n++) {
    const dir = n === 1 ? base : `${base}.${n}`;
    try {
      mkdirSync(dir);
      return dir;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw cannotCreate(dir, e);
    }
  }
}

export async function nightly(opts: NightlyOptions): Promise<NightlyOutcome> {
  const results = await verify(opts);
  const files = await writeReports(opts.out, results);
  if (!opts.previous) return { results, files };
  const comparison = compareResults(opts.previous.results, results);
  const json = join(opts.out, 'compare.json');
  const md = join(opts.out, 'compare.md');
  writeFileSync(json, JSON.stringify(comparison, null, 1) + '\n');
  writeFileSync(md, compareMarkdown(comparison, opts.previous.dir));
  return { results, comparison, files: [...files, json, md] };
}
