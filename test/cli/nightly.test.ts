import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Results, RunRecord } from '../../src/check/results.ts';
import { main } from '../../src/cli/main.ts';
import type { Io } from '../../src/cli/command.ts';
import { nightlyExitCode } from '../../src/cli/commands/nightly.ts';
import { dateDir } from '../../src/nightly/nightly.ts';
import type { Comparison } from '../../src/report/compare.ts';
import { writeReports } from '../../src/report/write.ts';
import { tempDir } from '../temp-dir.ts';

function io() {
  const out: string[] = [];
  const err: string[] = [];
  const sink: Io = { out: (t) => out.push(t), err: (t) => err.push(t), isTTY: false };
  return { sink, out, err };
}

const tmp = () => tempDir('nightly');

/** A config for a small matrix, run in this thread. */
function config(extra: Record<string, unknown> = {}): string {
  const file = join(tmp(), 'dmacheck.config.json');
  writeFileSync(file, JSON.stringify({
    versions: ['baseline', 'v2-p1'], platforms: ['cca'], properties: ['no-double-decrypt', 'page-ownership'],
    bound: { threads: 1, calls: 2 }, workers: 0, ...extra,
  }));
  return file;
}

const read = <T>(path: string) => JSON.parse(readFileSync(path, 'utf8')) as T;

