/**
 * What a run of dmacheck covers: versions, platforms, properties, device
 * configurations, entry points and the bound. Parsed from CLI flags or a
 * config file; every bad value is a one-line `UsageError` naming the valid
 * ones (the CLI turns it into exit code 2).
 */
import { parseDeviceFilter, type DeviceKnob } from '../../models/devices.ts';
import { PLATFORM_IDS } from '../../models/platforms.ts';
import { ENTRY_POINTS, VERSION_IDS, type EntryPoint } from '../../models/versions.ts';
import { PROPERTY_IDS } from '../../properties/index.ts';

export class UsageError extends Error {}

export interface Selection {
  readonly versions: readonly string[];
  readonly platforms: readonly string[];
  readonly properties: readonly string[];
  readonly device: Partial<Record<DeviceKnob['name'], string>>;
  readonly entryPoints: readonly EntryPoint[];
  /** threads per run (1-3) */
  readonly threads: number;
  /** calls per thread (1-8) */
  readonly calls: number;
}

export const DEFAULT_THREADS = 2;
export const DEFAULT_CALLS = 3;

export const MAX_THREADS = 3;
export const MAX_CALLS = 8;

/**
 * Split a comma list and check every item against the valid ids. Absent or
 * `all` means every id; an empty list (`""`, `,,`) is an error, never "all".
 */
export function parseList(kind: string, text: string | undefined, valid: readonly string[], flag = `--${kind.replace(/ /g, '-')}s`): string[] {
  if (text === undefined || text === 'all') return [...valid];
  const items = text.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (!items.length) throw new UsageError(`empty ${flag} '${text}' (give a comma list, or omit it for all; valid: ${valid.join(', ')})`);
  for (const item of items)
    if (!valid.includes(item)) throw new UsageError(`unknown ${kind} '${item}' (valid: ${valid.join(', ')})`);
  return valid.filter((v) => items.includes(v));
}

/** Smallest memory limit per worker: a run holds about 90K (the explorer's fixed buffers, first tables and step memo) before its first state. */
export const MIN_MEMORY_PER_WORKER = 128 * 1024;

/**
 * A memory size in the syntax of --max-memory and the config's maxMemory:
 * MiB (a number), or a number with a K, M or G suffix; in bytes.
 */
export function parseMemorySize(flag: string, text: string | number): number {
  const m = /^(\d+)([KMG]?)$/i.exec(String(text).trim());
  if (!m || Number(m[1]) === 0) throw new UsageError(`bad ${flag} '${text}' (valid: a size in MiB, or with a K, M or G suffix, e.g. 8G)`);
  const unit = { K: 1024, M: 1024 ** 2, G: 1024 ** 3, '': 1024 ** 2 }[(m[2] ?? '').toUpperCase() as 'K' | 'M' | 'G' | '']!;
  return Number(m[1]) * unit;
}

export function parseBound(flag: string, text: string | number | undefined, min: number, max: number, dflt: number): number {
  if (text === undefined) return dflt;
  const s = String(text);
  if (!/^\d+$/.test(s) || Number(s) < min || Number(s) > max)
    throw new UsageError(`bad ${flag} '${s}' (valid: an integer from ${min} to ${max})`);
  return Number(s);
}

export interface SelectionFlags {
  versions?: string;
  platforms?: string;
  properties?: string;
  device?: string;
  entryPoints?: string;
  threads?: string | number;
  calls?: string | number;
}

export function parseSelection(f: SelectionFlags): Selection {
  let device: Selection['device'];
  // '' is no filter, as an absent device (the CLI refuses an empty --device before it gets here); ',' is an empty list
  const deviceText = f.device === 'all' || f.device === '' ? undefined : f.device;
  if (deviceText !== undefined) {
    const knobs = deviceText.split(',').map((s) => s.split('=')[0]!.trim()).filter(Boolean);
    if (!knobs.length) throw new UsageError(`empty --device '${deviceText}' (give knob=value,..., or omit it for all; knobs: dmacheck list)`);
    const twice = knobs.find((k, i) => knobs.indexOf(k) !== i);
    if (twice) throw new UsageError(`--device '${deviceText}' sets the knob ${twice} twice (give each knob once)`);
  }
  try {
    device = parseDeviceFilter(deviceText ?? '');
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  return {
    versions: parseList('version', f.versions, VERSION_IDS),
    platforms: parseList('platform', f.platforms, PLATFORM_IDS),
    properties: parseList('property', f.properties, PROPERTY_IDS, '--properties'),
    device,
    entryPoints: parseList('entry point', f.entryPoints, ENTRY_POINTS, '--entry-points') as EntryPoint[],
    threads: parseBound('--threads', f.threads, 1, MAX_THREADS, DEFAULT_THREADS),
    calls: parseBound('--calls', f.calls, 1, MAX_CALLS, DEFAULT_CALLS),
  };
}
