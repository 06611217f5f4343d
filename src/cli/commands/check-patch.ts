/**
 * `dmacheck check-patch PATCH --tree DIR`: does this patch change what
 * dma-direct does? The files the extractor reads (and those the patch
 * touches) are copied to a temporary directory and the patch applied there
 * (`git apply`, or `patch -p1` without git; the tree is never written);
 * both trees are extracted, verified and compared with `diff`, and the
 * reply printed is one a reviewer can paste: whether behaviour changed (the shortest
 * distinguishing scenario side by side), which violations the patch fixes
 * and which it introduces, each with a replay command. The patched files
 * are kept in the report directory, so those commands run as printed.
 * Exit 0 no observable change, 1 changed, 2 bad input (a patch that does
 * not apply, a tree that does not extract).
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, isAbsolute, join, normalize, resolve } from 'node:path';
import { parseSelection, UsageError, type Selection } from '../../check/selection.ts';
import type { PropertyResult, Results, ViolationGroup } from '../../check/results.ts';
import { checkRunsSelected, verify } from '../../check/verify.ts';
import { diff, type DiffResults } from '../../equivalence/diff.ts';
import { diffText, shortestFoldText, writeDiffReports } from '../../equivalence/diff-report.ts';
import { DEFAULT_OBSERVABLE } from '../../equivalence/observable.ts';
import { MAPPING_FILE, readSource, TREE_FILES } from '../../extract/extract-tree.ts';
import { loadTreeVersion, shellWord, unloadTreeVersion, type TreeVersionData } from '../../extract/tree-registry.ts';
import { completionNote, parseEnvArg, parseTreeArg, treeVersionData } from '../../extract/tree-version.ts';
import { timestampDir, writeReports } from '../../report/write.ts';
import { scenarioString } from '../../trace/scenario-string.ts';
import { EXIT_OK, EXIT_VIOLATED, type Command, type Io, type OptionValues } from '../command.ts';
import { checkOutDir } from '../out-dir.ts';
import { progress } from '../progress.ts';
import { TREE_OPTIONS } from '../tree-flags.ts';
import { VERIFY_OPTIONS, exploreSettings, selectionFlagsOf, workersOf } from './verify.ts';

/** The files a unified diff touches, relative to the tree (-p1: the `a/`, `b/` prefix dropped). */
export function patchedPaths(patch: string, name: string): string[] {
  const paths = new Set<string>();
  for (const m of patch.matchAll(/^(?:---|\+\+\+) (\S+)/gm)) {
    const p = m[1]!;
    if (p === '/dev/null') continue;
    const rel = normalize(p.replace(/^[^/]*\//, ''));
    if (isAbsolute(rel) || rel.startsWith('..')) throw new UsageError(`patch '${name}' touches '${p}', outside the tree`);
    paths.add(rel);
  }
  if (!paths.size) throw new UsageError(`patch '${name}' is not a unified diff (no ---/+++ file lines)`);
  return [...paths];
}

/** Run a patch tool in `dir`; its error output when it fails, undefined when it applied, null when the tool is not installed. */
function tryApply(tool: string, args: readonly string[], dir: string): string | undefined | null {
  try {
    // the ceiling keeps git from taking a repository above the temporary directory for the tree
    execFileSync(tool, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, GIT_CEILING_DIRECTORIES: dirname(dir) } });
    return undefined;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    return `${(e as { stdout?: Buffer }).stdout ?? ''}${(e as { stderr?: Buffer }).stderr ?? (e as Error).message}`;
  }
}

/**
 * Apply `patchPath` in `dir` with `git apply`, or `patch -p1` where git is
 * not installed; a patch that does not apply is bad input naming the file
 * and hunk.
 */
function applyPatch(patchPath: string, dir: string, name: string): void {
  const path = resolve(patchPath);
  let err = tryApply('git', ['apply', '--whitespace=nowarn', path], dir);
  if (err === null) err = tryApply('patch', ['-p1', '--batch', '--forward', '--fuzz=0', '-i', path], dir);
  if (err === undefined) return;
  if (err === null) throw new UsageError(`cannot apply patch '${name}': neither git nor patch is installed`);
  // git: "patch failed: FILE:LINE"; patch: "patching file FILE" ... "Hunk #N FAILED at LINE"
  const git = /patch failed: (\S+):(\d+)/.exec(err);
  const gnu = /Hunk #\d+ FAILED at (\d+)/.exec(err);
  const file = git?.[1] ?? /patching file '?([^'\s]+)/.exec(err)?.[1];
  const line = git?.[2] ?? gnu?.[1];
  if (file && line) throw new UsageError(`patch '${name}' does not apply: the hunk at ${file}:${line} does not match the tree`);
  const first = err.split('\n').find((l) => l.startsWith('error: '))?.slice('error: '.length) ?? err.split('\n').find((l) => l.trim());
  throw new UsageError(`patch '${name}' does not apply: ${first}`);
}

