/**
 * A whole counterexample as one short string that a mail can carry and
 * `dmacheck replay --scenario STRING` reads back, so that a reader runs it
 * without the trace file:
 *
 *   dmacheck1:baseline/cca/coherent=1,pool=own,gfp=blocking,nkm=0/
 *   alloc,free/no-double-decrypt/effective/0,0SWIOTLB_ALLOC_OK@pool0.slot0,
 *   0SET_DECRYPTED_OK
 *
 * Fields after the versioned prefix, separated by `/`: kernel version,
 * platform, device configuration (its key), the programs (one per CPU,
 * separated by `+`, calls without their `dma_direct_` prefix), property,
 * severity, and the steps: CPU number, outcome event (none for `CALL`),
 * `@page` when the environment chose one. Every character is one a shell
 * word needs no quoting for. Whitespace and `>` never belong to it and are
 * dropped when it is read, so the string survives a mailer that wraps or
 * quotes it (`> ` at the start of each line of a reply). The string is
 * checked exactly as a trace file is (trace-file.ts).
 */
import { ENTRY_POINTS } from '../../models/versions.ts';
import { TRACE_FORMAT, TRACE_FORMAT_VERSION, type Trace } from '../check/trace.ts';
import { checkTrace, TraceInputError } from './trace-file.ts';

export const SCENARIO_PREFIX = 'dmacheck1:';
const CALL_PREFIX = 'dma_direct_';
const FIELDS = ['version', 'platform', 'device', 'programs', 'property', 'severity', 'steps'] as const;

const short = (call: string): string => (call.startsWith(CALL_PREFIX) ? call.slice(CALL_PREFIX.length) : call);
/** A call as written in a string: a full entry-point name (the front end, the mask step) stays as it is. */
const long = (call: string): string => ((ENTRY_POINTS as readonly string[]).includes(call) ? call : CALL_PREFIX + call);

/** The scenario string of a (checked) trace. */
export function scenarioString(trace: Trace): string {
  const { run } = trace;
  const steps = trace.steps.map((s) => `${s.thread}${s.event === 'CALL' ? '' : s.event}${s.page ? `@${s.page}` : ''}`);
  return SCENARIO_PREFIX + [
    run.version, run.platform, run.deviceKey, run.programs.map((p) => p.map(short).join(',')).join('+'),
    trace.property, trace.severity, steps.join(','),
  ].join('/');
}

function bad(what: string): never {
  throw new TraceInputError(`--scenario: ${what}`);
}

/** The device object of a device key (`coherent=1,pool=own,...`); checkTrace judges the values. */
function deviceOf(key: string): Record<string, unknown> {
  const d: Record<string, unknown> = {};
  for (const part of key.split(',')) {
    const [name, value, more] = part.split('=');
    if (!name || value === undefined || more !== undefined) bad(`bad device knob '${part}' (valid: name=value, e.g. coherent=1,pool=own,gfp=blocking,nkm=0)`);
    d[name] = name === 'coherent' || name === 'nkm' || name === 'devmem' ? (value === '1' ? true : value === '0' ? false : value) : value;
  }
  return d;
}

/**
 * Read a scenario string back into a checked trace. A string that is not
 * one, or names what this dmacheck does not know, is a one-line
 * TraceInputError.
 */
export function parseScenario(text: string): Trace {
  const s = text.replace(/[\s>]+/g, '');
  if (!s.startsWith(SCENARIO_PREFIX)) {
    const m = /^(dmacheck\d+):/.exec(s);
    bad(m ? `scenario format '${m[1]}' is not one this dmacheck reads (${SCENARIO_PREFIX.slice(0, -1)})`
      : `'${s.slice(0, 24)}${s.length > 24 ? '...' : ''}' is not a scenario string (it starts with ${SCENARIO_PREFIX})`);
  }
  const parts = s.slice(SCENARIO_PREFIX.length).split('/');
  if (parts.length !== FIELDS.length)
    bad(`${parts.length} fields, not ${FIELDS.length} (${FIELDS.join('/')}); was the string cut?`);
  const [version, platform, device, programs, property, severity, steps] = parts as [string, string, string, string, string, string, string];
  const progs = programs.split('+').map((p) => p.split(',').map(long));
  const calls = progs.map(() => -1);
  const stepList = steps.split(',').map((text, i) => {
    const m = /^(\d)([A-Z_]*)(?:@([A-Za-z0-9_.]+))?$/.exec(text);
    if (!m) bad(`step ${i + 1} '${text}' is not CPU[EVENT][@page] (e.g. 0, 0SWIOTLB_ALLOC_OK@pool0.slot0)`);
    const thread = Number(m[1]);
    const event = m[2] || 'CALL';
    if (thread >= progs.length) bad(`step ${i + 1} '${text}': CPU${thread} has no program (valid: 0 to ${progs.length - 1})`);
    if (event === 'CALL') calls[thread]!++;
    const call = progs[thread]![Math.max(0, calls[thread]!)] ?? progs[thread]![progs[thread]!.length - 1]!;
    return { thread, call, event, ...(m[3] ? { page: m[3] } : {}) };
  });
  const raw = { format: TRACE_FORMAT, formatVersion: TRACE_FORMAT_VERSION, run: { version, platform, device: deviceOf(device), programs: progs }, property, severity, steps: stepList };
  return checkTrace(raw, '--scenario');
}

/**
 * The string cut into lines of at most `room` columns after a `/`, `,` or
 * `+`, never inside a name (a name longer than a line keeps a line of its own).
 */
export function scenarioLines(s: string, room: number): string[] {
  const pieces = s.match(/[^/,+]*[/,+]?/g)!.filter((p) => p.length > 0);
  const lines: string[] = [];
  let cur = '';
  for (const p of pieces) {
    if (cur && cur.length + p.length > room) { lines.push(cur); cur = ''; }
    cur += p;
  }
  if (cur) lines.push(cur);
  return lines;
}
