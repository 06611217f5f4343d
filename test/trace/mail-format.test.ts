import { beforeAll, describe, expect, it } from 'vitest';
import { parseSelection } from '../../src/check/selection.ts';
import { verify } from '../../src/check/verify.ts';
import type { Results } from '../../src/check/results.ts';
import { checkTrace } from '../../src/trace/trace-file.ts';
import { traceReport } from '../../src/trace/trace-report.ts';
import { MAIL_WIDTH, renderMail } from '../../src/trace/render-mail.ts';
import type { Trace } from '../../src/check/trace.ts';
import { parseScenario } from '../../src/trace/scenario-string.ts';
import { results, RESULTS_PATH } from './fixtures.ts';

/** The step numbers of a table or scenario block: a number, or a folded range first-last, at the start of a line. */
function numbered(block: string): number[] {
  const out: number[] = [];
  for (const line of block.split('\n')) {
    const hit = /^\s*(\d+)(?:-(\d+))?  /.exec(line);
    if (!hit) continue;
    for (let n = Number(hit[1]); n <= Number(hit[2] ?? hit[1]); n++) out.push(n);
  }
  return out;
}

/** Every name (C identifier, page name, event) the trace's texts contain. */
function names(t: Trace): Set<string> {
  const texts = [t.rule, t.message, ...t.steps.flatMap((s) => [s.call, s.event, s.page ?? '', s.source, ...s.changes])];
  return new Set(texts.flatMap((x) => x.match(/[A-Za-z0-9_.]+/g) ?? []).map((x) => x.replace(/\.$/, '')));
}

const SECTIONS = ['Replay (the string may be wrapped or quoted; no file needed):', 'Details', 'Configuration'];

interface Mail { label: string; text: string; steps: number; trace: Trace }

/** Every mail rendering of every counterexample of `r`, plain and compact. */
function mails(r: Results): Mail[] {
  const out: Mail[] = [];
  for (const pr of r.results)
    pr.violations.forEach((v, i) => {
      const trace = checkTrace(v.trace, `results ${pr.version} ${pr.property} #${i}`);
      const origin = { kind: 'results' as const, path: RESULTS_PATH, version: pr.version, property: pr.property, platform: v.platform, index: i + 1 };
      for (const compact of [false, true])
        out.push({ label: `${pr.version} ${pr.property} ${v.platform} ${v.device} ${v.severity}${compact ? ' --compact' : ''}`, text: renderMail(traceReport(trace, origin, { compact })), steps: trace.steps.length, trace });
    });
  return out;
}

function badLines(text: string): string[] {
  return text.split('\n').filter((l) => l.length > MAIL_WIDTH || !/^[\x20-\x7e]*$/.test(l));
}

describe('mail format over a default-like matrix', () => {
  let all: Mail[] = [];
  beforeAll(async () => {
    // Every version, platform and device configuration, two CPUs with two calls each.
    const r = await verify({ selection: parseSelection({ threads: 2, calls: 2 }), workers: 0 });
    // And three CPUs sharing a pool (three columns).
    const r3 = await results('baseline,v2-p3-without-p1', 'cca,tdx', 'coherent=0,pool=shared,gfp=blocking,nkm=0', 'all', 3, 2);
    all = [...mails(r), ...mails(r3)];
  });

  it('renders hundreds of counterexamples, with two and three CPU columns', () => {
    expect(all.length).toBeGreaterThan(400);
    expect(all.some((m) => m.text.includes('CPU2'))).toBe(true);
  });

  it('keeps every line of every mail-format trace within 72 columns of printable ASCII', () => {
    const bad = all.flatMap((m) => badLines(m.text).map((l) => `${m.label}: ${JSON.stringify(l)}`));
    expect(bad).toEqual([]);
  });

  it('has the sections in order, and numbers every step or folds it in the scenario and in the table', () => {
    for (const m of all) {
      const at = SECTIONS.map((s) => m.text.indexOf(`\n${s}\n`));
      expect(at.every((x, i) => x > 0 && (i === 0 || x > at[i - 1]!)), m.label).toBe(true);
      const all1toN = Array.from({ length: m.steps }, (_, i) => i + 1);
      expect(numbered(m.text.slice(m.text.indexOf('\n     CPU'), m.text.indexOf('\nStep ', 1))), m.label).toEqual(all1toN);
      expect(numbered(m.text.slice(m.text.indexOf('\nSteps'))), m.label).toEqual(all1toN);
    }
  });

  it('never cuts a name across lines', () => {
    for (const m of all) {
      const known = names(m.trace);
      const lines = m.text.split('\n');
      const cut = lines.slice(1).flatMap((l, i) => {
        const a = /[A-Za-z0-9_]+$/.exec(lines[i]!)?.[0];
        const b = /^\s*([A-Za-z0-9_.]+)/.exec(l)?.[1];
        return a && b && known.has(a + b) ? [`${a}|${b}`] : [];
      });
      expect(cut, m.label).toEqual([]);
    }
  });

  it('carries the whole scenario in the replay command: the string reads back as the same trace', () => {
    for (const m of all) {
      const replay = m.text.slice(m.text.indexOf("--scenario '") + 12);
      const t = parseScenario(replay.slice(0, replay.indexOf("'")));
      expect(t, m.label).toEqual(m.trace);
    }
  });

  it('never folds a step without --compact', () => {
    expect(all.filter((m) => !m.label.endsWith('--compact') && m.text.includes('runs unrelated steps'))).toEqual([]);
  });
});

describe('the scenario block', () => {
  it('lists only the CPUs that take a step, and says which one is idle', async () => {
    const r = await results('baseline', 'cca', 'coherent=1,pool=own,gfp=blocking,nkm=0', 'no-double-decrypt', 2, 2);
    const v = r.results[0]!.violations[0]!;
    const trace = checkTrace(v.trace, 'x');
    expect(trace.run.programs).toHaveLength(2);
    const text = renderMail(traceReport(trace, { kind: 'file', path: 'x' }));
    expect(text).not.toMatch(/\bCPU1 runs\b|^ {2}CPU1 /m);
    expect(text).toContain('\n\n     CPU0\n     ----\n  1  dma_direct_alloc()\n');
    expect(text).toContain('CPU1 takes no step');
  });
});
