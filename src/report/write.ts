/**
 * Write the report set of a verification into a directory. Writers for
 * further formats register here, so every command that produces results
 * writes the same set.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Results } from '../check/results.ts';
import { summaryMarkdown } from './summary.ts';
import { junitXml } from './junit.ts';
import { htmlReport } from './html.ts';

export type ReportWriter = (res: Results) => { file: string; text: string | Promise<string> };

export const REPORT_WRITERS: ReportWriter[] = [
  (res) => ({ file: 'results.json', text: JSON.stringify(res, null, 1) + '\n' }),
  (res) => ({ file: 'summary.md', text: summaryMarkdown(res) }),
  (res) => ({ file: 'junit.xml', text: junitXml(res) }),
  (res) => ({ file: 'index.html', text: htmlReport(res) }),
];

/**
 * Write every report atomically (temp file, then rename); returns the paths.
 * Every text is made before the first file is written, so a writer that
 * fails leaves no report of the set behind.
 */
export async function writeReports(dir: string, res: Results): Promise<string[]> {
  const texts = await Promise.all(REPORT_WRITERS.map(async (w) => {
    const { file, text } = w(res);
    return { file, text: await text };
  }));
  mkdirSync(dir, { recursive: true });
  return texts.map(({ file, text }) => {
    const path = join(dir, file);
    writeFileSync(path + '.tmp', text);
    renameSync(path + '.tmp', path);
    return path;
  });
}

/** `reports/2026-11-23T23-59-00Z`: a directory name that sorts by time. */
export function timestampDir(root = 'reports', now = new Date()): string {
  return join(root, now.toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-'));
}
