/**
 * Reading trace files and results files, and checking a trace before it is
 * rendered or replayed. A trace is refused, in one line naming the file and
 * the step, when it is not JSON, has another format or format version, names
 * an unknown version, platform, call, event or page, describes a device
 * configuration that cannot happen, or records a step the model of its own
 * version cannot take. A trace that passes is rebuilt from the model, so
 * what is rendered is what the model does now.
 */
import { readFileSync } from 'node:fs';
import { deviceKey, DEVICE_KNOBS, exclusionReason, type DeviceConfig } from '../../models/devices.ts';
import { platformById, PLATFORM_IDS } from '../../models/platforms.ts';
import { RunModel } from '../../models/run-model.ts';
import { ENTRY_POINTS, VERSION_IDS } from '../../models/versions.ts';
import { OUTCOME_EVENTS } from '../../models/vocabulary.ts';
import { PROPERTY_IDS } from '../../properties/index.ts';
import { specOf, type RunTask } from '../check/matrix.ts';
import { RESULTS_SCHEMA_VERSION } from '../check/results.ts';
import { MAX_THREADS, UsageError } from '../check/selection.ts';

/** A program counter has 4 bits in the packed world: simulate may go up to 15 calls per CPU. */
const MAX_TRACE_CALLS = 15;
import { buildTrace, TRACE_FORMAT, TRACE_FORMAT_VERSION, type Trace } from '../check/trace.ts';
import { optionLabel, pageName } from './step-options.ts';
import { walkStrict, type RecordedStep } from './walk.ts';

/** A bad trace or results file; the message names the file and the place. */
export class TraceInputError extends UsageError {}

export type InputFile =
  | { readonly kind: 'trace'; readonly path: string; readonly trace: Trace }
  | { readonly kind: 'results'; readonly path: string; readonly results: ResultsFile };

/** What `dmacheck trace` reads of a results file. */
export interface ResultsFile {
  readonly results: readonly {
    readonly version: string;
    readonly property: string;
    readonly violations: readonly { readonly platform: string; readonly device: string; readonly severity: string; readonly trace: unknown }[];
  }[];
}

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const oneOf = (valid: readonly string[]) => `(valid: ${valid.join(', ')})`;

/** Parse JSON text; a syntax error (a truncated file, say) names the line and column. */
export function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const msg = (e as Error).message.split('\n')[0]!;
    const pos = /position (\d+)/.exec(msg);
    let at = '';
    if (pos && Number(pos[1]) < text.trimEnd().length) {
      const before = text.slice(0, Number(pos[1]));
      const line = before.split('\n').length;
      at = ` at line ${line} column ${Number(pos[1]) - before.lastIndexOf('\n')}`;
    } else if (pos || /end of JSON input/.test(msg)) at = ' (it ends early: truncated?)';
    throw new TraceInputError(`${where}: not valid JSON${at}: ${msg.replace(/ in JSON at position \d+.*$/, '').replace(/, ".*$/, '')}`);
  }
}