/** A violation group's identity across the two versions. */
const groupKey = (r: PropertyResult, g: ViolationGroup) => `${r.property}/${g.severity} on ${g.platform} ${g.device}`;

interface Change {
  readonly property: string;
  readonly severity: string;
  readonly groups: number;
  readonly platforms: readonly string[];
  /** the shortest counterexample among the groups */
  readonly shortest: ViolationGroup;
}

/** Violation groups of `from` that `to` does not have, per property and severity. */
function violationsOnlyIn(res: Results, from: string, to: string): Change[] {
  const of = (v: string) => res.results.filter((r) => r.version === v);
  const other = new Set(of(to).flatMap((r) => r.violations.map((g) => groupKey(r, g))));
  const out = new Map<string, { property: string; severity: string; gs: ViolationGroup[] }>();
  for (const r of of(from)) {
    for (const g of r.violations) {
      if (other.has(groupKey(r, g))) continue;
      const k = `${r.property}/${g.severity}`;
      const c = out.get(k) ?? { property: r.property, severity: g.severity, gs: [] };
      c.gs.push(g);
      out.set(k, c);
    }
  }
  return [...out.values()].map(({ property, severity, gs }) => ({
    property, severity, groups: gs.length, platforms: [...new Set(gs.map((g) => g.platform))],
    shortest: [...gs].sort((a, b) => a.depth - b.depth || a.runIndex - b.runIndex)[0]!,
  }));
}

/** The replay command of a counterexample, with the trees it needs. */
function replayLine(g: ViolationGroup, trees: readonly TreeVersionData[], on?: string): string {
  const flags = trees.map((t) => `--tree ${shellWord(`${t.id}=${t.path}`)} `).join('');
  return `dmacheck replay ${flags}${on ? `--version ${on} ` : ''}--scenario '${scenarioString(g.trace)}'`;
}

function changesText(title: string, changes: readonly Change[], trees: readonly TreeVersionData[], on?: string): string[] {
  if (!changes.length) return [`${title}: none.`];
  const out = [`${title}:`];
  for (const c of changes) {
    out.push(`  ${c.property} (${c.severity}) in ${c.groups} (platform, device) group(s) on ${c.platforms.join(', ')}; shortest (${c.shortest.depth} steps, ${c.shortest.platform} ${c.shortest.device}):`);
    out.push(`    ${replayLine(c.shortest, trees, on)}`);
  }
  return out;
}

/** The reply: headline, the behaviour change, the violations fixed and introduced. */
export function replyText(patch: string, before: TreeVersionData, after: TreeVersionData, res: Results, d: DiffResults): { text: string; changed: boolean } {
  const fixed = violationsOnlyIn(res, before.id, after.id);
  const introduced = violationsOnlyIn(res, after.id, before.id);
  const changed = d.verdict === 'different' || fixed.length > 0 || introduced.length > 0;
  const s = res.selection;
  const scope = `${s.platforms.length} platform(s), ${s.threads} thread(s) x ${s.calls} call(s), observable ${d.observable.id}`;
  const out = [
    changed
      ? `dmacheck: ${basename(patch)} changes what dma-direct does (${scope}).`
      : `dmacheck: ${basename(patch)}: no observable change within the bound (${scope}; ${d.totals.runs} runs compared, ${res.totals.runs} verified).`,
  ];
  if (d.verdict === 'different') {
    out.push('', diffText(d).split('\n\n')[0]!, '', shortestFoldText(d));
  }
  if (changed) {
    out.push('', ...changesText(`Violations the patch fixes (replay on ${after.id}: fixed)`, fixed, [before, after], after.id));
    out.push('', ...changesText('Violations the patch introduces', introduced, [after]));
  }
  if (!d.complete || !res.complete) out.push('', `INCOMPLETE: ${d.incompleteReason ?? res.incompleteReason ?? 'not every run finished'}`);
  return { text: out.join('\n'), changed };
}

const FROM_VERIFY = ['platforms', 'properties', 'device', 'entry-points', 'threads', 'calls', 'workers', 'quiet', 'max-memory'];

