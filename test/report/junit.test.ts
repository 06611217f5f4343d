import { describe, expect, it } from 'vitest';
import { junitXml, traceText, xmlAttr, xmlText } from '../../src/report/junit.ts';
import { clone, smallResults } from './fixture.ts';
import { parseXml, type XmlElement } from './xml.ts';

const num = (e: XmlElement, a: string) => Number(e.attrs[a]);

describe('junit.xml', () => {
  it('has one testsuite per version and one testcase per (property, platform), with consistent counts', async () => {
    const res = await smallResults();
    const root = parseXml(junitXml(res));
    expect(root.name).toBe('testsuites');
    expect(root.children.map((s) => s.attrs['name'])).toEqual(['dmacheck.baseline', 'dmacheck.v2-p1']);
    let tests = 0;
    let failures = 0;
    for (const suite of root.children) {
      const cases = suite.children.filter((c) => c.name === 'testcase');
      expect(cases.map((c) => c.attrs['name'])).toEqual([
        'no-double-decrypt on tdx', 'no-double-decrypt on cca',
        'leak-only-on-set-memory-failure on tdx', 'leak-only-on-set-memory-failure on cca',
        'page-ownership on tdx', 'page-ownership on cca',
      ]);
      const failed = cases.filter((c) => c.children.some((x) => x.name === 'failure'));
      expect(num(suite, 'tests')).toBe(cases.length);
      expect(num(suite, 'failures')).toBe(failed.length);
      expect(num(suite, 'errors')).toBe(0);
      expect(num(suite, 'skipped')).toBe(0);
      tests += cases.length;
      failures += failed.length;
    }
    expect([num(root, 'tests'), num(root, 'failures')]).toEqual([tests, failures]);
    // The failures are exactly the (version, property, platform) cells with a violation.
    const violated = res.results.flatMap((r) => [...new Set(r.violations.map((g) => `${r.version} ${r.property} on ${g.platform}`))]);
    const failedNames = root.children.flatMap((s) => s.children.filter((c) => c.children.some((x) => x.name === 'failure')).map((c) => `${s.attrs['name']!.slice(9)} ${c.attrs['name']}`));
    expect(failedNames.sort()).toEqual(violated.sort());
    expect(failedNames).toContain('baseline no-double-decrypt on cca');
    expect(failedNames).not.toContain('v2-p1 no-double-decrypt on cca');
  });

  it('carries the shortest counterexample as plain text in the failure', async () => {
    const root = parseXml(junitXml(await smallResults()));
    const tc = root.children[0]!.children.find((c) => c.attrs['name'] === 'no-double-decrypt on cca')!;
    const failure = tc.children.find((c) => c.name === 'failure')!;
    expect(failure.attrs['type']).toBe('effective');
    expect(failure.attrs['message']).toBe('effective on cca (coherent=1,pool=own,gfp=blocking,nkm=0): set_memory_decrypted() on pool0.slot0, which is already decrypted');
    // The mail format of src/trace/, with the commands that extract the trace from the results.json next to junit.xml.
    expect(failure.text.split('\n').slice(0, 2)).toEqual([
      'Violating device configurations (severity, device, runs, shortest):',
      '  effective coherent=1,pool=own,gfp=blocking,nkm=0  3x 3 steps',
    ]);
    expect(failure.text).toContain('The shortest counterexample (the first above):\n\ndmacheck: no-double-decrypt (effective) in dma_direct_alloc() on cca,\n    kernel baseline');
    expect(failure.text).toContain('*** violates no-double-decrypt (effective) ***');
    expect(failure.text).toMatch(/dmacheck trace results\.json --version baseline --property \\\n\s+no-double-decrypt --platform cca/);
    expect(failure.text.split('\n').filter((l) => l.length > 72)).toEqual([]);
  });

  it('escapes markup in traces and marks an incomplete result in every suite', async () => {
    const res = clone(await smallResults());
    const g = res.results.find((r) => r.verdict === 'violated')!.violations[0]!;
    (g.trace as { message: string }).message = 'page <script>alert("x")</script> & "quotes" \u0001';
    Object.assign(res, { complete: false, incompleteReason: 'interrupted after 3 of 48 runs' });
    const xml = junitXml(res);
    expect(xml).not.toContain('<script>');
    const root = parseXml(xml);
    const failures = root.children.flatMap((s) => s.children.flatMap((c) => c.children.filter((x) => x.name === 'failure')));
    expect(failures.some((f) => f.attrs['message']!.includes('page <script>alert("x")</script> & "quotes" \uFFFD'))).toBe(true);
    for (const suite of root.children) {
      const props = suite.children.find((c) => c.name === 'properties')!.children;
      expect(props.find((p) => p.attrs['name'] === 'complete')!.attrs['value']).toBe('false');
      expect(suite.children.find((c) => c.name === 'system-out')!.text).toContain('INCOMPLETE: interrupted after 3 of 48 runs');
    }
  });

  it('skips a platform no run of which finished, keeping the counts consistent', async () => {
    const res = clone(await smallResults());
    const sc = res.stateCounts as Record<string, Record<string, number>>;
    delete sc['v2-p1']!['tdx'];
    for (const r of res.results) if (r.version === 'v2-p1') Object.assign(r, { violations: r.violations.filter((g) => g.platform !== 'tdx') });
    const root = parseXml(junitXml(res));
    const suite = root.children[1]!;
    const skipped = suite.children.filter((c) => c.children.some((x) => x.name === 'skipped'));
    expect(skipped.map((c) => c.attrs['name'])).toEqual(['no-double-decrypt on tdx', 'leak-only-on-set-memory-failure on tdx', 'page-ownership on tdx']);
    expect(num(suite, 'skipped')).toBe(3);
    expect(num(root, 'skipped')).toBe(3);
  });

  it('never passes an incomplete result: a complete testcase in error in every suite, and unfinished platforms in error', async () => {
    const res = clone(await smallResults());
    Object.assign(res, { complete: false, incompleteReason: 'interrupted after 3 of 48 runs' });
    delete (res.stateCounts as Record<string, Record<string, number>>)['v2-p1']!['tdx'];
    for (const r of res.results) if (r.version === 'v2-p1') Object.assign(r, { violations: r.violations.filter((g) => g.platform !== 'tdx') });
    const root = parseXml(junitXml(res));
    let errors = 0;
    for (const suite of root.children) {
      const cases = suite.children.filter((c) => c.name === 'testcase');
      const errored = cases.filter((c) => c.children.some((x) => x.name === 'error'));
      expect(cases[0]!.attrs['name']).toBe('complete');
      expect(cases[0]!.children[0]).toMatchObject({ name: 'error', attrs: { type: 'incomplete', message: 'INCOMPLETE: interrupted after 3 of 48 runs. Verdicts cover only the runs that finished.' } });
      expect(num(suite, 'errors')).toBe(errored.length);
      expect(num(suite, 'tests')).toBe(cases.length);
      expect(num(suite, 'skipped')).toBe(0);
      errors += errored.length;
    }
    const v2p1 = root.children[1]!.children.filter((c) => c.children.some((x) => x.name === 'error')).map((c) => c.attrs['name']);
    expect(v2p1).toEqual(['complete', 'no-double-decrypt on tdx', 'leak-only-on-set-memory-failure on tdx', 'page-ownership on tdx']);
    expect(num(root, 'errors')).toBe(errors);
    expect(errors).toBe(5);
  });

  it('escapes text and attributes', () => {
    expect(xmlText('a<b>&c')).toBe('a&lt;b&gt;&amp;c');
    expect(xmlAttr('"x"\n\'y\'')).toBe('&quot;x&quot;&#10;&apos;y&apos;');
    expect(parseXml(`<a v="${xmlAttr('<&>"\'\t\n')}">${xmlText('<&>\u0000')}</a>`)).toMatchObject({ attrs: { v: '<&>"\'\t\n' }, text: '<&>\uFFFD' });
  });

  it('renders a trace as plain text, one block per step', async () => {
    const res = await smallResults();
    const trace = res.results.find((r) => r.version === 'baseline' && r.property === 'no-double-decrypt')!.violations[0]!.trace;
    const text = traceText(trace);
    expect(text.split('\n').slice(0, 4)).toEqual([
      'no-double-decrypt violated (effective) on cca, kernel baseline',
      'device: coherent=1,pool=own,gfp=blocking,nkm=0',
      `CPU0: ${trace.run.programs[0]!.join(' -> ')}`,
      '',
    ]);
  });
});
