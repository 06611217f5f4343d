/**
 * The nightly configuration file (dmacheck.config.json at the repository
 * root is the documented example): which versions, platforms, properties,
 * device configurations and entry points to verify, the bound, workers,
 * memory, and the shard a CI job runs. Every key is optional; a missing
 * key means everything (lists) or the verify default (numbers).
 *
 * Kernel trees (`trees`, `env`) are read as --tree and --env read them,
 * before the selection is checked, so `versions` may name them.
 *
 * Unknown keys and bad values are refused in one line naming the file, the
 * key and the valid values (exit code 2).
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DEVICE_KNOBS } from '../../models/devices.ts';
import { DEFAULT_CALLS, DEFAULT_THREADS, MAX_CALLS, MAX_THREADS, parseMemorySize, parseSelection, UsageError, type Selection } from '../check/selection.ts';

export interface NightlyConfig {
  readonly selection: Selection;
  /** worker threads; undefined = one per core; 0 = in the main thread */
  readonly workers?: number;
  readonly shard?: { readonly index: number; readonly count: number };
  /** --max-memory syntax: MiB, or with a K, M or G suffix */
  readonly maxMemory?: string;
}

/** Keys of the config file, with what they take (the one-line help of each). */
export const CONFIG_KEYS: Readonly<Record<string, string>> = {
  $comment: 'free text (string or array of strings), ignored',
  versions: '"all" or an array of version ids',
  platforms: '"all" or an array of platform ids',
  properties: '"all" or an array of property ids',
  device: '"all", "knob=value,..." or an object {knob: value}',
  entryPoints: '"all" or an array of entry points',
  bound: `{"threads": 1-${MAX_THREADS}, "calls": 1-${MAX_CALLS}}`,
  workers: '"auto" (one per core) or an integer 0-64 (0 = in the main thread, where Ctrl-C waits for the end of the run)',
  maxMemory: 'memory limit of the explorer, as --max-memory: MiB (a number), or with a K, M or G suffix ("8G", "512M", "900K")',
  shard: '"i/n": run only the deterministic slice i of n',
  trees: '{"NAME": "DIR", ...}: kernel trees whose extracted machines are versions NAME (as --tree NAME=DIR; a relative DIR is taken from the config file\'s directory)',
  env: 'a hand-written version id: the trees run in its environment generation (as --env)',
};

/** The `trees` of a config as --tree values (NAME=DIR, DIR resolved from the config file's directory), and its `env`. */
export function configTrees(raw: unknown, where: string): { trees: string[]; env?: string } {
  const c = (typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? raw : {}) as Record<string, unknown>;
  const t = c['trees'];
  const env = c['env'];
  if (env !== undefined && typeof env !== 'string') fail(where, `env: bad value ${JSON.stringify(env)} (valid: ${CONFIG_KEYS['env']})`);
  if (t === undefined) return env === undefined ? { trees: [] } : fail(where, `env: applies to the versions of trees, and the config has none`);
  if (typeof t !== 'object' || t === null || Array.isArray(t) || !Object.values(t).every((d) => typeof d === 'string' && d !== ''))
    fail(where, `trees: bad value ${JSON.stringify(t)} (valid: ${CONFIG_KEYS['trees']})`);
  const trees = Object.entries(t as Record<string, string>).map(([name, dir]) => `${name}=${resolve(dirname(where), dir)}`);
  return { trees, ...(env !== undefined ? { env: env as string } : {}) };
}

const fail = (where: string, msg: string): never => {
  throw new UsageError(`${where}: ${msg}`);
};

function listText(where: string, key: string, v: unknown): string | undefined {
  if (v === undefined || v === 'all') return undefined;
  if (typeof v === 'string') {
    if (!v.split(',').some((x) => x.trim())) fail(where, `${key}: empty list ${JSON.stringify(v)} (valid: ${CONFIG_KEYS[key]})`);
    return v;
  }
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) {
    if (!v.length) fail(where, `${key}: empty list (valid: ${CONFIG_KEYS[key]})`);
    return v.join(',');
  }
  return fail(where, `${key}: ${JSON.stringify(v)} is not a list (valid: ${CONFIG_KEYS[key]})`);
}

function intIn(where: string, key: string, v: unknown, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
    fail(where, `${key}: bad value ${JSON.stringify(v)} (valid: an integer from ${min} to ${max})`);
  return v as number;
}