/** The tree's files the extractor reads, and those the patch touches, copied under `to`. */
function copyTree(dir: string, paths: readonly string[], to: string): void {
  for (const rel of new Set([...TREE_FILES, MAPPING_FILE, ...paths])) {
    if (!existsSync(join(dir, rel))) continue;
    mkdirSync(dirname(join(to, rel)), { recursive: true });
    copyFileSync(join(dir, rel), join(to, rel));
  }
}

async function runPatch(values: OptionValues, positionals: string[], io: Io): Promise<number> {
  if (positionals.length !== 1) throw new UsageError(positionals.length ? `check-patch takes one patch, got ${positionals.length}` : 'missing the patch: dmacheck check-patch PATCH --tree DIR');
  const patch = positionals[0]!;
  const treeText = values['tree'] as string | undefined;
  if (treeText === undefined) throw new UsageError('missing --tree DIR: the kernel tree the patch applies to');
  const text = readSource(patch);
  const arg = parseTreeArg(treeText);
  const named = treeText.includes('=');
  const env = parseEnvArg(values['env'] as string | undefined);
  const selectionFlags = selectionFlagsOf(values);
  const workers = workersOf(values['workers']);
  const settings = exploreSettings(values, workers);
  const out = (values['out'] as string | undefined) ?? `${timestampDir()}-patch`;
  checkOutDir(out);
  const paths = patchedPaths(text, patch);
  const before = await treeVersionData({ name: named ? arg.name : 'unpatched', dir: arg.dir }, env);
  const tmp = mkdtempSync(join(tmpdir(), 'dmacheck-patch-'));
  const keep = join(out, 'patched');
  try {
    copyTree(arg.dir, paths, tmp);
    applyPatch(patch, tmp, patch);
    // the patched files the extractor reads stay with the reports: the replay commands name them
    rmSync(keep, { recursive: true, force: true });
    copyTree(tmp, [], keep);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  const after = await treeVersionData({ name: named ? `${arg.name}-patched` : 'patched', dir: keep }, env);
  const selection: Selection = parseSelection({ ...selectionFlags, versions: undefined });
  loadTreeVersion(before);
  loadTreeVersion(after);
  try {
    const both = { ...selection, versions: [before.id, after.id] };
    checkRunsSelected(both);
    const quiet = Boolean(values['quiet']);
    const bar = progress(io, 'check-patch verify', quiet);
    let res: Results;
    try {
      res = await verify({ selection: both, workers, ...settings, onProgress: (p) => bar.update(p) });
    } finally {
      bar.finish();
    }
    const bar2 = progress(io, 'check-patch diff', quiet);
    let d: DiffResults;
    try {
      d = await diff({ a: before.id, b: after.id, selection: { ...selection, versions: [before.id] }, observable: DEFAULT_OBSERVABLE, workers, onProgress: (p) => bar2.update(p) });
    } finally {
      bar2.finish();
    }
    await writeReports(out, res);
    writeDiffReports(out, d);
    const reply = replyText(patch, before, after, res, d);
    writeFileSync(join(out, 'reply.txt'), `${reply.text}\n`);
    io.out(reply.text);
    io.out(`reports: ${out} (reply.txt, results.json, diff.json, the patched files in ${keep})`);
    for (const note of [before, after].map(completionNote)) if (note) io.err(note);
    return reply.changed ? EXIT_VIOLATED : EXIT_OK;
  } finally {
    unloadTreeVersion(before.id);
    unloadTreeVersion(after.id);
  }
}

export const checkPatchCommand: Command = {
  name: 'check-patch',
  summary: "does a patch change what dma-direct does? Applies it to a temporary copy of the tree's files (the tree is never written), extracts, verifies and diffs before and after, and prints a reply: the shortest distinguishing scenario, the violations fixed and introduced, each with its replay command (exit 0 no observable change, 1 changed)",
  positionals: 'PATCH',
  options: [
    { ...TREE_OPTIONS[0]!, multiple: false, value: 'DIR', description: 'the kernel tree the patch applies to (NAME=DIR names its version NAME, the patched one NAME-patched; DIR alone: unpatched and patched)', example: '--tree ~/linux' },
    TREE_OPTIONS[1]!,
    ...VERIFY_OPTIONS.filter((o) => FROM_VERIFY.includes(o.name)),
    { name: 'out', type: 'string', value: 'DIR', description: 'directory for reply.txt, the verify and diff reports, and the patched files the replay commands name', default: 'reports/<timestamp>-patch/', example: 'reports/my-patch' },
  ],
  run: runPatch,
};
