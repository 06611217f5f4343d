import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Results } from '../../src/check/results.ts';
import { parseSelection } from '../../src/check/selection.ts';
import { verify } from '../../src/check/verify.ts';
import { htmlReport, scriptJson, type HtmlData } from '../../src/report/html.ts';
import { tempDir } from '../temp-dir.ts';
import { launchChromium } from './browser.ts';
import { clone, defaultResults, smallResults } from './fixture.ts';

const INJECTED = '<script>window.__pwned=1</script>';
const VIEWPORT = { width: 1280, height: 800 };

let browser: Browser;
let context: BrowserContext;
let dir: string;
let written = 0;

beforeAll(async () => {
  dir = tempDir('html');
  browser = await launchChromium();
  context = await browser.newContext({ viewport: VIEWPORT });
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
});

/** Write the report of `res` into a file of its own. */
async function write(res: Results): Promise<string> {
  const file = join(dir, `report-${written++}.html`);
  writeFileSync(file, await htmlReport(res));
  return pathToFileURL(file).href;
}

/** Open a written report (at `fragment`, if any), and collect the page's requests and errors. */
async function open(url: string, fragment = ''): Promise<{ page: Page; requests: string[]; errors: string[] }> {
  const page = await context.newPage();
  const requests: string[] = [];
  const errors: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url + fragment);
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

interface Box { x: number; y: number; width: number; height: number }

/** Follow a link within the page, as a click on `<a href="#...">` would. */
const go = (page: Page, fragment: string) => page.evaluate(`location.hash = ${JSON.stringify(fragment)}`);

interface Rect { left: number; right: number; top: number; bottom: number }
interface Shape { textContent: string | null; getAttribute(name: string): string | null; getBoundingClientRect(): Rect }

/** In the page, for an svg.machine: the edge labels that overlap another edge label or a state (bounding boxes, half a pixel of slack). */
function labelOverlaps(svg: { querySelectorAll(selector: string): Iterable<Shape> }): { count: number; bad: string[] } {
  const hit = (a: Rect, b: Rect) => a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
  const labels = [...svg.querySelectorAll('text.edge-label')].map((e) => ({ name: e.textContent, r: e.getBoundingClientRect() }));
  const nodes = [...svg.querySelectorAll('rect.node')].map((e) => ({ name: e.getAttribute('data-state'), r: e.getBoundingClientRect() }));
  const bad: string[] = [];
  labels.forEach((a, i) => {
    for (const b of labels.slice(i + 1)) if (hit(a.r, b.r)) bad.push(`label ${a.name} / label ${b.name}`);
    for (const n of nodes) if (hit(a.r, n.r)) bad.push(`label ${a.name} / state ${n.name}`);
  });
  return { count: labels.length, bad };
}

/** Whether all of `box` lies inside the viewport. */
const inViewport = (box: Box | null) => !!box && box.x >= 0 && box.y >= 0 && box.x + box.width <= VIEWPORT.width && box.y + box.height <= VIEWPORT.height;

/** Whether a matrix cell is in the viewport and not hidden under the panel, a sticky header or another scroll position. */
async function inSight(td: Locator): Promise<boolean> {
  const box = await td.boundingBox();
  if (!inViewport(box)) return false;
  const at = `document.elementFromPoint(${box!.x + box!.width / 2}, ${box!.y + box!.height / 2})`;
  return td.evaluate((el, top) => el === top, await td.page().evaluateHandle(at));
}

