/**
 * What a rendered counterexample says, independent of the output format:
 * a title; the scenario, one short line per step in the column of its CPU
 * (lockdep's "CPU0 / CPU1" scenarios), the violated invariant in one
 * sentence, the configuration in one line and the command that replays it
 * from a scenario string (no file needed); then the details: a summary
 * paragraph with the invariant's rule, the full configuration, the steps
 * with their kernel positions and world changes. The mail and
 * Markdown renderers lay this out; they add nothing.
 */
import { deviceKey, forceDmaUnencrypted, type DeviceConfig } from '../../models/devices.ts';
import { platformAt, platformById } from '../../models/platforms.ts';
import { actionThread, RunModel } from '../../models/run-model.ts';
import { versionById } from '../../models/versions.ts';
import { ENC_NAMES, HOME_NAMES } from '../../models/vocabulary.ts';
import { ObsKind } from '../../models/observation.ts';
import { WorldView } from '../../models/world.ts';
import { PROPERTIES, Severity } from '../../properties/index.ts';
import { specOf } from '../check/matrix.ts';
import { replayActions, type Trace, type TraceStep } from '../check/trace.ts';
import { scenarioString } from './scenario-string.ts';
import { pageName, type StepOption } from './step-options.ts';
import { isFailure, walkStrict } from './walk.ts';

/** Where the trace came from: it decides the replay commands printed. */
export type TraceOrigin =
  | {
    readonly kind: 'results';
    readonly path: string;
    readonly version: string;
    readonly property: string;
    readonly platform: string;
    /** 1-based position among the results' counterexamples for (version, property, platform); absent when it is the only one */
    readonly index?: number;
  }
  | { readonly kind: 'file'; readonly path: string };

export interface CellLine {
  readonly text: string;
  /** call: an entry point starts; position: kernel source; event: the outcome; change: the world change; violation */
  readonly kind: 'call' | 'position' | 'event' | 'change' | 'violation';
}

export type Row =
  | { readonly kind: 'step'; readonly step: number; readonly thread: number; readonly lines: readonly CellLine[] }
  /** steps first..last of `thread`, folded by --compact */
  | { readonly kind: 'fold'; readonly thread: number; readonly first: number; readonly last: number };

/** A line of the scenario: the step in a few words (`swiotlb_alloc() pool0.slot0 [DEC]`), or steps folded by --compact. */
export type BriefRow =
  | { readonly kind: 'step'; readonly step: number; readonly thread: number; readonly text: string; /** inside an entry point (not its CALL): indented */ readonly inner: boolean; readonly violation: boolean }
  | { readonly kind: 'fold'; readonly thread: number; readonly first: number; readonly last: number };

export interface TraceReport {
  readonly title: string;
  /** one line per step (or fold), in the column of its CPU */
  readonly scenario: readonly BriefRow[];
  /** the violated invariant in one sentence */
  readonly sentence: string;
  /** version, platform, device and the programs of the CPUs that take a step, in one line */
  readonly configLine: string;
  /** the whole scenario as a string `dmacheck replay --scenario` reads (scenario-string.ts) */
  readonly scenarioString: string;
  readonly summary: string;
  /** label and value lines (each value line is wrapped on its own) */
  readonly config: readonly (readonly [string, readonly string[]])[];
  readonly threads: number;
  /** the CPUs that take a step, in order: the table's columns */
  readonly columns: readonly number[];
  /** heading of the steps table */
  readonly stepsHeading: string;
  readonly rows: readonly Row[];
  /** the first step violating the trace's property */
  readonly violationStep: number;
  /** how to replay on another version, and how to get the trace file */
  readonly replay: { readonly note: string };
}

export interface ReportOptions {
  /** fold the calls (of any CPU) that touch none of the violating pages */
  readonly compact?: boolean;
}

const COUNT = ['No', 'One', 'Two', 'Three', 'Four'];

const lowerFirst = (text: string): string => text.charAt(0).toLowerCase() + text.slice(1);

/** The device configuration in words (one sentence). */
export function deviceSentence(d: DeviceConfig, threads: number): string {
  const who = threads === 1 ? 'One CPU drives' : `${COUNT[threads] ?? threads} CPUs each drive`;
  const pool = d.pool === 'none' ? 'without a restricted-dma-pool'
    : d.pool === 'own' ? 'with a restricted-dma-pool of its own'
      : 'attached to one restricted-dma-pool that the devices share';
  const mask = d.mask === 'below' ? ', whose DMA mask is below the SME C-bit' : d.mask === 'above' ? ', whose DMA mask reaches the SME C-bit' : '';
  const gfp = d.gfp === 'blocking' ? 'may block' : 'use a non-blocking (atomic) gfp';
  return `${who} a ${d.coherent ? 'cache-coherent' : 'non-coherent'} device ${pool}${mask}; ${threads === 1 ? 'its' : 'their'} allocations ${gfp}${d.nkm ? ' and pass DMA_ATTR_NO_KERNEL_MAPPING' : ''}.`;
}

