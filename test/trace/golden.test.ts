import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderMail } from '../../src/trace/render-mail.ts';
import { renderMarkdown } from '../../src/trace/render-md.ts';
import { traceReport } from '../../src/trace/trace-report.ts';
import { doubleDecrypt, leak, sharedSlot } from './fixtures.ts';

/** Pinned renderings; regenerate with UPDATE_GOLDEN=1 after a deliberate change, and review the diff. */
function golden(name: string, text: string): void {
  const path = fileURLToPath(new URL(`../golden/${name}`, import.meta.url));
  if (process.env['UPDATE_GOLDEN'] === '1') writeFileSync(path, text);
  expect(existsSync(path), `${path} is missing: run with UPDATE_GOLDEN=1`).toBe(true);
  expect(text).toBe(readFileSync(path, 'utf8'));
}

describe('golden rendering of the baseline double decrypt on cca with a restricted pool', () => {
  it('renders the mail format exactly as pinned', async () => {
    const { trace, origin } = await doubleDecrypt();
    expect(origin).toEqual({ kind: 'results', path: 'reports/nightly/results.json', version: 'baseline', property: 'no-double-decrypt', platform: 'cca' });
    golden('baseline-no-double-decrypt-cca.mail.txt', renderMail(traceReport(trace, origin)));
  });

  it('renders the Markdown format exactly as pinned', async () => {
    const { trace, origin } = await doubleDecrypt();
    golden('baseline-no-double-decrypt-cca.md', renderMarkdown(traceReport(trace, origin)));
  });
});

describe('golden rendering of a two-CPU trace: v2-p3-without-p1 bounces through a slot the other CPU re-encrypted (cca, shared pool)', () => {
  it('renders the mail format exactly as pinned', async () => {
    const { trace, origin } = await sharedSlot();
    expect(new Set(trace.steps.map((s) => s.thread))).toEqual(new Set([0, 1]));
    golden('v2-p3-without-p1-no-encrypted-mapped-decrypted-cca.mail.txt', renderMail(traceReport(trace, origin)));
  });

  it('renders the short mail format exactly as pinned', async () => {
    const { trace, origin } = await sharedSlot();
    golden('v2-p3-without-p1-no-encrypted-mapped-decrypted-cca.short.txt', renderMail(traceReport(trace, origin), { short: true }));
  });
});

describe('golden rendering of a leak: baseline on cca, an atomic allocation', () => {
  it('renders the mail format exactly as pinned', async () => {
    const { trace, origin } = await leak();
    expect(trace.property).toBe('leak-only-on-set-memory-failure');
    golden('baseline-leak-only-on-set-memory-failure-cca.mail.txt', renderMail(traceReport(trace, origin)));
  });
});
