/**
 * What a rendered counterexample says, independent of the output format:
 * a title, a one-paragraph summary, the configuration, the steps as rows of
 * a table with one column per CPU, the violated invariant in one sentence
 * and the commands that replay it. The mail and Markdown renderers lay this
 * out; they add nothing.
 */
import { deviceKey, forceDmaUnencrypted, type DeviceConfig } from '../../models/devices.ts';
import { platformById } from '../../models/platforms.ts';
import { actionThread, RunModel } from '../../models/run-model.ts';
import { versionById } from '../../models/versions.ts';
import { ENC_NAMES, HOME_NAMES } from '../../models/vocabulary.ts';
import { WorldView } from '../../models/world.ts';
import { PROPERTIES, Severity } from '../../properties/index.ts';
import { specOf } from '../check/matrix.ts';
import { replayActions, type Trace, type TraceStep } from '../check/trace.ts';

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

export interface TraceReport {
  readonly title: string;
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
  readonly invariant: string;
  /** shell commands (as words) and a note */
  readonly replay: { readonly commands: readonly (readonly string[])[]; /** the trace file the first command writes, if any */ readonly traceFile?: string; readonly note: string };
}

export interface ReportOptions {
  /** fold steps of other CPUs that touch none of the violating pages */
  readonly compact?: boolean;
}

const COUNT = ['No', 'One', 'Two', 'Three', 'Four'];

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

/** A source position `kernel/dma/direct.c[:line @commit] fn(): what` as lines: file (and line), function, what. */
function positionLines(source: string): CellLine[] {
  const m = /^(\S+\.[ch](?::\d+ @\S+)?) (\S+\(\)): (.*)$/.exec(source);
  const parts = m ? [m[1]!, `${m[2]!}:`, m[3]!] : [source];
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

function rowsOf(trace: Trace, violationStep: number, compact: boolean): Row[] {
  const rows: Row[] = [];
  const use = compact ? pageUse(trace, violationStep) : undefined;
  const culpritThread = trace.steps[violationStep - 1]!.thread;
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
    if (use && (s.violates.length > 0 || [...use.touched[s.step - 1]!].some((p) => use.culprits.has(p)))) related.add(c);
  }
  for (const s of trace.steps) {
    const unrelated = use !== undefined && s.thread !== culpritThread && !related.has(callOf[s.step - 1]!);
    const last = rows[rows.length - 1];
    if (unrelated && last?.kind === 'fold' && last.thread === s.thread && last.last === s.step - 1) {
      rows[rows.length - 1] = { ...last, last: s.step };
      continue;
    }
    if (unrelated) rows.push({ kind: 'fold', thread: s.thread, first: s.step, last: s.step });
    else rows.push({ kind: 'step', step: s.step, thread: s.thread, lines: stepLines(s) });
  }
  return rows;
}

/** A file name for the trace of a results entry: `baseline-no-double-decrypt-cca.json`. */
export function traceFileName(version: string, property: string, platform: string, index?: number): string {
  return `${version}-${property}-${platform}${index ? `-${index}` : ''}.json`;
}

export function traceReport(trace: Trace, origin: TraceOrigin, opts: ReportOptions = {}): TraceReport {
  const { run } = trace;
  const version = versionById(run.version)!;
  const platform = platformById(run.platform)!;
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
    `${culprit.call}() breaks ${trace.property}: at step ${violationStep}, ${trace.message}. ` +
    `${deviceSentence(run.device, threads)} The violation is ${trace.severity}: ${sevWhy}. ${found}`;

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
    ['Kconfig', (Object.keys(k) as (keyof typeof k)[]).map((name) => (k[name] ? `CONFIG_${name}=y` : `# CONFIG_${name} is not set`))],
    ...run.programs.map((p, t): [string, string[]] => [`CPU${t}`, [p.join(', ')]]),
    ['pages', model.world.layout.pages.map((p) => `${p.name}: ${HOME_NAMES[p.home]}, starts ${ENC_NAMES[p.initialEnc]}`)],
  ];

  const columns = [...new Set(trace.steps.map((s) => s.thread))].sort((a, b) => a - b);
  const idle = run.programs.map((_, t) => t).filter((t) => !columns.includes(t));
  const stepsHeading = `Steps (one column per CPU${idle.length ? `; ${idle.map((t) => `CPU${t}`).join(', ')} take${idle.length === 1 ? 's' : ''} no step` : ''}` +
    `${origin.kind === 'results' ? '; a shortest interleaving' : ''})`;
  const invariant = `${trace.property} (${trace.severity}): ${trace.rule}; at step ${violationStep}, ${trace.message}.`;

  let replay: TraceReport['replay'];
  const note = 'Add --version V to replay it on another kernel version (exit 0 fixed, 1 still violated, 3 diverged or not applicable).';
  if (origin.kind === 'results') {
    const file = traceFileName(origin.version, origin.property, origin.platform, origin.index);
    replay = {
      commands: [
        ['dmacheck', 'trace', origin.path, '--version', origin.version, '--property', origin.property, '--platform', origin.platform,
          ...(origin.index ? ['--index', String(origin.index)] : []), '--format', 'json', `> ${file}`],
        ['dmacheck', 'replay', file],
      ],
      traceFile: file,
      note,
    };
  } else replay = { commands: [['dmacheck', 'replay', origin.path]], note };

  return {
    title: `dmacheck: ${trace.property} (${trace.severity}) in ${culprit.call}() on ${platform.id}, kernel ${version.id}`,
    summary, config, threads, columns, stepsHeading, rows: rowsOf(trace, violationStep, opts.compact ?? false), violationStep, invariant, replay,
  };
}