/** A source position `kernel/dma/direct.c[:line @commit] fn(): what` as lines: file (and line) and function, what. */
function positionLines(source: string): CellLine[] {
  const m = /^(\S+\.[ch](?::\d+ @\S+)?) (\S+\(\)): (.*)$/.exec(source);
  const parts = m ? [`${m[1]!} ${m[2]!}:`, m[3]!] : [source];
  return parts.map((text) => ({ text, kind: 'position' as const }));
}

/** A step as cell lines: the call or kernel position, the outcome, the world change, the violations. */
export function stepLines(s: TraceStep): CellLine[] {
  const lines: CellLine[] = [];
  if (s.event === 'CALL') {
    lines.push({ text: `calls ${s.call}()`, kind: 'call' });
    lines.push(...positionLines(s.source));
  } else {
    lines.push(...positionLines(s.source));
    lines.push({ text: `-> ${s.event}${s.page ? ` ${s.page}` : ''}`, kind: 'event' });
  }
  for (const c of s.changes) lines.push({ text: c, kind: 'change' });
  for (const v of s.violates) lines.push({ text: `*** violates ${v.replace('/', ' (')}) ***`, kind: 'violation' });
  return lines;
}

/** Per step, the pages it touches; and the pages the violation is about. */
function pageUse(trace: Trace, violationStep: number): { touched: Set<number>[]; culprits: Set<number> } {
  const model = new RunModel(specOf({ index: 0, ...trace.run }));
  const steps = replayActions(model, trace.actions);
  const v = new WorldView(model.world.layout);
  const touched = steps.map((s) => {
    const set = new Set<number>();
    const t = actionThread(s.action);
    for (const o of s.obs) if (o.page >= 0) set.add(o.page);
    const page = model.describeAction(s.action).page;
    if (page >= 0) set.add(page);
    for (const buf of [s.before, s.after]) {
      v.buf = buf;
      if (v.cur(t) >= 0) set.add(v.cur(t));
    }
    return set;
  });
  const prop = PROPERTIES.find((p) => p.id === trace.property)!;
  const wanted = trace.severity === 'effective' ? Severity.EFFECTIVE : Severity.LATENT;
  const culprits = new Set<number>();
  for (const o of steps[violationStep - 1]!.obs)
    if (o.page >= 0 && prop.check(o, model.spec.platform) === wanted) culprits.add(o.page);
  return { touched, culprits };
}

/** Which steps --compact folds: those of calls that touch none of the violating pages. */
function foldedSteps(trace: Trace, violationStep: number, compact: boolean): Set<number> {
  const folded = new Set<number>();
  if (!compact) return folded;
  const use = pageUse(trace, violationStep);
  // A call of a CPU (its CALL step and the steps up to its next CALL) is related
  // when one of its steps touches a page the violation is about.
  const callOf: number[] = [];
  const related = new Set<number>();
  let calls = 0;
  const current = new Map<number, number>();
  for (const s of trace.steps) {
    if (s.event === 'CALL' || !current.has(s.thread)) current.set(s.thread, calls++);
    const c = current.get(s.thread)!;
    callOf.push(c);
    if (s.violates.length > 0 || [...use.touched[s.step - 1]!].some((p) => use.culprits.has(p))) related.add(c);
  }
  for (const s of trace.steps) if (!related.has(callOf[s.step - 1]!)) folded.add(s.step);
  return folded;
}

/** Rows of steps, runs of folded steps of one CPU merged into one fold row. */
type Fold = Extract<Row, { kind: 'fold' }>;

function withFolds<R extends { readonly kind: 'step' }>(trace: Trace, folded: Set<number>, row: (s: TraceStep) => R): (R | Fold)[] {
  const rows: (R | Fold)[] = [];
  for (const s of trace.steps) {
    const unrelated = folded.has(s.step);
    const last = rows[rows.length - 1];
    if (unrelated && last?.kind === 'fold' && last.thread === s.thread && last.last === s.step - 1) {
      rows[rows.length - 1] = { ...last, last: s.step };
      continue;
    }
    if (unrelated) rows.push({ kind: 'fold', thread: s.thread, first: s.step, last: s.step });
    else rows.push(row(s));
  }
  return rows;
}

/** The page a step is about: the one the environment chose, else the first one it observes. */
function stepPage(o: StepOption): number {
  return o.page >= 0 ? o.page : o.obs.find((x) => x.page >= 0)?.page ?? -1;
}

/** A step in a few words: `dma_direct_alloc()`, `swiotlb_alloc() pool0.slot0 [DEC]`, `set_memory_decrypted() pool0.slot0 [DEC->DEC]`. */
function briefText(model: RunModel, s: TraceStep, o: StepOption): string {
  if (s.event === 'CALL') return `${s.call}()`;
  const what = o.envCall ? `${o.envCall}()` : s.event;
  const p = stepPage(o);
  // The outcome is said when it is not plain success: a failure, or an answer without a page (CMA_NONE, NOT_IN_POOL).
  const outcome = isFailure(s.event) ? ' FAILS' : p < 0 && !s.event.endsWith('_OK') && o.envCall ? ` ${s.event}` : '';
  if (p < 0) return `${what}${outcome}`;
  const set = o.obs.find((x) => x.page === p && (x.kind === ObsKind.SET_DECRYPTED || x.kind === ObsKind.SET_ENCRYPTED));
  const v = new WorldView(model.world.layout, o.after);
  const state = set ? `${ENC_NAMES[set.encBefore]}->${ENC_NAMES[set.encAfter]}` : ENC_NAMES[v.enc(p)];
  return `${what} ${pageName(model, p)}${outcome} [${state}]`;
}

