import { beforeAll, describe, expect, it } from 'vitest';
import { parseSelection } from '../../src/check/selection.ts';
import type { Trace } from '../../src/check/trace.ts';
import { verify } from '../../src/check/verify.ts';
import type { FindingGroup, Findings, PropertyFinding } from '../../src/findings/findings.ts';
import { anchorOf, baselineToo, findingsCommand, readmeSection, renderFindings } from '../../src/findings/render-findings.ts';
import { renderMail } from '../../src/trace/render-mail.ts';
import { traceReport } from '../../src/trace/trace-report.ts';

const group = (device: string, baseline: FindingGroup['baseline'], severity: FindingGroup['severity'] = 'effective'): FindingGroup =>
  ({ platform: 'pkvm', device, severity, runs: 2, depth: 3, baseline });
const A = 'coherent=0,pool=own,gfp=atomic,nkm=0';
const B = 'coherent=0,pool=own,gfp=atomic,nkm=1';

function finding(groups: FindingGroup[]): PropertyFinding {
  return {
    property: 'no-blocking-in-atomic', rule: 'no call that may sleep is made for a non-blocking gfp', violatingRuns: { effective: 4, latent: 0 }, groups,
    shortest: { platform: 'pkvm', device: A, severity: 'effective', depth: 3, traceFile: 'no-blocking-in-atomic.trace.json', onBaseline: 'reproduced' },
  };
}

function findingsOf(violated: PropertyFinding[], more: Partial<Findings> = {}): Findings {
  return {
    tool: 'dmacheck', format: 'dmacheck-findings', schemaVersion: 1, version: 'v7.3', baseline: 'baseline',
    selection: parseSelection({ versions: 'v7.3' }), complete: true, totals: { runs: 10, baselineRuns: 9 }, traceDir: 'docs/findings',
    violated, holds: [], diffs: [], ...more,
  };
}

describe('anchors, commands and the baseline column', () => {
  it('writes the anchors GitHub gives headings', () => {
    expect(anchorOf('no-double-decrypt')).toBe('no-double-decrypt');
    expect(anchorOf('v7.3 against v2-p4')).toBe('v73-against-v2-p4');
  });

  it('names the command that regenerates the findings, leaving out flags at their default but not the bound', () => {
    expect(findingsCommand(findingsOf([]))).toBe('dmacheck findings --versions v7.3 --out docs/findings/ --diff none --threads 2 --calls 3');
    const f = findingsOf([], { baseline: 'v2-p4', selection: parseSelection({ versions: 'v7.3', platforms: 'cca,pkvm', device: 'pool=own', threads: 1, calls: 2 }) });
    expect(findingsCommand(f)).toBe('dmacheck findings --versions v7.3 --out docs/findings/ --baseline v2-p4 --diff none --platforms cca,pkvm --device pool=own --threads 1 --calls 2');
  });

  it('says whether the baseline has the violation on every, some or none of the configurations', () => {
    expect(baselineToo(finding([group(A, ['effective']), group(B, ['effective'])]))).toBe('yes');
    expect(baselineToo(finding([group(A, ['effective']), group(B, [])]))).toBe('partly (1 of 2 configurations)');
    expect(baselineToo(finding([group(A, []), group(B, null)]))).toBe('no');
    expect(baselineToo(finding([group(A, ['latent']), group(B, [])]))).toBe('only latent');
  });
});

describe('renderFindings and readmeSection', () => {
  let trace: Trace;
  beforeAll(async () => {
    const selection = parseSelection({ versions: 'v7.3', platforms: 'pkvm', device: A, properties: 'no-blocking-in-atomic', threads: 1, calls: 1 });
    trace = (await verify({ selection, workers: 0 })).results[0]!.violations[0]!.trace;
  }, 60_000);

  it('shows the counterexample exactly as dmacheck trace --format mail prints the trace file, and the replay commands', () => {
    const md = renderFindings(findingsOf([finding([group(A, ['effective']), group(B, ['effective'])])]), () => trace);
    const mail = renderMail(traceReport(trace, { kind: 'file', path: 'docs/findings/no-blocking-in-atomic.trace.json' }));
    expect(md).toContain('```text\n' + mail + '```\n');
    expect(md).toContain('Replay: `dmacheck replay docs/findings/no-blocking-in-atomic.trace.json --version v7.3` (reproduced, exit 1). ' +
      'On baseline: `dmacheck replay docs/findings/no-blocking-in-atomic.trace.json --version baseline`: reproduced.');
    // the two configurations in one row, the pipe escaped for the table
    expect(md).toContain('| pkvm | `coherent=0,pool=own,gfp=atomic,nkm=0\\|1` | effective | 4 | 3 | yes |');
    expect(md).toContain('| [no-blocking-in-atomic](#no-blocking-in-atomic) | pkvm | 4E/0L | yes | 3 steps |');
    expect(md).not.toContain('INCOMPLETE');
  });

  it('marks incomplete findings as such', () => {
    const f = findingsOf([], { complete: false, incompleteReason: 'verify: 1 run(s) hit the memory limit' });
    expect(renderFindings(f, () => trace)).toContain('> **INCOMPLETE**: verify: 1 run(s) hit the memory limit.');
    expect(readmeSection(f, 'docs/findings/README.md')).toContain('**INCOMPLETE**: verify: 1 run(s) hit the memory limit.');
    expect(renderFindings(f, () => trace)).toContain('Every selected property holds on v7.3.');
  });

  it('keeps the README section to a table linking to the details', () => {
    const s = readmeSection(findingsOf([finding([group(A, ['effective']), group(B, [])])]), 'docs/findings/README.md');
    expect(s).toContain('| `no-blocking-in-atomic` | pkvm | 4E/0L | partly (1 of 2 configurations) | [3-step trace](docs/findings/README.md#no-blocking-in-atomic) |');
    expect(s).not.toContain('```');
  });
});