export function readInputFile(path: string): InputFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new TraceInputError(`${path}: cannot read the file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const raw = parseJson(text.replace(/^\uFEFF/, ''), path); // a UTF-8 byte order mark (Windows editors) is not JSON
  if (isObj(raw) && raw['tool'] === 'dmacheck' && 'results' in raw) {
    if (raw['schemaVersion'] !== RESULTS_SCHEMA_VERSION)
      throw new TraceInputError(`${path}: results schema version ${JSON.stringify(raw['schemaVersion'])} is not the one this dmacheck reads (${RESULTS_SCHEMA_VERSION}); re-run dmacheck verify`);
    if (!Array.isArray(raw['results'])) throw new TraceInputError(`${path}: "results" is not a list`);
    return { kind: 'results', path, results: raw as unknown as ResultsFile };
  }
  if (isObj(raw) && 'format' in raw) return { kind: 'trace', path, trace: checkTrace(raw, path) };
  throw new TraceInputError(`${path}: neither a dmacheck trace file (format "${TRACE_FORMAT}") nor a results file (from dmacheck verify)`);
}

function fail(where: string, what: string): never {
  throw new TraceInputError(`${where}: ${what}`);
}

function str(x: unknown, where: string, field: string, valid?: readonly string[]): string {
  if (typeof x !== 'string') fail(where, `${field} is ${x === undefined ? 'missing' : `not a string (${JSON.stringify(x)})`}`);
  if (valid && !valid.includes(x)) fail(where, `unknown ${field} '${x}' ${oneOf(valid)}`);
  return x;
}

function checkDevice(x: unknown, where: string): DeviceConfig {
  if (!isObj(x)) fail(where, 'run.device is missing or not an object');
  const knob = (name: string) => DEVICE_KNOBS.find((k) => k.name === name)!;
  const bool = (name: 'coherent' | 'nkm' | 'devmem') => {
    const v = x[name];
    if (typeof v !== 'boolean') fail(where, `run.device.${name} is ${v === undefined ? 'missing' : `'${String(v)}', not true or false`} (${knob(name).description})`);
    return v;
  };
  const pool = str(x['pool'], where, 'run.device.pool', knob('pool').values) as DeviceConfig['pool'];
  const gfp = str(x['gfp'], where, 'run.device.gfp', knob('gfp').values) as DeviceConfig['gfp'];
  const plain = { coherent: bool('coherent'), pool, gfp, nkm: bool('nkm') };
  const d: DeviceConfig = x['mask'] === undefined ? plain : { ...plain, mask: str(x['mask'], where, 'run.device.mask', knob('mask').values) as 'below' | 'above' };
  // absent: no per-device coherent memory (trace files written before the knob existed)
  return x['devmem'] === undefined ? d : { ...d, devmem: bool('devmem') };
}

function checkPrograms(x: unknown, where: string): string[][] {
  if (!Array.isArray(x) || x.length < 1 || x.length > MAX_THREADS)
    fail(where, `run.programs must list one program per CPU (1 to ${MAX_THREADS})`);
  return x.map((prog, t) => {
    if (!Array.isArray(prog) || prog.length < 1 || prog.length > MAX_TRACE_CALLS) fail(where, `run.programs[${t}] (CPU${t}) must be a list of 1 to ${MAX_TRACE_CALLS} calls`);
    return prog.map((c) => str(c, `${where}: run.programs[${t}]`, 'call', ENTRY_POINTS));
  });
}

/** The format and format version of a trace, or a one-line refusal. */
function checkFormat(raw: Record<string, unknown>, where: string): void {
  if (raw['format'] !== TRACE_FORMAT) fail(where, `format is ${JSON.stringify(raw['format'])}, not "${TRACE_FORMAT}": not a dmacheck trace file`);
  const v = raw['formatVersion'];
  if (v === undefined) fail(where, `formatVersion is missing; this dmacheck reads trace format version ${TRACE_FORMAT_VERSION} only`);
  if (typeof v !== 'number' || !Number.isInteger(v)) fail(where, `formatVersion ${JSON.stringify(v)} is not a version number; this dmacheck reads version ${TRACE_FORMAT_VERSION}`);
  if (v < TRACE_FORMAT_VERSION)
    fail(where, `trace format version ${v} is older than the version this dmacheck reads (${TRACE_FORMAT_VERSION}); regenerate it with 'dmacheck trace RESULTS.json ... --format json'`);
  if (v > TRACE_FORMAT_VERSION)
    fail(where, `trace format version ${v} is newer than the version this dmacheck reads (${TRACE_FORMAT_VERSION}); use a newer dmacheck`);
}

/** Check a trace (parsed JSON) and rebuild it from the model of its own version. */
export function checkTrace(raw: unknown, where: string): Trace {
  if (!isObj(raw)) fail(where, 'not a JSON object');
  checkFormat(raw, where);
  const run = raw['run'];
  if (!isObj(run)) fail(where, 'run is missing or not an object');
  const version = str(run['version'], where, 'version', VERSION_IDS);
  const platform = str(run['platform'], where, 'platform', PLATFORM_IDS);
  const device = checkDevice(run['device'], where);
  if (run['deviceKey'] !== undefined && run['deviceKey'] !== deviceKey(device))
    fail(where, `run.deviceKey '${String(run['deviceKey'])}' does not match run.device (${deviceKey(device)})`);
  const programs = checkPrograms(run['programs'], where);
  const why = exclusionReason(platformById(platform)!, device, programs.length);
  if (why) fail(where, `the device configuration ${deviceKey(device)} cannot happen: ${why}`);
  const property = str(raw['property'], where, 'property', PROPERTY_IDS);
  const severity = str(raw['severity'], where, 'severity', ['effective', 'latent']) as 'effective' | 'latent';
  const stepsRaw = raw['steps'];
  if (!Array.isArray(stepsRaw) || stepsRaw.length === 0) fail(where, 'steps is missing or empty');
  const task: RunTask = { index: 0, version, platform, device, programs: programs as RunTask['programs'] };
  const model = new RunModel(specOf(task));
  const pages = model.world.layout.pages.map((p) => p.name);
  const steps: RecordedStep[] = stepsRaw.map((s, i) => {
    const at = `${where}: step ${i + 1}`;
    if (!isObj(s)) fail(at, 'not an object');
    if (s['step'] !== undefined && s['step'] !== i + 1) fail(at, `is numbered ${JSON.stringify(s['step'])}`);
    const thread = s['thread'];
    if (typeof thread !== 'number' || !Number.isInteger(thread) || thread < 0 || thread >= programs.length)
      fail(at, `bad thread ${JSON.stringify(thread)} (valid: 0 to ${programs.length - 1}, one per program)`);
    const call = str(s['call'], at, 'call', ENTRY_POINTS);
    const event = str(s['event'], at, 'event', OUTCOME_EVENTS);
    const page = s['page'] === undefined ? undefined : str(s['page'], at, 'page', pages);
    return { thread, call, event, page };
  });
  const actions = raw['actions'];
  if (actions !== undefined && (!Array.isArray(actions) || actions.length !== steps.length || !actions.every((a) => Number.isInteger(a))))
    fail(where, `actions must be a list of ${steps.length} integers, one per step (or be left out)`);
  const w = walkStrict(model, steps);
  if (w.stop) {
    const offered = w.stop.options.map((o) => optionLabel({ ...o, page: pageName(model, o.page) })).join('; ') || 'nothing';
    fail(`${where}: step ${w.stop.step}`, `the model of ${version} cannot take ${optionLabel(steps[w.stop.step - 1]!)}: ${w.stop.reason} (it offers: ${offered})`);
  }
  const taken = w.taken.map((o) => o.action);
  if (Array.isArray(actions)) {
    const bad = actions.findIndex((a, i) => a !== taken[i]);
    if (bad >= 0) fail(`${where}: step ${bad + 1}`, `action ${String(actions[bad])} does not match the step (the model numbers it ${taken[bad]}); fix or drop "actions"`);
  }
  const trace = buildTrace(task, property, severity, taken);
  const id = `${property}/${severity}`;
  if (!trace.steps.some((s) => s.violates.includes(id)))
    fail(where, `not a counterexample: replayed on ${version}, its steps do not violate ${property} (${severity})`);
  return trace;
}

/** The replayable trace file: pretty JSON. */
export function traceFileText(trace: Trace): string {
  return JSON.stringify(trace, null, 2) + '\n';
}