export function traceReport(trace: Trace, origin: TraceOrigin, opts: ReportOptions = {}): TraceReport {
  const { run } = trace;
  const version = versionById(run.version)!;
  // the platform as the trace's kernel version sees it (pKVM is a CC platform at v7.3)
  const platform = platformAt(platformById(run.platform)!, version.env);
  const threads = run.programs.length;
  const id = `${trace.property}/${trace.severity}`;
  const violationStep = trace.steps.find((s) => s.violates.includes(id))?.step ?? trace.steps.length;
  const culprit = trace.steps[violationStep - 1]!;
  const F = forceDmaUnencrypted(platform, run.device);
  const R = run.device.pool !== 'none';
  const model = new RunModel(specOf({ index: 0, ...run }));

  const sevWhy = trace.severity === 'effective'
    ? 'the platform makes it observable'
    : 'it has no visible effect on this platform, but the code is wrong where it has one';
  const found = origin.kind === 'results'
    ? `dmacheck explores breadth-first, so this is a shortest interleaving that shows it: ${trace.steps.length} steps.`
    : `The trace has ${trace.steps.length} steps.`;
  const summary = `In kernel version ${version.id} (${version.description}), on ${platform.description} (${platform.id}), ` +
    `${culprit.call}() breaks ${trace.property}, the rule that ${lowerFirst(trace.rule)}. ` +
    `${deviceSentence(run.device, threads)} The violation is ${trace.severity}: ${sevWhy}. ${found}`;

  const columns = [...new Set(trace.steps.map((s) => s.thread))].sort((a, b) => a - b);
  const k = platform.kconfig;
  const config: [string, string[]][] = [
    ['kernel', [`${version.id}: ${version.description}`]],
    ['platform', [`${platform.id}: ${platform.description}`]],
    ['device', [deviceKey(run.device).replace(/,/g, ' ')]],
    ['F', [`force_dma_unencrypted(dev) = ${F}`, `(${platform.forceRule})`]],
    ['R', [`is_swiotlb_for_alloc(dev) = ${R}`]],
    ['memory', [
      `set_memory_*(): ${platform.memEncryptActive ? (platform.setMemoryCanFail ? 'active, can fail' : 'active, never fail') : 'stubs'}; ` +
      `DMA encodings ${platform.encodingsDiffer ? 'differ' : 'are equal'}; pgprot_decrypted() ${platform.pgprotDecryptedDiffers ? 'differs' : 'is the identity'}`,
    ]],
    ['Kconfig', [(Object.keys(k) as (keyof typeof k)[]).map((name) => `CONFIG_${name}=${k[name] ? 'y' : 'n'}`).join(' ')]],
    ...columns.map((t): [string, string[]] => [`CPU${t}`, [run.programs[t]!.join(', ')]]),
    ['pages', model.world.layout.pages.map((p) => `${p.name}: ${HOME_NAMES[p.home]}, starts ${ENC_NAMES[p.initialEnc]}`)],
  ];

  const idle = run.programs.map((_, t) => t).filter((t) => !columns.includes(t));
  const stepsHeading = `Steps (one column per CPU${idle.length ? `; ${idle.map((t) => `CPU${t}`).join(', ')} take${idle.length === 1 ? 's' : ''} no step` : ''}` +
    `${origin.kind === 'results' ? '; a shortest interleaving' : ''})`;

  const note = 'Add --version V to replay it on another kernel version (exit 0 fixed, 1 still violated, 3 diverged or not applicable).';
  const sentence = `Step ${violationStep} violates ${trace.property} (${trace.severity}): ${trace.message}.`;
  const configLine = `${version.id} on ${platform.id}, device ${deviceKey(run.device).replace(/,/g, ' ')}; ` +
    `${columns.map((t) => `CPU${t} runs ${run.programs[t]!.join(', ')}`).join('; ')}`;
  const walked = walkStrict(model, trace.steps).taken;
  const folded = foldedSteps(trace, violationStep, opts.compact ?? false);
  const scenario = withFolds(trace, folded, (s): Exclude<BriefRow, Fold> => (
    { kind: 'step', step: s.step, thread: s.thread, text: briefText(model, s, walked[s.step - 1]!), inner: s.event !== 'CALL', violation: s.step === violationStep }));
  return {
    title: `dmacheck: ${trace.property} (${trace.severity}) in ${culprit.call}() on ${platform.id}, kernel ${version.id}`,
    scenario, sentence, configLine, scenarioString: scenarioString(trace),
    summary, config, threads, columns, stepsHeading,
    rows: withFolds(trace, folded, (s): Exclude<Row, Fold> => ({ kind: 'step', step: s.step, thread: s.thread, lines: stepLines(s) })),
    violationStep, replay: { note },
  };
}
