/**
 * Choose one counterexample of a results file by version, property,
 * platform and index, and check its trace. Without --index, the shortest
 * matching one is chosen (the first in the file among equals).
 */
import { PLATFORM_IDS } from '../../models/platforms.ts';
import { VERSION_IDS } from '../../models/versions.ts';
import { PROPERTY_IDS } from '../../properties/index.ts';
import type { Trace } from '../check/trace.ts';
import { checkTrace, TraceInputError, type ResultsFile } from './trace-file.ts';
import type { TraceOrigin } from './trace-report.ts';

export interface PickFilters {
  readonly version?: string | undefined;
  readonly property?: string | undefined;
  readonly platform?: string | undefined;
  /** 1-based, among the counterexamples matching the other filters, in file order */
  readonly index?: number | undefined;
}

export interface Picked {
  readonly trace: Trace;
  readonly origin: TraceOrigin;
  /** how many counterexamples matched the filters */
  readonly matched: number;
  /** 1-based position of the chosen one among them */
  readonly position: number;
  readonly device: string;
}

interface Entry {
  readonly version: string;
  readonly property: string;
  readonly platform: string;
  readonly device: string;
  readonly severity: string;
  readonly trace: unknown;
  readonly where: string;
  readonly steps: number;
}

function entries(r: ResultsFile, path: string): Entry[] {
  const out: Entry[] = [];
  r.results.forEach((pr, i) =>
    (pr.violations ?? []).forEach((v, j) => {
      const steps = (v.trace as { steps?: unknown[] } | undefined)?.steps;
      out.push({
        version: pr.version, property: pr.property, platform: v.platform, device: v.device, severity: v.severity, trace: v.trace,
        where: `${path}: results[${i}].violations[${j}].trace`, steps: Array.isArray(steps) ? steps.length : Infinity,
      });
    }));
  return out;
}

/** Narrow by one key: unknown values and absent ones are one-line errors; an ambiguous unset key is too. */
function narrow(list: Entry[], key: 'version' | 'property' | 'platform', value: string | undefined, valid: readonly string[], path: string, required: boolean): Entry[] {
  const have = [...new Set(list.map((e) => e[key]))];
  if (value === undefined) {
    if (required && have.length > 1)
      throw new TraceInputError(`${path} has counterexamples for several ${key === 'property' ? 'properties' : `${key}s`}: choose one with --${key} (one of: ${have.join(', ')})`);
    return list;
  }
  if (!valid.includes(value)) throw new TraceInputError(`unknown ${key} '${value}' (valid: ${valid.join(', ')})`);
  const out = list.filter((e) => e[key] === value);
  if (out.length === 0)
    throw new TraceInputError(`${path} has no counterexample for ${key} ${value}${have.length ? ` (it has some for: ${have.join(', ')})` : ''}`);
  return out;
}

export function pickCounterexample(r: ResultsFile, path: string, f: PickFilters): Picked {
  const all = entries(r, path);
  if (all.length === 0) throw new TraceInputError(`${path} has no counterexample: every property held`);
  let list = narrow(all, 'version', f.version, VERSION_IDS, path, true);
  list = narrow(list, 'property', f.property, PROPERTY_IDS, path, true);
  list = narrow(list, 'platform', f.platform, PLATFORM_IDS, path, false);
  let chosen: Entry;
  if (f.index !== undefined) {
    if (f.index < 1 || f.index > list.length)
      throw new TraceInputError(`bad --index '${f.index}' (valid: an integer from 1 to ${list.length}, the counterexamples that match)`);
    chosen = list[f.index - 1]!;
  } else chosen = list.reduce((best, e) => (e.steps < best.steps ? e : best), list[0]!);
  const trace = checkTrace(chosen.trace, chosen.where);
  const group = all.filter((e) => e.version === chosen.version && e.property === chosen.property && e.platform === chosen.platform);
  const inGroup = group.indexOf(chosen) + 1;
  return {
    trace,
    origin: {
      kind: 'results', path, version: chosen.version, property: chosen.property, platform: chosen.platform,
      ...(group.length > 1 ? { index: inGroup } : {}),
    },
    matched: list.length,
    position: list.indexOf(chosen) + 1,
    device: chosen.device,
  };
}
