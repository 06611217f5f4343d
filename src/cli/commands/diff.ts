/**
 * `dmacheck diff A B`: are two kernel versions observably the same on every
 * run within the bound? Prints "equivalent within the bound over N runs"
 * or the differences by (platform, device configuration), each with its
 * shortest distinguishing scenario side by side. Writes diff.json and
 * diff.md. Exit 0 equivalent, 1 different, 2 bad input (an empty selection included).
 */
import { parseSelection, UsageError } from '../../check/selection.ts';
import { VERSION_IDS } from '../../../models/versions.ts';
import { loadedTreeIds } from '../../extract/tree-registry.ts';
import { diff } from '../../equivalence/diff.ts';
import { diffText, writeDiffReports } from '../../equivalence/diff-report.ts';
import { DEFAULT_OBSERVABLE, OBSERVABLE_IDS } from '../../equivalence/observable.ts';
import { timestampDir } from '../../report/write.ts';
import { EXIT_OK, EXIT_VIOLATED, type Command, type OptionSpec } from '../command.ts';
import { checkOutDir } from '../out-dir.ts';
import { checkRunsSelected } from '../../check/verify.ts';
import { progress } from '../progress.ts';
import { SELECTION_OPTIONS, VERIFY_OPTIONS, selectionFlagsOf, workersOf } from './verify.ts';

const fromVerify = (name: string): OptionSpec => VERIFY_OPTIONS.find((o) => o.name === name)!;

export const DIFF_OPTIONS: readonly OptionSpec[] = [
  ...SELECTION_OPTIONS.filter((o) => o.name !== 'versions' && o.name !== 'out'),
  { name: 'out', type: 'string', value: 'DIR', description: 'directory for diff.json and diff.md', default: 'reports/<timestamp>-diff/', example: 'reports/p3-vs-p4' },
  fromVerify('device'),
  fromVerify('entry-points'),
  { name: 'observable', type: 'string', value: 'ID', description: `observable behaviour definition (${OBSERVABLE_IDS.join(', ')})`, default: DEFAULT_OBSERVABLE, example: 'calls-visible-v1' },
  { name: 'quiet', type: 'boolean', description: 'print only the headline', default: 'false' },
];

function versionArg(v: string): string {
  if (!VERSION_IDS.includes(v)) throw new UsageError(`unknown version '${v}' (valid: ${VERSION_IDS.join(', ')})`);
  return v;
}

export const diffCommand: Command = {
  name: 'diff',
  summary: 'prove two versions observably equivalent within the bound, or show the shortest scenario where they differ',
  positionals: 'A B | A --tree NAME=DIR',
  options: DIFF_OPTIONS,
  async run(values, positionals, io) {
    // `diff A --tree NAME=DIR`: A against the one tree given
    const trees = loadedTreeIds();
    const pair = positionals.length === 1 && trees.length === 1 ? [positionals[0]!, trees[0]!] : positionals;
    if (pair.length !== 2) {
      throw new UsageError(`diff takes two versions, got ${positionals.length}: dmacheck diff A B, or A and one --tree NAME=DIR` +
        `${positionals.length === 1 ? ` (got ${trees.length} --tree)` : ''} (valid: ${VERSION_IDS.join(', ')})`);
    }
    const [a, b] = pair.map(versionArg) as [string, string];
    const observable = (values['observable'] as string | undefined) ?? DEFAULT_OBSERVABLE;
    if (!OBSERVABLE_IDS.includes(observable)) throw new UsageError(`unknown observable '${observable}' (valid: ${OBSERVABLE_IDS.join(', ')})`);
    const selection = parseSelection({ ...selectionFlagsOf(values), versions: a, properties: undefined });
    const workers = workersOf(values['workers']);
    checkRunsSelected(selection);
    const dir = (values['out'] as string | undefined) ?? `${timestampDir()}-diff`;
    checkOutDir(dir);
    const json = Boolean(values['json']);
    const bar = progress(io, 'diff', Boolean(values['quiet']) || json);
    let res;
    try {
      res = await diff({ a, b, selection, observable, workers, onProgress: (p) => bar.update(p) });
    } finally {
      bar.finish();
    }
    const files = writeDiffReports(dir, res);
    if (json) io.out(JSON.stringify(res, null, 1));
    else {
      const text = diffText(res);
      io.out(values['quiet'] ? text.split('\n\n')[0]! : text);
      io.out([`${res.totals.pairs} product pairs in ${res.timing?.seconds.toFixed(1)}s; reports:`, ...files.map((f) => `  ${f}`)].join('\n'));
    }
    return res.verdict === 'different' ? EXIT_VIOLATED : EXIT_OK;
  },
};
