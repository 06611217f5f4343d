import { beforeAll, describe, expect, it } from 'vitest';
import { parseSelection } from '../../src/check/selection.ts';
import { verify } from '../../src/check/verify.ts';
import type { Results } from '../../src/check/results.ts';
import { checkTrace } from '../../src/trace/trace-file.ts';
import { traceReport } from '../../src/trace/trace-report.ts';
import { MAIL_WIDTH, renderMail } from '../../src/trace/render-mail.ts';
import { renderMarkdown } from '../../src/trace/render-md.ts';
import { results, RESULTS_PATH } from './fixtures.ts';

const SECTIONS = ['Configuration', 'Violated invariant', 'Replay'];

/** Every mail rendering of every counterexample of `r`, plain and compact. */
function mails(r: Results): { label: string; text: string; steps: number }[] {
  const out: { label: string; text: string; steps: number }[] = [];
  for (const pr of r.results)
    pr.violations.forEach((v, i) => {
      const trace = checkTrace(v.trace, `results ${pr.version} ${pr.property} #${i}`);
      const origin = { kind: 'results' as const, path: RESULTS_PATH, version: pr.version, property: pr.property, platform: v.platform, index: i + 1 };
      for (const compact of [false, true])
        out.push({ label: `${pr.version} ${pr.property} ${v.platform} ${v.device} ${v.severity}${compact ? ' --compact' : ''}`, text: renderMail(traceReport(trace, origin, { compact })), steps: trace.steps.length });
    });
  return out;
}

function badLines(text: string): string[] {
  return text.split('\n').filter((l) => l.length > MAIL_WIDTH || !/^[\x20-\x7e]*$/.test(l));
}

describe('mail format over a default-like matrix', () => {
  let all: { label: string; text: string; steps: number }[] = [];
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

  it('has the sections in order and numbers every step or folds it', () => {
    for (const m of all) {
      const at = SECTIONS.map((s) => m.text.indexOf(`\n${s}\n`));
      expect(at.every((x, i) => x > 0 && (i === 0 || x > at[i - 1]!)), m.label).toBe(true);
      const steps = m.text.slice(m.text.indexOf('\nSteps'), at[1]);
      // the step column: a number, or a folded range first-last
      const numbered: number[] = [];
      for (const line of steps.split('\n')) {
        const hit = /^\s*(\d+)(?:-(\d+))?  /.exec(line);
        if (!hit) continue;
        const first = Number(hit[1]);
        for (let n = first; n <= Number(hit[2] ?? first); n++) numbered.push(n);
      }
      expect(numbered, m.label).toEqual(Array.from({ length: m.steps }, (_, i) => i + 1));
    }
  });

  it('never folds a step without --compact', () => {
    expect(all.filter((m) => !m.label.endsWith('--compact') && m.text.includes('runs unrelated steps'))).toEqual([]);
  });
});

describe('wrapping edge cases', () => {
  it('keeps a very long results path within 72 columns in the replay command', async () => {
    const r = await results('baseline', 'cca', 'coherent=1,pool=own,gfp=blocking,nkm=0', 'no-double-decrypt');
    const v = r.results[0]!.violations[0]!;
    const trace = checkTrace(v.trace, 'x');
    const path = `/home/reviewer/${'very-long-directory-name/'.repeat(5)}results.json`;
    const text = renderMail(traceReport(trace, { kind: 'results', path, version: 'baseline', property: 'no-double-decrypt', platform: 'cca' }));
    expect(badLines(text)).toEqual([]);
    // The shell joins a word split by backslash-newline: the path survives.
    const replay = text.slice(text.indexOf('\nReplay\n'));
    expect(replay.replace(/\\\n/g, '').replace(/\s+/g, ' ')).toContain(path);
    expect(renderMarkdown(traceReport(trace, { kind: 'file', path }))).toContain(`dmacheck replay ${path}`);
  });
});