describe('dmacheck nightly', () => {
  it('exits 4 for a night cut by its maxMemory with nothing violated, and says INCOMPLETE', async () => {
    const cfg = config({
      versions: ['baseline'], properties: ['no-double-decrypt'], device: 'coherent=0,pool=none,gfp=blocking,nkm=0',
      entryPoints: ['dma_direct_alloc', 'dma_direct_free', 'dma_direct_mmap'], bound: { threads: 3, calls: 8 }, maxMemory: '128K',
    });
    const night = io();
    const out = tmp();
    expect(await main(['nightly', '--config', cfg, '--out', out, '--quiet'], night.sink)).toBe(4);
    expect(read<Results>(join(out, 'results.json')).complete).toBe(false);
    expect(night.out.at(-1)).toMatch(/^INCOMPLETE \(\d+ run\(s\) hit the memory limit/);
  });

  it('writes the full report set and, against the previous night, exactly the new violation; exit 1', async () => {
    const cfg = config();
    const first = io();
    const night1 = tmp();
    expect(await main(['nightly', '--config', cfg, '--out', night1, '--quiet'], first.sink)).toBe(1);
    for (const f of ['results.json', 'summary.md', 'junit.xml', 'index.html']) expect(existsSync(join(night1, f)), f).toBe(true);
    expect(existsSync(join(night1, 'compare.json'))).toBe(false);
    // Last night, the double decrypt had not been found.
    const res = read<Results>(join(night1, 'results.json'));
    const r = res.results.find((x) => x.version === 'baseline' && x.property === 'no-double-decrypt')!;
    const yesterday = tmp();
    await writeReports(yesterday, { ...res, results: res.results.map((x) => (x === r ? { ...x, verdict: 'holds' as const, violatingRuns: { effective: 0, latent: 0 }, violations: [] } : x)) });
    const second = io();
    const night2 = tmp();
    expect(await main(['nightly', '--config', cfg, '--out', night2, '--previous', yesterday], second.sink)).toBe(1);
    const c = read<Comparison>(join(night2, 'compare.json'));
    expect(c.newViolations.map((v) => `${v.version} ${v.property} ${v.platform} ${v.device} ${v.severity}`)).toEqual(
      r.violations.map((g) => `baseline no-double-decrypt cca ${g.device} ${g.severity}`),
    );
    expect(c.fixedViolations).toEqual([]);
    expect(readFileSync(join(night2, 'compare.md'), 'utf8')).toContain(`**${r.violations.length} new**`);
    expect(second.out.join('\n')).toContain(`compared with ${yesterday}: ${r.violations.length} new, 0 fixed`);
    // Against an identical night nothing is new: exit 0 even though properties are violated.
    expect(await main(['nightly', '--config', cfg, '--out', tmp(), '--previous', night1, '--quiet'], io().sink)).toBe(0);
  });

  it('refuses a malformed previous results.json in one line naming the file, before running anything', async () => {
    const prev = tmp();
    writeFileSync(join(prev, 'results.json'), '{"tool":"dmacheck","schemaVersion":1,"complete":true}');
    const t = io();
    const out = tmp();
    expect(await main(['nightly', '--config', config(), '--out', out, '--previous', prev], t.sink)).toBe(2);
    expect(t.err).toEqual([`dmacheck nightly: --previous: ${join(prev, 'results.json')}: not a dmacheck results.json: /: missing required 'selection' (and 7 more)`]);
    expect(existsSync(join(out, 'results.json'))).toBe(false);
    const missing = io();
    expect(await main(['nightly', '--config', config(), '--previous', join(prev, 'nope')], missing.sink)).toBe(2);
    expect(missing.err).toEqual([`dmacheck nightly: --previous: ${join(prev, 'nope', 'results.json')}: no such file`]);
  });

  it('refuses a bad config in one line naming the key', async () => {
    const t = io();
    expect(await main(['nightly', '--config', config({ bound: { threads: 9 } })], t.sink)).toBe(2);
    expect(t.err).toHaveLength(1);
    expect(t.err[0]).toMatch(/^dmacheck nightly: .*dmacheck\.config\.json: bound\.threads: bad value 9 \(valid: an integer from 1 to 3\)$/);
  });

  it('resumes an interrupted night from its directory and refuses a resume with another configuration', async () => {
    const cfg = config();
    const whole = tmp();
    await main(['nightly', '--config', cfg, '--out', whole, '--quiet'], io().sink);
    const full = read<Results>(join(whole, 'results.json'));
    const partial = tmp();
    // the first finished run's record is marked (1000 states more): a resume that re-ran it would lose the mark
    const [i0, s0, ...rest0] = full.runs[0]!;
    const marked = [[i0, s0 + 1000, ...rest0] as unknown as RunRecord, full.runs[1]!];
    await writeReports(partial, { ...full, complete: false, incompleteReason: 'interrupted after 2 of 16 runs', runs: marked, results: full.results.map((r) => ({ ...r, violations: [], verdict: 'holds' as const, violatingRuns: { effective: 0, latent: 0 } })) });
    // Only the unfinished runs run again; the finished ones are kept as they were.
    const t = io();
    expect(await main(['nightly', '--config', cfg, '--resume', partial, '--quiet'], t.sink)).toBe(1);
    const resumed = read<Results>(join(partial, 'results.json'));
    expect(resumed.complete).toBe(true);
    expect(resumed.totals.runsDone).toBe(full.totals.runs);
    expect(resumed.runs[0]).toEqual(marked[0]);
    expect(resumed.totals.states).toBe(full.totals.states + 1000);
    const other = io();
    expect(await main(['nightly', '--config', config({ platforms: ['tdx'] }), '--resume', partial], other.sink)).toBe(2);
    expect(other.err[0]).toBe(`dmacheck nightly: --resume ${partial}: the selection differs from the interrupted run's in platforms (resume with the same selection, or give none)`);
  });

  it('puts a second night of the same day in a directory of its own, leaving the first as it was', async () => {
    const cfg = config({ versions: ['baseline'], properties: ['no-double-decrypt'], bound: { threads: 1, calls: 1 } });
    const cwd = process.cwd();
    const root = tmp();
    process.chdir(root);
    try {
      const first = io();
      await main(['nightly', '--config', cfg, '--quiet'], first.sink);
      const day = dateDir('reports');
      const firstResults = readFileSync(join(day, 'results.json'), 'utf8');
      const second = io();
      await main(['nightly', '--config', cfg, '--quiet'], second.sink);
      expect(readdirSync('reports').sort()).toEqual([basename(day), `${basename(day)}.2`]);
      expect(readFileSync(join(day, 'results.json'), 'utf8')).toBe(firstResults);
      expect(existsSync(join(`${day}.2`, 'results.json'))).toBe(true);
      expect(second.out.at(-1)).toContain(join(`${day}.2`, 'results.json'));
    } finally {
      process.chdir(cwd);
    }
  });

  it('refuses a --previous that is the output directory, and an --out that already holds a night, before running', async () => {
    const cfg = config({ versions: ['baseline'], properties: ['no-double-decrypt'], bound: { threads: 1, calls: 1 } });
    const night = tmp();
    await main(['nightly', '--config', cfg, '--out', night, '--quiet'], io().sink);
    const before = readFileSync(join(night, 'results.json'), 'utf8');
    const cases: [string[], string][] = [
      [['--out', night, '--previous', night], `--previous ${night} is the output directory: tonight's reports would replace the night they are compared with (give another --out)`],
      [['--out', `${night}/`, '--previous', join(night, 'results.json')], `--previous ${join(night, 'results.json')} is the output directory: tonight's reports would replace the night they are compared with (give another --out)`],
      [['--resume', night, '--previous', night], `--previous ${night} is the output directory: tonight's reports would replace the night they are compared with (give another --out)`],
      [['--out', night], `--out ${night} already holds a night's results.json (give a new directory, or --resume ${night} to finish that night)`],
    ];
    for (const [args, message] of cases) {
      const t = io();
      expect(await main(['nightly', '--config', cfg, ...args], t.sink), args.join(' ')).toBe(2);
      expect(t.err).toEqual([`dmacheck nightly: ${message}`]);
      expect(t.out).toEqual([]);
    }
    expect(readFileSync(join(night, 'results.json'), 'utf8')).toBe(before);
    expect(existsSync(join(night, 'compare.json'))).toBe(false);
  });

  it('compares a night interrupted by a signal only on the runs it finished: what it did not reach is not fixed', async () => {
    const cfg = config();
    const full = tmp();
    await main(['nightly', '--config', cfg, '--out', full, '--quiet'], io().sink);
    const night = tmp();
    const out: string[] = [];
    const err: string[] = [];
    // SIGINT as the signal handler the command installed sees it, once the first progress line shows runs under way
    const listening = new Set(process.listeners('SIGINT'));
    const sink: Io = {
      out: (t) => out.push(t),
      err: (t) => {
        err.push(t);
        if (err.length === 1) for (const l of process.listeners('SIGINT')) if (!listening.has(l)) (l as () => void)();
      },
      isTTY: false,
    };
    expect(await main(['nightly', '--config', cfg, '--out', night, '--previous', full], sink)).toBe(130);
    const res = read<Results>(join(night, 'results.json'));
    expect(res.complete).toBe(false);
    expect(res.totals.runsDone).toBeLessThan(res.totals.runs);
    const c = read<Comparison>(join(night, 'compare.json'));
    expect(c.currentComplete).toBe(false);
    expect(c.fixedViolations).toEqual([]);
    expect(c.newViolations).toEqual([]);
    const previous = read<Results>(join(full, 'results.json'));
    const all = previous.results.reduce((n, r) => n + r.violations.length, 0);
    expect(c.notCompared.length).toBeGreaterThan(0);
    expect(c.unchangedViolations.length + c.notCompared.length).toBe(all);
    expect(new Set(c.notCompared.map((v) => v.reason))).toEqual(new Set(['unfinished']));
    expect(out.at(-1)).toMatch(new RegExp(`^compared with ${full}: 0 new, 0 fixed, \\d+ unchanged violation\\(s\\), ${c.notCompared.length} not compared \\(see compare\\.md\\);`));
  });

  it('exits 1 for a new violation, 4 for an unfinished night with nothing new, 0 otherwise', async () => {
    const res = read<Results>(join(await (async () => {
      const d = tmp();
      await main(['nightly', '--config', config({ versions: ['baseline'], properties: ['no-double-decrypt'], bound: { threads: 1, calls: 1 } }), '--out', d, '--quiet'], io().sink);
      return d;
    })(), 'results.json'));
    const violated = res.results.some((r) => r.verdict === 'violated');
    const holds = { ...res, results: res.results.map((r) => ({ ...r, verdict: 'holds' as const, violations: [] })) };
    const cut = (r: Results) => ({ ...r, complete: false });
    const nothingNew = { newViolations: [] } as unknown as Comparison;
    const somethingNew = { newViolations: [{}] } as unknown as Comparison;
    expect(nightlyExitCode(res, nothingNew)).toBe(0);
    expect(nightlyExitCode(cut(res), nothingNew)).toBe(4);
    expect(nightlyExitCode(cut(res), somethingNew)).toBe(1);
    expect(nightlyExitCode(res, somethingNew)).toBe(1);
    expect(nightlyExitCode(holds, undefined)).toBe(0);
    expect(nightlyExitCode(cut(holds), undefined)).toBe(4);
    expect(violated).toBe(true);
    expect(nightlyExitCode(cut(res), undefined)).toBe(1);
  });
});
