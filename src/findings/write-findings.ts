/**
 * Writing the findings: findings.json (the data the Markdown is rendered
 * from), one trace file per violated property, README.md, and the section
 * of a README between the findings markers. Reading them back, so that the
 * Markdown can be rendered again without re-running the checker.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { PROPERTY_IDS } from '../../properties/index.ts';
import { UsageError } from '../check/selection.ts';
import type { Trace } from '../check/trace.ts';
import { parseJson, readInputFile, traceFileText } from '../trace/trace-file.ts';
import { FINDINGS_FORMAT, FINDINGS_SCHEMA_VERSION, traceFileOf, type Findings } from './findings.ts';
import { readmeSection, renderFindings } from './render-findings.ts';

export const FINDINGS_START = '<!-- findings:start -->';
export const FINDINGS_END = '<!-- findings:end -->';
export const FINDINGS_JSON = 'findings.json';
export const FINDINGS_MD = 'README.md';

/** A path as the generated text names it: relative to `from`, with `/`. */
export function displayPath(path: string, from = process.cwd()): string {
  return (relative(from, resolve(path)) || '.').split(sep).join('/');
}

function writeAtomic(path: string, text: string): void {
  writeFileSync(path + '.tmp', text);
  renameSync(path + '.tmp', path);
}

/** `text` with the part between the findings markers replaced by `section`; a file without both markers, in order, is bad input. */
export function replaceSection(text: string, section: string, where: string): string {
  const start = text.indexOf(FINDINGS_START);
  const end = text.indexOf(FINDINGS_END);
  if (start < 0 || end < start)
    throw new UsageError(`${where} has no '${FINDINGS_START}' ... '${FINDINGS_END}' markers (add them, in that order, where the findings go)`);
  return `${text.slice(0, start + FINDINGS_START.length)}\n${section}${text.slice(end)}`;
}

/** Check a README for the markers before anything runs (a long run should not end in a usage error). */
export function checkReadme(readme: string): void {
  if (!existsSync(readme)) throw new UsageError(`--readme '${readme}' does not exist`);
  replaceSection(readFileSync(readme, 'utf8'), '', readme);
}

/** Render the Markdown of `findings` from the trace files in `dir`, and the README section if asked; returns the files written. */
export function renderAndWrite(dir: string, findings: Findings, traceOf: (file: string) => Trace, readme?: string): string[] {
  const doc = join(dir, FINDINGS_MD);
  writeAtomic(doc, renderFindings(findings, traceOf));
  const files = [doc];
  if (readme) {
    const section = readmeSection(findings, displayPath(doc, dirname(resolve(readme))));
    writeAtomic(readme, replaceSection(readFileSync(readme, 'utf8'), section, readme));
    files.push(readme);
  }
  return files;
}

/** Write findings.json, the trace files (removing those of properties no longer violated) and the Markdown. */
export function writeFindings(dir: string, findings: Findings, traces: ReadonlyMap<string, Trace>, readme?: string): string[] {
  mkdirSync(dir, { recursive: true });
  const wanted = new Set(traces.keys());
  for (const property of PROPERTY_IDS) {
    const file = traceFileOf(property);
    if (!wanted.has(file) && existsSync(join(dir, file))) rmSync(join(dir, file));
  }
  const files: string[] = [];
  for (const [file, trace] of traces) {
    writeAtomic(join(dir, file), traceFileText(trace));
    files.push(join(dir, file));
  }
  writeAtomic(join(dir, FINDINGS_JSON), JSON.stringify(findings, null, 1) + '\n');
  files.push(join(dir, FINDINGS_JSON));
  return [...renderAndWrite(dir, findings, (file) => traces.get(file)!, readme), ...files];
}

/** Read DIR/findings.json and a reader of its trace files (each checked against the model as it is now). */
export function loadFindings(dir: string): { findings: Findings; traceOf: (file: string) => Trace } {
  const path = join(dir, FINDINGS_JSON);
  if (!existsSync(path)) throw new UsageError(`${path} does not exist (write it with dmacheck findings --out ${dir})`);
  const raw = parseJson(readFileSync(path, 'utf8'), path) as Partial<Findings> | null;
  if (raw?.format !== FINDINGS_FORMAT || raw.schemaVersion !== FINDINGS_SCHEMA_VERSION)
    throw new UsageError(`${path} is not a findings file of format ${FINDINGS_FORMAT} version ${FINDINGS_SCHEMA_VERSION}`);
  const traceOf = (file: string): Trace => {
    const input = readInputFile(join(dir, file));
    if (input.kind !== 'trace') throw new UsageError(`${join(dir, file)} is not a trace file`);
    return input.trace;
  };
  return { findings: raw as Findings, traceOf };
}
