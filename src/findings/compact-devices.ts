/**
 * (platform, device configuration) pairs written compactly: the
 * configurations of a platform are merged into product terms
 * (`coherent=0,pool=own|shared,gfp=atomic`), and platforms with the same
 * terms share a line. Merging is exact: two terms are merged only when
 * they agree on every other knob, so the terms cover exactly the
 * configurations given, no more.
 */
import { DEVICE_KNOBS } from '../../models/devices.ts';

export interface PlatformDevices {
  readonly platform: string;
  /** a device key, `coherent=1,pool=none,gfp=blocking,nkm=0` */
  readonly device: string;
}

export interface CompactLine {
  /** platforms in first-seen order */
  readonly platforms: readonly string[];
  /** product terms, e.g. `coherent=0,pool=own|shared,gfp=atomic,nkm=0|1` */
  readonly terms: readonly string[];
}

type Term = Map<string, string[]>;

/** The order of a knob's values as the model lists them (unknown values after, in first-seen order). */
function valueRank(knob: string, value: string): number {
  const i = DEVICE_KNOBS.find((k) => k.name === knob)?.values.indexOf(value) ?? -1;
  return i < 0 ? Number.MAX_SAFE_INTEGER : i;
}

function parseKey(key: string): Term {
  return new Map(key.split(',').map((kv) => {
    const [k, v] = kv.split('=') as [string, string];
    return [k, [v]];
  }));
}

const termText = (t: Term): string => [...t].map(([k, vs]) => `${k}=${vs.join('|')}`).join(',');

function signatureWithout(t: Term, knob: string): string {
  return [...t].filter(([k]) => k !== knob).map(([k, vs]) => `${k}=${vs.join('|')}`).join(',') + `;${[...t.keys()].join(',')}`;
}

/** Merge device keys into product terms until no two terms differ in one knob only. */
export function compactDevices(keys: readonly string[]): string[] {
  let terms = [...new Set(keys)].map(parseKey);
  for (let changed = true; changed;) {
    changed = false;
    const knobs = [...new Set(terms.flatMap((t) => [...t.keys()]))];
    for (const knob of knobs) {
      const bySig = new Map<string, Term>();
      const next: Term[] = [];
      for (const t of terms) {
        if (!t.has(knob)) { next.push(t); continue; }
        const sig = signatureWithout(t, knob);
        const into = bySig.get(sig);
        if (!into) {
          const copy = new Map([...t].map(([k, vs]) => [k, [...vs]]));
          bySig.set(sig, copy);
          next.push(copy);
          continue;
        }
        const vs = into.get(knob)!;
        for (const v of t.get(knob)!) if (!vs.includes(v)) vs.push(v);
        vs.sort((a, b) => valueRank(knob, a) - valueRank(knob, b));
        changed = true;
      }
      terms = next;
    }
  }
  return terms.map(termText);
}

/** Group pairs by platform, compact each platform's configurations, and join platforms with equal terms. */
export function compactPlatformDevices(pairs: readonly PlatformDevices[]): CompactLine[] {
  const byPlatform = new Map<string, string[]>();
  for (const p of pairs) {
    const list = byPlatform.get(p.platform) ?? [];
    list.push(p.device);
    byPlatform.set(p.platform, list);
  }
  const lines = new Map<string, { platforms: string[]; terms: string[] }>();
  for (const [platform, devices] of byPlatform) {
    const terms = compactDevices(devices);
    const key = terms.join('\n');
    const line = lines.get(key);
    if (line) line.platforms.push(platform);
    else lines.set(key, { platforms: [platform], terms });
  }
  return [...lines.values()];
}