describe('index.html in headless Chromium', () => {
  it('shows the version x platform x property matrix coloured by verdict, with no network access', async () => {
    const { page, requests, errors } = await open(await write(await injected()));
    expect(await page.locator('table.matrix td.cell').count()).toBe(2 * 2 * 3);
    expect(await cell(page, 'baseline', 'cca', 'no-double-decrypt').getAttribute('class')).toContain('v-effective');
    expect(await cell(page, 'baseline', 'cca', 'no-double-decrypt').textContent()).toBe('16E');
    expect(await cell(page, 'v2-p1', 'cca', 'no-double-decrypt').getAttribute('class')).toContain('v-holds');
    expect(await cell(page, 'baseline', 'tdx', 'no-double-decrypt').getAttribute('class')).toContain('v-holds');
    expect(await page.locator('table.matrix th.version').allTextContents()).toEqual(['version', 'baseline', 'v2-p1']);
    expect(await page.locator('#incomplete').count()).toBe(0);
    expect(await page.locator('#detail').isVisible()).toBe(false);
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatch(/^file:.*\.html$/);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows the sequence diagram and the machine path of the counterexample of a clicked cell; markup in a trace is text', async () => {
    const { page, errors } = await open(await write(await injected()));
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
    expect(await machine.locator('polygon.head.hl').count()).toBe(10);
    expect(await machine.locator('text.edge-label.hl').count()).toBe(10);
    expect(await machine.locator('rect.viol').getAttribute('data-state')).toBe('returnCpuAddr');
    expect(await machine.locator('.badge-text').allTextContents()).toEqual(expect.arrayContaining(['step 1', 'step 2', 'step 3']));
    // The injected markup is shown as text and never runs.
    const detail = (await page.locator('#detail').textContent())!;
    expect(detail).toContain(`double decrypt ${INJECTED}`);
    expect(detail).toContain(`note ${INJECTED}`);
    expect(await page.evaluate('window.__pwned')).toBeUndefined();
    expect(await page.evaluate('document.scripts.length')).toBe(2);
    // Escape closes the panel and takes the cell out of the address.
    expect(new URL(page.url()).hash).toBe('#baseline/cca/no-double-decrypt');
    await page.keyboard.press('Escape');
    expect(await page.locator('#detail').isVisible()).toBe(false);
    expect(new URL(page.url()).hash).toBe('');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('draws one lane per CPU for a two-thread counterexample, and says when the result is incomplete', async () => {
    const res = await verify({
      selection: parseSelection({ versions: 'baseline', platforms: 'cca', properties: 'pool-slots-stay-decrypted', device: 'coherent=1,pool=shared,gfp=blocking,nkm=0', threads: 2, calls: 2 }),
      workers: 0,
    });
    const { page, errors } = await open(await write({ ...res, complete: false, incompleteReason: 'interrupted after 1 of 3 runs' }));
    expect(await page.locator('#incomplete').textContent()).toContain('INCOMPLETE: interrupted after 1 of 3 runs');
    expect(await page.title()).toContain('INCOMPLETE');
    await page.locator('td.cell.v-effective').first().click();
    const lanes = await page.locator('#detail svg.sequence text.lane-title').allTextContents();
    expect(lanes.slice(0, 2)).toEqual(['CPU0', 'CPU1']);
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe('index.html of the full default matrix', () => {
  let url: string;
  let data: HtmlData;
  /** the last violated cell of the matrix, far below the first screen */
  let far: { version: string; platform: string; property: string };

  beforeAll(async () => {
    const res = await defaultResults();
    url = await write(res);
    const { page } = await open(url);
    data = JSON.parse((await page.locator('#dmacheck-data').textContent())!) as HtmlData;
    await page.close();
    far = data.cells.filter((c) => c.verdict === 'effective').at(-1)!;
  }, 600_000); // the default verify: about 30 s alone on 2 cores, much longer on a loaded machine

  it('has every cell of the default selection, and the panel of a clicked cell far down opens in the viewport with its own address', async () => {
    expect([data.versions.length, data.platforms.length, data.properties.length]).toEqual([8, 12, 9]);
    expect(data.cells).toHaveLength(8 * 12 * 9);
    const { page, errors } = await open(url);
    expect(await page.locator('td.cell').count()).toBe(8 * 12 * 9);
    const td = cell(page, far.version, far.platform, far.property);
    await td.click();
    expect(await td.getAttribute('class')).toContain('selected');
    expect(await inSight(td)).toBe(true);
    const title = page.locator('#detail h2');
    expect(await title.textContent()).toBe(`${far.version} · ${far.platform} · ${far.property}: effective`);
    expect(inViewport(await title.boundingBox())).toBe(true);
    // The panel starts on the counterexample, not somewhere below it.
    const seq = await page.locator('#detail svg.sequence').boundingBox();
    expect(seq!.y).toBeLessThan(VIEWPORT.height);
    expect(new URL(page.url()).hash).toBe(`#${far.version}/${far.platform}/${far.property}`);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('opens the panel of the cell a link names, with the cell scrolled into view', async () => {
    const { page, requests, errors } = await open(url, `#${far.version}/${far.platform}/${far.property}`);
    expect(await page.locator('#detail h2').textContent()).toBe(`${far.version} · ${far.platform} · ${far.property}: effective`);
    expect(inViewport(await page.locator('#detail h2').boundingBox())).toBe(true);
    const td = cell(page, far.version, far.platform, far.property);
    expect(await td.getAttribute('class')).toContain('selected');
    expect(await inSight(td)).toBe(true);
    // Another link on the same page opens its cell; a fragment that names no cell leaves the page as it is.
    await go(page, '#baseline/cca/no-double-decrypt');
    await expect.poll(() => page.locator('#detail h2').textContent()).toBe('baseline · cca · no-double-decrypt: effective');
    const { page: other } = await open(url, '#no/such/cell');
    expect(await other.locator('#detail').isVisible()).toBe(false);
    await other.close();
    expect(requests.every((r) => r.startsWith('file:'))).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('keeps the header row and the version and platform columns in view while the matrix scrolls', async () => {
    const { page } = await open(url, `#${far.version}/${far.platform}/${far.property}`);
    const pane = page.locator('#matrix-pane');
    // The middle row of the fourth version's block at the top of the pane, and the pane as far right as it goes beside the open panel.
    const version = data.versions[3]!;
    const row = cell(page, version, data.platforms[6]!, data.properties[0]!);
    const head = page.locator('table.matrix th.prop').first();
    const headHeight = (await head.boundingBox())!.height;
    await row.evaluate((td, h) => {
      const p = td.closest('#matrix-pane')!;
      p.scrollTop = (td as unknown as { offsetTop: number }).offsetTop - h;
      p.scrollLeft = p.scrollWidth;
    }, headHeight);
    const paneBox = (await pane.boundingBox())!;
    expect(await pane.evaluate((el) => el.scrollTop)).toBeGreaterThan(1000);
    expect(await pane.evaluate((el) => el.scrollLeft)).toBeGreaterThan(0);
    const headBox = (await head.boundingBox())!;
    expect(headBox.y).toBeCloseTo(paneBox.y, 0);
    expect((await row.boundingBox())!.y).toBeCloseTo(headBox.y + headBox.height, 0);
    // The label of the version whose rows fill the pane sits just below the header row.
    const label = (await page.locator('th.version .vlabel').nth(3).boundingBox())!;
    expect(await page.locator('th.version .vlabel').nth(3).textContent()).toBe(version);
    expect(label.y).toBeGreaterThanOrEqual(headBox.y + headBox.height - 1);
    expect(label.y + label.height).toBeLessThan(paneBox.y + paneBox.height);
    // Scrolled right, the version and platform columns stay at the left edge.
    const versionCol = (await page.locator('tbody th.version').nth(3).boundingBox())!;
    const platformCol = (await row.locator('xpath=preceding-sibling::th[contains(@class,"platform")]').boundingBox())!;
    expect(versionCol.x).toBeCloseTo(paneBox.x, 0);
    expect(platformCol.x).toBeCloseTo(versionCol.x + versionCol.width, 0);
    await page.close();
  });

  it('lays out every machine diagram without two edge labels overlapping each other or a state', async () => {
    const { page, errors } = await open(url);
    // For each machine in the report, one (cell, configuration) whose counterexample draws it.
    const wanted = new Map<string, { cell: number; group: number }>();
    data.cells.forEach((c, ci) => c.groups.forEach((gi, k) => {
      for (const s of data.groups[gi]!.trace.steps) if (!wanted.has(`${c.version}|${s.call}`)) wanted.set(`${c.version}|${s.call}`, { cell: ci, group: k });
    }));
    expect(wanted.size).toBe(Object.keys(data.machines).length);
    // The check itself sees an overlap where there is one.
    await page.evaluate(`document.body.insertAdjacentHTML('beforeend', '<svg id="probe" width="200" height="50"><text class="edge-label" x="10" y="20">OVERLAP_A</text><text class="edge-label" x="40" y="24">OVERLAP_B</text></svg>')`);
    expect(await page.locator('#probe').evaluate(labelOverlaps)).toEqual({ count: 2, bad: ['label OVERLAP_A / label OVERLAP_B'] });
    const overlaps: string[] = [];
    let labels = 0;
    for (const [key, at] of wanted) {
      const c = data.cells[at.cell]!;
      await go(page, `#${c.version}/${c.platform}/${c.property}`);
      await page.locator('#detail .groups button').nth(at.group).click();
      const svg = page.locator(`#detail svg.machine[data-machine="${key.split('|')[1]}"]`);
      const found = await svg.evaluate(labelOverlaps);
      labels += found.count;
      overlaps.push(...found.bad.map((b) => `${key}: ${b}`));
    }
    expect(overlaps).toEqual([]);
    expect(labels).toBeGreaterThan(100);
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe('index.html as text', () => {
  it('embeds the data so that no string can close the script element', async () => {
    const html = await htmlReport(await injected());
    expect(html.match(/<script/g)).toHaveLength(2);
    expect(html).not.toContain(INJECTED);
    expect(scriptJson({ s: '</script><!-- & \u2028' })).toBe('{"s":"\\u003c/script\\u003e\\u003c!-- \\u0026 \\u2028"}');
    expect(JSON.parse(scriptJson({ s: '</script>' }))).toEqual({ s: '</script>' });
    expect(html).toContain("default-src 'none'");
  });
});
