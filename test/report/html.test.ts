import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Results } from '../../src/check/results.ts';
import { parseSelection } from '../../src/check/selection.ts';
import { verify } from '../../src/check/verify.ts';
import { htmlReport, scriptJson } from '../../src/report/html.ts';
import { clone, smallResults } from './fixture.ts';

const CHROMIUM = '/usr/bin/chromium';
const INJECTED = '<script>window.__pwned=1</script>';

let context: BrowserContext;

beforeAll(async () => {
  // Fail loudly: the browser test is part of the suite, not optional.
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (.ci/setup-browser does: apt-get install chromium)`);
  context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'dmacheck-chromium-')), {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

afterAll(async () => {
  await context?.close();
});

/** Write the report of `res`, open it, and collect the page's requests and errors. */
async function open(res: Results): Promise<{ page: Page; requests: string[]; errors: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'dmacheck-html-'));
  const file = join(dir, 'index.html');
  writeFileSync(file, htmlReport(res));
  const page = await context.newPage();
  const requests: string[] = [];
  const errors: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(pathToFileURL(file).href);
  return { page, requests, errors };
}

const cell = (page: Page, version: string, platform: string, property: string) =>
  page.locator(`td.cell[title^="${version} / ${platform} / ${property}:"]`);

/** The small matrix, with markup injected into the message and a world change of baseline's double decrypt. */
async function injected(): Promise<Results> {
  const res = clone(await smallResults());
  const trace = res.results.find((r) => r.version === 'baseline' && r.property === 'no-double-decrypt')!.violations[0]!.trace as unknown as { message: string; steps: { changes: string[] }[] };
  trace.message = `double decrypt ${INJECTED}`;
  trace.steps[2]!.changes.push(`note ${INJECTED}`);
  return res;
}

describe('index.html in headless Chromium', () => {
  it('shows the version x platform x property matrix coloured by verdict, with no network access', async () => {
    const { page, requests, errors } = await open(await injected());
    expect(await page.locator('table.matrix td.cell').count()).toBe(2 * 2 * 3);
    expect(await cell(page, 'baseline', 'cca', 'no-double-decrypt').getAttribute('class')).toContain('v-effective');
    expect(await cell(page, 'baseline', 'cca', 'no-double-decrypt').textContent()).toBe('16E');
    expect(await cell(page, 'v2-p1', 'cca', 'no-double-decrypt').getAttribute('class')).toContain('v-holds');
    expect(await cell(page, 'baseline', 'tdx', 'no-double-decrypt').getAttribute('class')).toContain('v-holds');
    expect(await page.locator('table.matrix th.version').allTextContents()).toEqual(['baseline', 'v2-p1']);
    expect(await page.locator('#incomplete').count()).toBe(0);
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatch(/^file:.*index\.html$/);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows the sequence diagram and the machine path of the counterexample of a clicked cell; markup in a trace is text', async () => {
    const { page, errors } = await open(await injected());
    await cell(page, 'baseline', 'cca', 'no-double-decrypt').click();
    const seq = page.locator('#detail svg.sequence');
    await seq.waitFor();
    const lanes = await seq.locator('text.lane-title').allTextContents();
    expect(lanes).toEqual(['CPU0', 'pool0.slot0']);
    expect(await seq.locator('g.step').count()).toBe(3);
    expect(await seq.locator('g.step text').allTextContents()).toEqual([
      '1. alloc CALL', 'start → swiotlbAlloc',
      '2. alloc SWIOTLB_ALLOC_OK(pool0.slot0)', 'swiotlbAlloc → setMemoryDecrypted',
      '3. alloc SET_DECRYPTED_OK', 'setMemoryDecrypted → returned',
    ]);
    expect(await seq.locator('g.step[data-step="3"] rect.viol').count()).toBe(1);
    // One machine diagram per entry point involved, with the path taken highlighted.
    const machine = page.locator('#detail svg.machine[data-machine="dma_direct_alloc"]');
    expect(await page.locator('#detail svg.machine').count()).toBe(1);
    const hl = await machine.locator('rect.hl').evaluateAll((els) => els.map((e) => e.getAttribute('data-state')));
    expect(hl).toEqual(expect.arrayContaining(['start', 'swiotlbAlloc', 'setMemoryDecrypted', 'clearing', 'returnCpuAddr']));
    expect(hl).not.toContain('remapping');
    expect(await machine.locator('path.edge.hl').count()).toBe(10);
    expect(await machine.locator('rect.viol').getAttribute('data-state')).toBe('returnCpuAddr');
    // The injected markup is shown as text and never runs.
    const detail = (await page.locator('#detail').textContent())!;
    expect(detail).toContain(`double decrypt ${INJECTED}`);
    expect(detail).toContain(`note ${INJECTED}`);
    expect(await page.evaluate('window.__pwned')).toBeUndefined();
    expect(await page.evaluate('document.scripts.length')).toBe(2);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('draws one lane per CPU for a two-thread counterexample, and says when the result is incomplete', async () => {
    const res = await verify({
      selection: parseSelection({ versions: 'baseline', platforms: 'cca', properties: 'pool-slots-stay-decrypted', device: 'coherent=1,pool=shared,gfp=blocking,nkm=0', threads: 2, calls: 2 }),
      workers: 0,
    });
    const { page, errors } = await open({ ...res, complete: false, incompleteReason: 'interrupted after 1 of 3 runs' });
    expect(await page.locator('#incomplete').textContent()).toContain('INCOMPLETE: interrupted after 1 of 3 runs');
    expect(await page.title()).toContain('INCOMPLETE');
    await page.locator('td.cell.v-effective').first().click();
    const lanes = await page.locator('#detail svg.sequence text.lane-title').allTextContents();
    expect(lanes.slice(0, 2)).toEqual(['CPU0', 'CPU1']);
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe('index.html as text', () => {
  it('embeds the data so that no string can close the script element', async () => {
    const html = htmlReport(await injected());
    expect(html.match(/<script/g)).toHaveLength(2);
    expect(html).not.toContain(INJECTED);
    expect(scriptJson({ s: '</script><!-- & \u2028' })).toBe('{"s":"\\u003c/script\\u003e\\u003c!-- \\u0026 \\u2028"}');
    expect(JSON.parse(scriptJson({ s: '</script>' }))).toEqual({ s: '</script>' });
    expect(html).toContain("default-src 'none'");
  });
});
