/**
 * junit.xml for CI: one testsuite per version, one testcase per
 * (property, platform). A testcase fails when the property is violated on
 * the platform; the failure carries the shortest counterexample as
 * plain text for a mail reply. A platform with no run in the selection is
 * skipped. Counts (tests, failures, errors, skipped) are consistent at
 * every level, as Jenkins, GitLab and GitHub test reporters expect. An
 * incomplete result never passes: every suite opens with a `complete`
 * testcase in error naming the reason, a platform of which no run finished
 * is an error, and the suite's properties and system-out say so.
 */
import type { PropertyResult, Results, ViolationGroup } from '../check/results.ts';
import type { Trace } from '../check/trace.ts';
import { renderMail } from '../trace/render-mail.ts';
import { traceReport } from '../trace/trace-report.ts';

/** Characters XML 1.0 cannot carry at all. */
const INVALID_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function xmlText(s: string): string {
  return s.replace(INVALID_XML, '\uFFFD').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function xmlAttr(s: string): string {
  return xmlText(s).replace(/"/g, '&quot;').replace(/'/g, '&apos;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;');
}

/**
 * The counterexample of a failure in the mail format of src/trace/, with the
 * commands that extract it from the results.json next to junit.xml and
 * replay it; the plain rendering below if the trace no longer replays.
 */
export function failureTrace(r: PropertyResult, g: ViolationGroup): string {
  const same = r.violations.filter((x) => x.platform === g.platform);
  const index = same.length > 1 ? same.indexOf(g) + 1 : undefined;
  try {
    return renderMail(traceReport(g.trace, { kind: 'results', path: 'results.json', version: r.version, property: r.property, platform: g.platform, ...(index ? { index } : {}) }));
  } catch {
    return traceText(g.trace);
  }
}

/** Plain-text rendering of a trace, straight from its steps. */
export function traceText(trace: Trace): string {
  const r = trace.run;
  const lines = [
    `${trace.property} violated (${trace.severity}) on ${r.platform}, kernel ${r.version}`,
    `device: ${r.deviceKey}`,
    ...r.programs.map((p, i) => `CPU${i}: ${p.join(' -> ')}`),
    '',
    `rule: ${trace.rule}`,
    `what happens: ${trace.message}`,
    '',
  ];
  for (const s of trace.steps) {
    lines.push(`${String(s.step).padStart(2)}. CPU${s.thread} ${s.call} ${s.event}${s.page ? `(${s.page})` : ''}`);
    lines.push(`    ${s.from} -> ${s.to}   [${s.toSource}]`);
    for (const c of s.changes) lines.push(`    * ${c}`);
    if (s.violates.length) lines.push(`    !! violates ${s.violates.join(', ')}`);
  }
  return lines.join('\n');
}

const shortestFirst = (a: ViolationGroup, b: ViolationGroup) =>
  (a.severity === b.severity ? 0 : a.severity === 'effective' ? -1 : 1) || a.depth - b.depth || a.runIndex - b.runIndex;

interface Case {
  readonly name: string;
  readonly failure?: { readonly type: string; readonly message: string; readonly body: string };
  readonly skipped?: string;
  readonly error?: { readonly type: string; readonly message: string };
}

export function junitXml(res: Results): string {
  const sel = res.selection;
  const seconds = res.timing?.seconds ?? 0;
  const note = res.complete ? '' : `INCOMPLETE: ${res.incompleteReason ?? 'partial result'}. Verdicts cover only the runs that finished.`;
  const suites: { name: string; cases: Case[]; reach: string[] }[] = [];
  for (const version of sel.versions) {
    const cases: Case[] = res.complete ? [] : [{ name: 'complete', error: { type: 'incomplete', message: note } }];
    for (const property of sel.properties) {
      const r = res.results.find((x) => x.version === version && x.property === property);
      for (const platform of sel.platforms) {
        const name = `${property} on ${platform}`;
        const groups = (r?.violations ?? []).filter((g) => g.platform === platform).slice().sort(shortestFirst);
        if (groups.length) {
          const best = groups[0]!;
          const summary = ['Violating device configurations (severity, device, runs, shortest):', ...groups.map((g) => `  ${g.severity.padEnd(9)} ${g.device}  ${g.runs}x ${g.depth} steps`)];
          cases.push({
            name,
            failure: {
              type: best.severity,
              message: `${best.severity} on ${platform} (${best.device}): ${best.trace.message}`,
              body: [...summary, '', 'The shortest counterexample (the first above):', '', failureTrace(r!, best)].join('\n'),
            },
          });
        } else if (res.stateCounts[version]?.[platform] === undefined) {
          cases.push(res.complete ? { name, skipped: 'no run of this platform in the selection' } : { name, error: { type: 'incomplete', message: 'no run of this platform finished' } });
        } else cases.push({ name });
      }
    }
    const reach = res.reachability
      .filter((x) => x.version === version && (x.unreached.length || x.unexpectedlyReached.length))
      .map((x) => `${x.entryPoint}: ${x.reached}/${x.obligations} reached; unreached: ${x.unreached.join('; ') || '-'}`);
    suites.push({ name: version, cases, reach });
  }
  const count = (cs: readonly Case[]) => ({
    tests: cs.length,
    failures: cs.filter((c) => c.failure).length,
    errors: cs.filter((c) => c.error).length,
    skipped: cs.filter((c) => c.skipped).length,
  });
  const all = count(suites.flatMap((s) => s.cases));
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  out.push(`<testsuites name="dmacheck" tests="${all.tests}" failures="${all.failures}" errors="${all.errors}" skipped="${all.skipped}" time="${seconds.toFixed(3)}">`);
  suites.forEach((s, i) => {
    const c = count(s.cases);
    const ts = res.timing ? ` timestamp="${xmlAttr(res.timing.startedAt.replace(/\.\d+Z$/, '').replace(/Z$/, ''))}"` : '';
    out.push(`  <testsuite name="dmacheck.${xmlAttr(s.name)}" id="${i}" tests="${c.tests}" failures="${c.failures}" errors="${c.errors}" skipped="${c.skipped}" time="${i === 0 ? seconds.toFixed(3) : '0.000'}"${ts}>`);
    out.push('    <properties>');
    out.push(`      <property name="complete" value="${res.complete}"/>`);
    if (!res.complete) out.push(`      <property name="incompleteReason" value="${xmlAttr(res.incompleteReason ?? 'partial result')}"/>`);
    out.push(`      <property name="bound" value="${sel.threads} thread(s), ${sel.calls} call(s) per thread"/>`);
    out.push(`      <property name="runs" value="${res.totals.runsDone}/${res.totals.runs}"/>`);
    out.push('    </properties>');
    for (const tc of s.cases) {
      const open = `    <testcase classname="dmacheck.${xmlAttr(s.name)}" name="${xmlAttr(tc.name)}" time="0"`;
      if (tc.failure) {
        out.push(`${open}>`);
        out.push(`      <failure type="${xmlAttr(tc.failure.type)}" message="${xmlAttr(tc.failure.message)}">${xmlText(tc.failure.body)}</failure>`);
        out.push('    </testcase>');
      } else if (tc.error) {
        out.push(`${open}>`);
        out.push(`      <error type="${xmlAttr(tc.error.type)}" message="${xmlAttr(tc.error.message)}"/>`);
        out.push('    </testcase>');
      } else if (tc.skipped) {
        out.push(`${open}>`);
        out.push(`      <skipped message="${xmlAttr(tc.skipped)}"/>`);
        out.push('    </testcase>');
      } else out.push(`${open}/>`);
    }
    const sysout = [note, ...(s.reach.length ? ['Reachability obligations never reached (model bug or bound too small):', ...s.reach] : [])].filter(Boolean);
    if (sysout.length) out.push(`    <system-out>${xmlText(sysout.join('\n'))}</system-out>`);
    out.push('  </testsuite>');
  });
  out.push('</testsuites>');
  return out.join('\n') + '\n';
}
