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

/** Split a comma list and check every item against the valid ids. */
export function parseList(flag: string, text: string | undefined, valid: readonly string[]): string[] {
  if (text === undefined || text === '' || text === 'all') return [...valid];
  const items = text.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  for (const item of items)
    if (!valid.includes(item)) throw new UsageError(`unknown ${flag} '${item}' (valid: ${valid.join(', ')})`);
  return valid.filter((v) => items.includes(v));
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
  try {
    device = parseDeviceFilter(f.device ?? '');
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  return {
    versions: parseList('version', f.versions, VERSION_IDS),
    platforms: parseList('platform', f.platforms, PLATFORM_IDS),
    properties: parseList('property', f.properties, PROPERTY_IDS),
    device,
    entryPoints: parseList('entry point', f.entryPoints, ENTRY_POINTS) as EntryPoint[],
    threads: parseBound('--threads', f.threads, 1, MAX_THREADS, DEFAULT_THREADS),
    calls: parseBound('--calls', f.calls, 1, MAX_CALLS, DEFAULT_CALLS),
  };
}
