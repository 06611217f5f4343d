/**
 * Kernel versions made from extracted machines (a tree read with --tree):
 * the plain data that describes one (`TreeVersionData`, built once in the
 * main thread by tree-version.ts), and the KernelVersion it stands for,
 * added to models/versions.ts's registry so that every command, matrix and
 * report takes its id like a hand-written one.
 *
 * Worker threads get the data with each batch and build the same version
 * from it: building is a pure function of the data (no parsing, no file
 * read), so a run gives the same result whatever the number of workers.
 * Nothing here loads the C parser, so the workers' bundles stay free of it.
 */
import type { EnvGeneration } from '../../models/platforms.ts';
import {
  addVersion, ENTRY_POINTS, FRONT_END, removeVersion, versionById, withFrontEnd, type DirectMachines, type EntryPoint, type KernelVersion,
} from '../../models/versions.ts';
import { toMachine, type ExtractedMachine } from './translate.ts';

/** One file the extractor read from the tree. */
export interface TreeFile {
  /** relative to the tree, e.g. kernel/dma/direct.c */
  readonly path: string;
  readonly sha256: string;
}

/** A tree's version as plain data: what crosses to the workers and what results.json records (without the machines). */
export interface TreeVersionData {
  /** the version id: NAME of --tree NAME=DIR */
  readonly id: string;
  /** the tree, absolute */
  readonly path: string;
  /** sha256 over the files read (their paths and contents, in order) */
  readonly sha256: string;
  readonly files: readonly TreeFile[];
  readonly env: EnvGeneration;
  /** how env was chosen: `detected: ...` or `--env VERSION` */
  readonly envFrom: string;
  /** the hand-written version whose machines complete the entry points the tree does not define */
  readonly completedFrom: string;
  /**
   * the entry points read from a tree that it does not define: dma-direct's
   * (a tree without direct.h) and the mapping.c front end (a tree without
   * mapping.c, whose front end is then the hand model around the tree's
   * dma_direct_* machines); the steps that are not dma-direct's always come
   * from the hand models
   */
  readonly completed: readonly EntryPoint[];
  readonly machines: readonly ExtractedMachine[];
}

/** The entry points a tree is read for: dma-direct's own and the mapping.c front end (the driver's mask step and the environment's steps come from the hand models). */
export const TREE_ENTRY_POINTS: readonly EntryPoint[] = ENTRY_POINTS.filter((e) => e.startsWith('dma_direct_') || e in FRONT_END);

/** The hand-written version whose machines stand in for those a tree of generation `env` lacks. */
export const COMPLETE_FROM: Readonly<Record<EnvGeneration, string>> = { classic: 'baseline', 'cc-shared': 'v7.3' };

/**
 * The KernelVersion of `data`. ABSTRACTION: a dma_direct_* entry point the
 * tree does not define runs the machine of data.completedFrom
 * (hand-written), and so do the steps that are not dma-direct's (the
 * driver's dma_set_coherent_mask, the environment's own); a mapping.c
 * front-end function the tree does not define is the hand model of
 * data.env's generation wrapped around the extracted dma_direct_* machines.
 */
export function buildTreeVersion(data: TreeVersionData): KernelVersion {
  const hand = versionById(data.completedFrom);
  if (!hand) throw new Error(`tree version ${data.id}: no hand-written version '${data.completedFrom}'`);
  // every entry point but the front end (built around the dma_direct_* machines below) from the hand version, then the tree's
  const direct: Record<string, unknown> = Object.fromEntries(ENTRY_POINTS.filter((ep) => !(ep in FRONT_END)).map((ep) => [ep, hand.machines[ep]]));
  // the extracted machines' own guards and actions (input:*, local:*, set:*) reach their states spliced into the front end too
  const implementations = { guards: {}, actions: {} };
  const extracted: Record<string, KernelVersion['machines'][EntryPoint]> = {};
  for (const m of data.machines) {
    const machine = toMachine(m);
    Object.assign(implementations.guards, machine.implementations.guards);
    Object.assign(implementations.actions, machine.implementations.actions);
    extracted[m.id] = machine;
    if (!(m.id in FRONT_END)) direct[m.id] = machine;
  }
  const machines = { ...withFrontEnd(direct as unknown as DirectMachines, data.env), ...extracted };
  const completed = data.completed.length ? `; ${data.completed.join(', ')} from the hand-written ${data.completedFrom}` : '';
  return {
    id: data.id,
    description: `kernel tree ${data.path} (extracted; environment ${data.env}${completed})`,
    env: data.env,
    guardChanges: {},
    machines: Object.fromEntries(Object.entries(machines).map(([ep, m]) => [ep, m.provide(implementations as never)])) as typeof machines,
  };
}

const loaded = new Map<string, TreeVersionData>();

/** Add the tree's version (replacing one of the same id and other content); no-op when that exact tree is loaded. */
export function loadTreeVersion(data: TreeVersionData): void {
  const had = loaded.get(data.id);
  if (had && had.sha256 === data.sha256 && had.env === data.env && had.completedFrom === data.completedFrom) return;
  addVersion(buildTreeVersion(data));
  loaded.set(data.id, data);
}

export function unloadTreeVersion(id: string): void {
  if (!loaded.delete(id)) return;
  removeVersion(id);
}

/** The loaded tree data among `ids`. */
export function treeDataFor(ids: readonly string[]): TreeVersionData[] {
  return ids.map((id) => loaded.get(id)).filter((d): d is TreeVersionData => d !== undefined);
}

/** The `trees` field of a worker batch over `versions`: the data of those extracted from trees, absent when none is. */
export function treesOf(versions: readonly string[]): { trees?: TreeVersionData[] } {
  const trees = treeDataFor(versions);
  return trees.length ? { trees } : {};
}

export function isTreeVersion(id: string): boolean {
  return loaded.has(id);
}

export function loadedTreeIds(): string[] {
  return [...loaded.keys()];
}

/** A word as a POSIX shell reads it back (quoted only when it needs to be). */
export function shellWord(s: string): string {
  return /^[\w./=:@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * The flags a pasted command needs to have the tree versions among `ids`
 * (`--tree NAME=PATH`, and `--env VERSION` where the run was given one),
 * each followed by a space; '' when none of them is a tree.
 */
export function treeFlags(ids: readonly string[]): string {
  const trees = treeDataFor([...new Set(ids)]);
  const env = trees.map((t) => /^--env (\S+)$/.exec(t.envFrom)?.[1]).find((e) => e !== undefined);
  return trees.map((t) => `--tree ${shellWord(`${t.id}=${t.path}`)} `).join('') + (env ? `--env ${env} ` : '');
}

/** treeFlags() of the version a scenario string (`dmacheck1:VERSION/...`) names. */
export function scenarioTreeFlags(scenario: string): string {
  const m = /^\s*dmacheck1:\s*([^/\s]+)\//.exec(scenario);
  return m ? treeFlags([m[1]!]) : '';
}