/** Parse a config object (`where` names it in errors, usually the file path). */
export function parseConfig(raw: unknown, where: string): NightlyConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return fail(where, 'the config must be a JSON object');
  const c = raw as Record<string, unknown>;
  const unknown = Object.keys(c).filter((k) => !(k in CONFIG_KEYS));
  if (unknown.length) fail(where, `unknown key${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `'${k}'`).join(', ')} (valid: ${Object.keys(CONFIG_KEYS).join(', ')})`);
  if (c['$comment'] !== undefined && typeof c['$comment'] !== 'string' && !(Array.isArray(c['$comment']) && c['$comment'].every((x) => typeof x === 'string')))
    fail(where, `$comment: must be a string or an array of strings`);

  let device: string | undefined;
  const d = c['device'];
  if (d === undefined || d === 'all') device = undefined;
  else if (typeof d === 'string') device = d;
  else if (typeof d === 'object' && d !== null && !Array.isArray(d)) {
    device = Object.entries(d).map(([k, v]) => {
      if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') fail(where, `device.${k}: bad value ${JSON.stringify(v)}`);
      return `${k}=${typeof v === 'boolean' ? (v ? 1 : 0) : v}`;
    }).join(',');
  } else fail(where, `device: bad value ${JSON.stringify(d)} (valid: ${CONFIG_KEYS['device']}; knobs: ${DEVICE_KNOBS.map((k) => `${k.name}=${k.values.join('|')}`).join(', ')})`);

  let threads = DEFAULT_THREADS;
  let calls = DEFAULT_CALLS;
  const b = c['bound'];
  if (b !== undefined) {
    if (typeof b !== 'object' || b === null || Array.isArray(b)) fail(where, `bound: bad value ${JSON.stringify(b)} (valid: ${CONFIG_KEYS['bound']})`);
    const bb = b as Record<string, unknown>;
    const extra = Object.keys(bb).filter((k) => k !== 'threads' && k !== 'calls');
    if (extra.length) fail(where, `bound: unknown key ${extra.map((k) => `'${k}'`).join(', ')} (valid: threads, calls)`);
    if (bb['threads'] !== undefined) threads = intIn(where, 'bound.threads', bb['threads'], 1, MAX_THREADS);
    if (bb['calls'] !== undefined) calls = intIn(where, 'bound.calls', bb['calls'], 1, MAX_CALLS);
  }

  let selection: Selection;
  const pick = (k: string) => listText(where, k, c[k]);
  const lists = { versions: pick('versions'), platforms: pick('platforms'), properties: pick('properties'), entryPoints: pick('entryPoints') };
  try {
    selection = parseSelection({ ...lists, ...(device !== undefined ? { device } : {}), threads, calls });
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    // parseSelection names the kind of item ("unknown version 'x'"); say which key it came from.
    const key = /unknown (version|platform|property|entry point) /.exec(e.message)?.[1];
    const name = key === 'entry point' ? 'entryPoints' : key === 'property' ? 'properties' : key ? `${key}s` : 'device';
    return fail(where, `${name}: ${e.message}`);
  }

  let workers: number | undefined;
  if (c['workers'] !== undefined && c['workers'] !== 'auto') workers = intIn(where, 'workers', c['workers'], 0, 64);

  let shard: { index: number; count: number } | undefined;
  if (c['shard'] !== undefined) {
    const m = typeof c['shard'] === 'string' ? /^(\d+)\/(\d+)$/.exec(c['shard']) : null;
    if (!m || Number(m[1]) < 1 || Number(m[1]) > Number(m[2]))
      fail(where, `shard: bad value ${JSON.stringify(c['shard'])} (valid: "i/n" with 1 <= i <= n, e.g. "2/3")`);
    shard = { index: Number(m![1]), count: Number(m![2]) };
  }

  let maxMemory: string | undefined;
  const mm = c['maxMemory'];
  if (mm !== undefined) {
    if (typeof mm !== 'string' && typeof mm !== 'number') fail(where, `maxMemory: bad value ${JSON.stringify(mm)} (valid: ${CONFIG_KEYS['maxMemory']})`);
    try {
      parseMemorySize('maxMemory', mm as string | number);
    } catch {
      fail(where, `maxMemory: bad value ${JSON.stringify(mm)} (valid: ${CONFIG_KEYS['maxMemory']})`);
    }
    maxMemory = String(mm);
  }

  return { selection, ...(workers !== undefined ? { workers } : {}), ...(shard ? { shard } : {}), ...(maxMemory ? { maxMemory } : {}) };
}

/** Read and parse a config file. */
export function readConfig(path: string): NightlyConfig {
  return parseConfig(readConfigJson(path), path);
}

/** A config file's JSON, unchecked (bad input when it cannot be read or is no JSON). */
export function readConfigJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return fail(path, code === 'ENOENT' ? 'no such config file (pass --config FILE)' : (e as Error).message);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (e) {
    return fail(path, `not JSON (${(e as Error).message.split('\n')[0]})`);
  }
  return raw;
}
