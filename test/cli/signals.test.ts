import { DIRECT_SCOPE } from '../../models/versions.ts';
import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Results } from '../../src/check/results.ts';
import { parseSelection } from '../../src/check/selection.ts';
import { verify } from '../../src/check/verify.ts';
import { main } from '../../src/cli/main.ts';
import { onStopSignals, type StopSignalName } from '../../src/cli/signals.ts';
import { writeReports } from '../../src/report/write.ts';
import { tempDir } from '../temp-dir.ts';

const ROOT = join(import.meta.dirname, '..', '..');

/** A fake process: signals are events, kill records what it was asked. */
function fakeProcess() {
  const e = new EventEmitter();
  const killed: string[] = [];
  return Object.assign(e, { pid: 4242, kill: (pid: number, sig: string) => { killed.push(`${pid} ${sig}`); return true; }, killed });
}

describe('stop signals', () => {
  it('asks to stop on the first SIGINT with exit code 130, and on SIGTERM with 143', () => {
    for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
      const p = fakeProcess();
      const err: string[] = [];
      const s = onStopSignals({ err: (t) => err.push(t) }, { target: p as never });
      expect([s.stopped, s.exitCode]).toEqual([false, undefined]);
      p.emit(sig);
      expect([s.stopped, s.signal, s.exitCode]).toEqual([true, sig, code]);
      expect(err[0]).toMatch(new RegExp(`^dmacheck: ${sig} received: finishing the runs in progress`));
      s.dispose();
      expect(p.listenerCount('SIGINT') + p.listenerCount('SIGTERM')).toBe(0);
    }
  });

  it('gives up at once on a second signal: handlers removed and the signal re-raised', () => {
    const p = fakeProcess();
    const s = onStopSignals({ err: () => {} }, { target: p as never });
    p.emit('SIGINT');
    p.emit('SIGTERM');
    expect(p.killed).toEqual(['4242 SIGTERM']);
    expect(p.listenerCount('SIGINT')).toBe(0);
    expect(s.exitCode).toBe(130);
    const seen: StopSignalName[] = [];
    const q = fakeProcess();
    onStopSignals({ err: () => {} }, { target: q as never, onSecond: (n) => seen.push(n) });
    q.emit('SIGTERM');
    q.emit('SIGINT');
    expect(seen).toEqual(['SIGINT']);
  });
});

/** 240 runs in 15 batches: the first progress line comes after the first batch, long before the last. */
const MATRIX = ['--versions', 'baseline', '--platforms', 'cca', '--threads', '2', '--calls', '2', '--entry-points', DIRECT_SCOPE.join(',')];
const RUNS = 240;

/** Run the CLI; `signal` is sent once the first progress line shows the runs are under way. */
function cli(args: string[], signal?: NodeJS.Signals): Promise<{ code: number | null; stderr: string; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/dmacheck.mjs', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    let sent = false;
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (signal && !sent && /verify: \d+\/\d+ runs/.test(stderr)) {
        sent = true;
        child.kill(signal);
      }
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr, stdout }));
  });
}

const withoutTiming = (r: Results) => {
  const { timing: _timing, ...rest } = r;
  return rest;
};

describe('interrupting verify', () => {
  it('writes the results so far marked incomplete on SIGINT (exit 130), and --resume completes them to the uninterrupted results', async () => {
    const dir = tempDir('sigint');
    const stopped = await cli(['verify', ...MATRIX, '--workers', '1', '--out', dir], 'SIGINT');
    expect(stopped.code, stopped.stderr).toBe(130);
    expect(stopped.stderr).toContain('SIGINT received');
    expect(stopped.stderr).toContain(`continue with: dmacheck verify --resume ${dir}`);
    const partial = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as Results;
    expect(partial.complete).toBe(false);
    expect(partial.incompleteReason).toMatch(new RegExp(`^interrupted after \\d+ of ${RUNS} runs$`));
    expect(partial.totals.runsDone).toBeGreaterThan(0);
    expect(partial.totals.runsDone).toBeLessThan(RUNS);
    // Every report says so.
    expect(readFileSync(join(dir, 'summary.md'), 'utf8')).toContain('**INCOMPLETE**');
    expect(readFileSync(join(dir, 'junit.xml'), 'utf8')).toContain('<property name="complete" value="false"/>');
    expect(readFileSync(join(dir, 'index.html'), 'utf8')).toContain('id="incomplete"');

    const resumed = await cli(['verify', '--resume', dir, '--workers', '1', '--quiet']);
    expect(resumed.code, resumed.stderr).toBe(1);
    const done = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as Results;
    expect(done.complete).toBe(true);
    expect(done.totals.runsDone).toBe(RUNS);
    expect(readFileSync(join(dir, 'index.html'), 'utf8')).not.toContain('id="incomplete"');

    const selection = parseSelection({ versions: 'baseline', platforms: 'cca', threads: 2, calls: 2, entryPoints: DIRECT_SCOPE.join(',') });
    const whole = await verify({ selection, workers: 0 });
    expect(withoutTiming(done)).toEqual(withoutTiming(JSON.parse(JSON.stringify(whole)) as Results));
  });

  it('exits 143 on SIGTERM with an incomplete report', async () => {
    const dir = tempDir('sigterm');
    const stopped = await cli(['verify', ...MATRIX, '--workers', '1', '--out', dir], 'SIGTERM');
    expect(stopped.code, stopped.stderr).toBe(143);
    expect((JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as Results).complete).toBe(false);
  });

  it('refuses to resume without results, or with another selection', async () => {
    const dir = tempDir('resume');
    const err: string[] = [];
    const io = { out: () => {}, err: (t: string) => err.push(t), isTTY: false };
    expect(await main(['verify', '--resume', dir, '--workers', '1'], io)).toBe(2);
    expect(err).toEqual([`dmacheck verify: --resume: ${join(dir, 'results.json')}: no such file`]);
    const selection = parseSelection({ versions: 'baseline', platforms: 'cca', properties: 'no-double-decrypt', threads: 1, calls: 1 });
    await writeReports(dir, await verify({ selection, workers: 0 }));
    err.length = 0;
    expect(await main(['verify', '--resume', dir, '--workers', '1', '--platforms', 'tdx', '--calls', '2'], io)).toBe(2);
    expect(err).toEqual([`dmacheck verify: --resume ${dir}: the selection differs from the interrupted run's in platforms, calls (resume with the same selection, or give none)`]);
  });
});

describe('dmacheck writing into a pipe that closes (dmacheck ... | head)', () => {
  it('finishes the run, writes the reports and exits with the verdict, without an EPIPE stack trace', async () => {
    const out = tempDir('epipe');
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, ['bin/dmacheck.mjs', 'verify', ...MATRIX, '--workers', '1', '--json', '--out', out], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      let err = '';
      child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
      // like head -1: read once, then go away
      child.stdout.once('data', () => child.stdout.destroy());
      child.on('error', reject);
      child.on('close', (c) => resolve({ code: c, stderr: err }));
    });
    expect(stderr).not.toMatch(/EPIPE|Unhandled/);
    expect(code).toBe(1);
    const res = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Results;
    expect(res.complete).toBe(true);
  });
});
