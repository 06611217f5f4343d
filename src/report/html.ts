/**
 * index.html: one self-contained static page (no network access: inline
 * style and script, a Content-Security-Policy that forbids loading anything)
 * with the version x platform x property matrix coloured by verdict. A
 * click on a cell opens a panel beside the matrix with its shortest
 * counterexample as a sequence diagram (one lane per CPU, one per page with
 * its state), the steps as a table, and the machine of each entry point
 * involved (laid out by Graphviz when the report is written), with the
 * path the counterexample takes through it highlighted. The panel's cell is
 * in the address (`#version/platform/property`), so a link opens it.
 *
 * Every text from models and traces reaches the page either escaped in the
 * server-rendered matrix or through textContent in the script; the data is
 * embedded as JSON with `<`, `>` and `&` escaped, so no string can close the
 * script element.
 */
import type { PropertyResult, Results, ViolationGroup } from '../check/results.ts';
import type { Trace } from '../check/trace.ts';
import { versionById, type EntryPoint } from '../../models/versions.ts';
import { PROPERTIES } from '../../properties/index.ts';
import type { DmaMachine } from '../../models/machines/dma-setup.ts';
import { machineDiagrams, type MachineDiagram } from './machine-diagram.ts';
import { traceDetail, type TraceDetail } from './trace-detail.ts';

export type CellVerdict = 'effective' | 'latent' | 'holds' | 'none';

interface CellData {
  readonly version: string;
  readonly platform: string;
  readonly property: string;
  readonly verdict: CellVerdict;
  readonly effectiveRuns: number;
  readonly latentRuns: number;
  /** indices into groups, the shortest counterexample first */
  readonly groups: readonly number[];
}

interface GroupData {
  readonly version: string;
  readonly property: string;
  readonly platform: string;
  readonly device: string;
  readonly severity: 'effective' | 'latent';
  readonly runs: number;
  readonly depth: number;
  readonly trace: Trace;
  readonly detail?: TraceDetail;
}

export interface HtmlData {
  readonly complete: boolean;
  readonly incompleteReason?: string;
  readonly versions: readonly string[];
  readonly platforms: readonly string[];
  readonly properties: readonly string[];
  readonly rules: Readonly<Record<string, string>>;
  readonly cells: readonly CellData[];
  readonly groups: readonly GroupData[];
  /** `version|entry point` -> diagram */
  readonly machines: Readonly<Record<string, MachineDiagram>>;
}

/** Escape text for HTML content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** JSON safe inside a <script> element: no `<`, `>`, `&` or line separators survive literally. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The verdict of a (version, platform, property) cell: effective beats latent beats holds; `none` when no run of the platform finished. */
export function cellVerdict(res: Results, r: PropertyResult, platform: string): CellVerdict {
  const gs = r.violations.filter((g) => g.platform === platform);
  if (gs.some((g) => g.severity === 'effective')) return 'effective';
  if (gs.length) return 'latent';
  return res.stateCounts[r.version]?.[platform] === undefined ? 'none' : 'holds';
}

const byShortest = (a: ViolationGroup, b: ViolationGroup) =>
  (a.severity === b.severity ? 0 : a.severity === 'effective' ? -1 : 1) || a.depth - b.depth || a.runIndex - b.runIndex;

export async function htmlData(res: Results): Promise<HtmlData> {
  const sel = res.selection;
  const groups: GroupData[] = [];
  const cells: CellData[] = [];
  const wanted = new Map<string, DmaMachine>();
  for (const version of sel.versions)
    for (const platform of sel.platforms)
      for (const property of sel.properties) {
        const r = res.results.find((x) => x.version === version && x.property === property);
        const gs = (r?.violations ?? []).filter((g) => g.platform === platform).slice().sort(byShortest);
        const idx: number[] = [];
        for (const g of gs) {
          const detail = traceDetail(g.trace);
          idx.push(groups.length);
          groups.push({
            version, property, platform, device: g.device, severity: g.severity, runs: g.runs, depth: g.depth, trace: g.trace,
            ...(detail ? { detail } : {}),
          });
          for (const st of g.trace.steps) {
            const m = versionById(version)?.machines[st.call as EntryPoint];
            if (m) wanted.set(`${version}|${st.call}`, m);
          }
        }
        cells.push({
          version, platform, property,
          verdict: r ? cellVerdict(res, r, platform) : 'none',
          effectiveRuns: gs.filter((g) => g.severity === 'effective').reduce((s, g) => s + g.runs, 0),
          latentRuns: gs.filter((g) => g.severity === 'latent').reduce((s, g) => s + g.runs, 0),
          groups: idx,
        });
      }
  const diagrams = await machineDiagrams([...wanted.values()]);
  const machines = Object.fromEntries([...wanted.keys()].map((k, i) => [k, diagrams[i]!]));
  const rules = Object.fromEntries(PROPERTIES.filter((p) => sel.properties.includes(p.id)).map((p) => [p.id, p.rule]));
  return {
    complete: res.complete,
    ...(res.incompleteReason ? { incompleteReason: res.incompleteReason } : {}),
    versions: sel.versions, platforms: sel.platforms, properties: sel.properties, rules, cells, groups, machines,
  };
}

function cellText(c: CellData): string {
  if (c.verdict === 'holds') return 'holds';
  if (c.verdict === 'none') return '–';
  return [c.effectiveRuns ? `${c.effectiveRuns}E` : '', c.latentRuns ? `${c.latentRuns}L` : ''].filter(Boolean).join(' ');
}

function matrixTable(d: HtmlData): string {
  const rows: string[] = [];
  rows.push('<table class="matrix"><thead><tr><th class="corner version">version</th><th class="corner platform">platform</th>');
  // Property ids break after their hyphens only.
  for (const p of d.properties) rows.push(`<th class="prop" title="${escapeHtml(d.rules[p] ?? p)}">${escapeHtml(p).replace(/-/g, '-<wbr>')}</th>`);
  rows.push('</tr></thead><tbody>');
  let i = 0;
  for (const v of d.versions) {
    d.platforms.forEach((pl, k) => {
      rows.push(`<tr${k === 0 ? ' class="first"' : ''}>`);
      if (k === 0) rows.push(`<th class="version" rowspan="${d.platforms.length}"><div class="vlabel">${escapeHtml(v)}</div></th>`);
      rows.push(`<th class="platform">${escapeHtml(pl)}</th>`);
      for (let j = 0; j < d.properties.length; j++, i++) {
        const c = d.cells[i]!;
        const title = `${c.version} / ${c.platform} / ${c.property}: ${c.verdict}`;
        rows.push(`<td class="cell v-${c.verdict}" id="cell-${i}" data-cell="${i}" tabindex="0" title="${escapeHtml(title)}">${escapeHtml(cellText(c))}</td>`);
      }
      rows.push('</tr>');
    });
  }
  rows.push('</tbody></table>');
  return rows.join('');
}

/**
 * The page is a fixed frame: the header on top (where banners sit), the
 * matrix below it scrolling in its own pane with the header row and the
 * version and platform columns sticky, and the detail of a cell in a
 * panel on the right that scrolls on its own, so it opens where the user
 * is looking however far down the matrix the cell is.
 */
const STYLE = `
html,body{height:100%}
body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#1d2330;background:#fff;display:grid;grid-template-columns:minmax(0,1fr) auto;grid-template-rows:auto minmax(0,1fr);height:100vh;overflow:hidden}
#top{grid-column:1/-1;padding:10px 24px 8px;border-bottom:1px solid #c8ccd4}
h1{font-size:20px;margin:0 0 4px}h2{font-size:17px;margin:14px 0 6px}h3{font-size:15px;margin:16px 0 4px}
.meta{color:#555;margin-bottom:6px}
.banner{background:#fff3cd;border:2px solid #c99a00;padding:8px 12px;margin:8px 0;font-weight:600}
.legend span{display:inline-block;padding:1px 8px;margin-right:6px;border-radius:3px}
#matrix-pane{overflow:auto;padding:0 24px 24px 0;min-width:0;scroll-padding:var(--head,60px) 0 0 260px}
table.matrix{border-collapse:separate;border-spacing:0;width:max-content}
table.matrix th,table.matrix td{border-right:1px solid #c8ccd4;border-bottom:1px solid #c8ccd4;padding:3px 6px;text-align:center;background-clip:padding-box}
table.matrix thead th{position:sticky;top:0;z-index:2;background:#fff;border-bottom:2px solid #888}
table.matrix th.prop{font-size:11px;max-width:96px;vertical-align:bottom}
table.matrix th.version{position:sticky;left:0;z-index:1;box-sizing:border-box;width:124px;min-width:124px;max-width:124px;background:#eef0f4;vertical-align:top;padding:0 6px;border-left:1px solid #c8ccd4}
table.matrix th.version .vlabel{position:sticky;top:var(--head,60px);padding:4px 0}
table.matrix th.platform{position:sticky;left:124px;z-index:1;box-sizing:border-box;width:136px;min-width:136px;max-width:136px;white-space:nowrap;background:#f7f8fa}
table.matrix thead th.corner{z-index:3;vertical-align:bottom;background:#fff}
table.matrix tr.first>*{border-top:2px solid #888}
td.cell{cursor:pointer;min-width:44px;font-size:12px}
td.cell:focus,td.cell.selected{outline:3px solid #1a56db;outline-offset:-3px}
.v-effective{background:#e5484d;color:#fff}.v-latent{background:#f5b342}.v-holds{background:#bfe6c4}.v-none{background:#e4e4e4;color:#777}
#detail{overflow:auto;box-sizing:border-box;width:min(58vw,1100px);border-left:3px solid #1a56db;padding:0 18px 24px;background:#fff;box-shadow:-4px 0 12px rgba(0,0,0,.12)}
#detail[hidden]{display:none}
#detail .bar{position:sticky;top:0;left:0;background:#fff;z-index:1;display:flex;align-items:flex-start;gap:12px;border-bottom:1px solid #ddd}
#detail .bar h2{flex:1}
#detail .bar button{margin-top:12px;font-size:13px;cursor:pointer}
.groups button{margin:2px 4px 2px 0;font:12px monospace;border:1px solid #999;background:#f6f6f6;cursor:pointer}
.groups button.on{background:#1a56db;color:#fff}
.message{font-weight:600}
table.steps{border-collapse:collapse;font:12px monospace;margin:8px 0}
table.steps td,table.steps th{border:1px solid #ddd;padding:2px 6px;text-align:left;vertical-align:top}
table.steps tr.viol td{background:#fde2e2}
.scroll{overflow-x:auto;max-width:100%}
svg text{font:11px monospace;fill:#1d2330}
svg .lane-title{font-weight:bold;font-size:12px}
svg .lifeline{stroke:#aaa;stroke-dasharray:4 3}
svg .stepbox{fill:#eef3ff;stroke:#6b87c7}
svg .stepbox.viol{fill:#fde2e2;stroke:#d62d33;stroke-width:2}
svg .pagebox{fill:#f4f4f4;stroke:#999}
svg .pagebox.changed{fill:#fff7d6;stroke:#c99a00}
svg .arrow{stroke:#555;fill:none}
svg .node{fill:#fff;stroke:#888}
svg .node.call{fill:#eef3ff;stroke:#6b87c7}
svg .node.final{stroke-width:2.5}
svg .edge{stroke:#b5b9c2;fill:none}
svg .head{fill:#b5b9c2}
svg.machine .edge-label{font-size:10px;fill:#666}
svg .node.hl{stroke-width:2.5}
svg .node.hl.t0{fill:#d7e6ff;stroke:#1a56db}svg .edge.hl.t0{stroke:#1a56db;stroke-width:2.5}svg .head.hl.t0{fill:#1a56db}
svg .node.hl.t1{fill:#ffe6cc;stroke:#d9730d}svg .edge.hl.t1{stroke:#d9730d;stroke-width:2.5}svg .head.hl.t1{fill:#d9730d}
svg .node.hl.t2{fill:#d9f2df;stroke:#1f8a3a}svg .edge.hl.t2{stroke:#1f8a3a;stroke-width:2.5}svg .head.hl.t2{fill:#1f8a3a}
svg.machine .edge-label.hl{fill:#1d2330}
svg .node.viol{stroke:#d62d33;stroke-width:3.5}
svg .badge{fill:#d62d33}svg .badge-text{font-size:9px;font-weight:bold;fill:#fff}
`;

/** The page's script: reads the embedded data and builds the detail view with DOM calls only (textContent, never HTML). */
const SCRIPT = String.raw`(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('dmacheck-data').textContent);
  var NS = 'http://www.w3.org/2000/svg';
  var uid = 0;
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function sv(tag, attrs, text) {
    var e = document.createElementNS(NS, tag);
    for (var k in attrs || {}) e.setAttribute(k, String(attrs[k]));
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function clip(s, n) { s = String(s); return s.length > n ? s.slice(0, n - 1) + '\u2026' : s; }
  function shortCall(c) { return String(c).replace(/^dma_direct_/, ''); }
  function arrowDefs(svg, color) {
    var id = 'arrow' + (uid++);
    var defs = sv('defs');
    var m = sv('marker', { id: id, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 8, markerHeight: 8, markerUnits: 'userSpaceOnUse', orient: 'auto-start-reverse' });
    m.appendChild(sv('path', { d: 'M0,0 L10,5 L0,10 z', fill: color }));
    defs.appendChild(m);
    svg.appendChild(defs);
    return 'url(#' + id + ')';
  }

  function sequenceDiagram(g) {
    var t = g.trace, det = g.detail;
    var threads = det ? det.threads : t.run.programs.length;
    var pages = det ? det.pages : [];
    var CPU_W = 300, PAGE_W = 190, ROW = 50, TOP = 44;
    var width = 20 + threads * CPU_W + pages.length * PAGE_W;
    var height = TOP + (t.steps.length + 1) * ROW + 20;
    var svg = sv('svg', { class: 'sequence', width: width, height: height, viewBox: '0 0 ' + width + ' ' + height, role: 'img' });
    svg.appendChild(sv('title', {}, 'Counterexample: ' + t.steps.length + ' steps'));
    var marker = arrowDefs(svg, '#555');
    var laneX = [];
    for (var c = 0; c < threads; c++) laneX.push(10 + c * CPU_W);
    var pageX = [];
    for (var p = 0; p < pages.length; p++) pageX.push(10 + threads * CPU_W + p * PAGE_W);
    function lane(x, w, title, sub) {
      svg.appendChild(sv('line', { class: 'lifeline', x1: x + w / 2, y1: 30, x2: x + w / 2, y2: height - 10 }));
      svg.appendChild(sv('text', { class: 'lane-title', x: x + w / 2, y: 16, 'text-anchor': 'middle' }, title));
      if (sub) svg.appendChild(sv('text', { x: x + w / 2, y: 30, 'text-anchor': 'middle' }, clip(sub, 34)));
    }
    for (c = 0; c < threads; c++) lane(laneX[c], CPU_W, 'CPU' + c, (t.run.programs[c] || []).map(shortCall).join(','));
    for (p = 0; p < pages.length; p++) lane(pageX[p], PAGE_W, pages[p], '');
    function pageBox(p, row, text, changed) {
      var x = pageX[p] + 6, y = TOP + row * ROW, w = PAGE_W - 12;
      var box = sv('rect', { class: 'pagebox' + (changed ? ' changed' : ''), x: x, y: y, width: w, height: 38, rx: 4 });
      svg.appendChild(box);
      var parts = String(text).split('; ');
      svg.appendChild(sv('text', { x: x + 5, y: y + 15 }, clip(parts[0], 26)));
      if (parts[1]) svg.appendChild(sv('text', { x: x + 5, y: y + 30 }, clip(parts.slice(1).join('; '), 26)));
      var tip = sv('title', {}, pages[p] + ': ' + text);
      box.appendChild(tip);
      return { x: x, y: y + 19 };
    }
    if (det) for (p = 0; p < pages.length; p++) pageBox(p, 0, det.pageStates[0][p], false);
    t.steps.forEach(function (s, i) {
      var row = i + 1, x = laneX[s.thread] + 8, y = TOP + row * ROW, w = CPU_W - 16;
      var viol = s.violates && s.violates.length > 0;
      var g2 = sv('g', { class: 'step', 'data-step': s.step });
      var box = sv('rect', { class: 'stepbox' + (viol ? ' viol' : ''), x: x, y: y, width: w, height: 38, rx: 4 });
      box.appendChild(sv('title', {}, s.step + '. ' + s.call + ' ' + s.event + (s.page ? '(' + s.page + ')' : '') + '\n' + s.source + '\n' + s.from + ' -> ' + s.to + (viol ? '\nviolates ' + s.violates.join(', ') : '')));
      g2.appendChild(box);
      g2.appendChild(sv('text', { x: x + 5, y: y + 15 }, clip(s.step + '. ' + shortCall(s.call) + ' ' + s.event + (s.page ? '(' + s.page + ')' : ''), 42)));
      g2.appendChild(sv('text', { x: x + 5, y: y + 30 }, clip(s.from + ' \u2192 ' + s.to, 42)));
      svg.appendChild(g2);
      if (!det) return;
      for (var p = 0; p < pages.length; p++) {
        if (det.pageStates[row][p] === det.pageStates[row - 1][p]) continue;
        var at = pageBox(p, row, det.pageStates[row][p], true);
        var fromX = x + w, toX = at.x;
        if (toX < fromX) { fromX = x; toX = at.x + PAGE_W - 12; }
        svg.appendChild(sv('line', { class: 'arrow', x1: fromX, y1: at.y, x2: toX, y2: at.y, 'marker-end': marker }));
      }
    });
    return svg;
  }

  function machineDiagram(key, g) {
    var m = data.machines[key];
    if (!m) return null;
    var svg = sv('svg', { class: 'machine', width: m.width, height: m.height, viewBox: '0 0 ' + m.width + ' ' + m.height, 'data-machine': m.id });
    svg.appendChild(sv('title', {}, m.id));
    var hlStates = {}, hlEdges = {}, badges = {};
    var ep = key.slice(key.indexOf('|') + 1);
    g.trace.steps.forEach(function (s, i) {
      if (s.call !== ep) return;
      var path = g.detail && g.detail.paths[i];
      var states = path ? path.states : [s.from, s.to];
      var cls = 't' + s.thread;
      states.forEach(function (n) { hlStates[n] = cls; });
      (path ? path.transitions : []).forEach(function (id) { hlEdges[id] = cls; });
      var rest = states[states.length - 1];
      (badges[rest] = badges[rest] || []).push(String(s.step));
      if (s.violates && s.violates.length) hlStates[rest + '\u0000viol'] = true;
    });
    m.edges.forEach(function (e) {
      var cls = null;
      e.ids.forEach(function (id) { if (hlEdges[id]) cls = hlEdges[id]; });
      var hl = cls ? ' hl ' + cls : '';
      var path = sv('path', { class: 'edge' + hl, d: e.d, 'data-ids': e.ids.join('\n') });
      path.appendChild(sv('title', {}, e.ids.join('\n')));
      svg.appendChild(path);
      if (e.head) svg.appendChild(sv('polygon', { class: 'head' + hl, points: e.head }));
      if (!e.label.length) return;
      var text = sv('text', { class: 'edge-label' + hl, 'text-anchor': 'middle' });
      e.label.forEach(function (l) { text.appendChild(sv('tspan', { x: l.x, y: l.y }, l.text)); });
      svg.appendChild(text);
    });
    m.nodes.forEach(function (n) {
      var cls = 'node' + (n.call ? ' call' : '') + (n.final ? ' final' : '');
      if (hlStates[n.name]) cls += ' hl ' + hlStates[n.name];
      if (hlStates[n.name + '\u0000viol']) cls += ' viol';
      var r = sv('rect', { class: cls, x: n.x, y: n.y, width: n.w, height: n.h, rx: n.final ? 10 : 3, 'data-state': n.name });
      r.appendChild(sv('title', {}, n.name + (n.call ? ' [waits on ' + n.call + ']' : '') + '\n' + n.source));
      svg.appendChild(r);
      svg.appendChild(sv('text', { class: 'node-label', x: n.x + n.w / 2, y: n.y + n.h / 2, 'text-anchor': 'middle', 'dominant-baseline': 'central' }, n.name));
    });
    // Step numbers on a red tab at the top right corner of the state each step ended in.
    m.nodes.forEach(function (n) {
      if (!badges[n.name]) return;
      var label = 'step ' + badges[n.name].join(',');
      var w = label.length * 5.5 + 6;
      var tab = sv('g', { class: 'badge-tab' });
      tab.appendChild(sv('rect', { class: 'badge', x: n.x + n.w - w, y: n.y - 6, width: w, height: 11, rx: 3 }));
      tab.appendChild(sv('text', { class: 'badge-text', x: n.x + n.w - w / 2, y: n.y - 0.5, 'text-anchor': 'middle', 'dominant-baseline': 'central' }, label));
      svg.appendChild(tab);
    });
    return svg;
  }

  function showGroup(box, gi) {
    var g = data.groups[gi], t = g.trace;
    box.textContent = '';
    box.appendChild(el('p', { class: 'message' }, t.message));
    box.appendChild(el('p', {}, g.severity + ' on ' + g.platform + ', device ' + g.device + ': ' + g.runs + ' violating run(s); shortest ' + g.depth + ' step(s).'));
    box.appendChild(el('h3', {}, 'Sequence diagram'));
    var scroll = el('div', { class: 'scroll' });
    scroll.appendChild(sequenceDiagram(g));
    box.appendChild(scroll);
    var table = el('table', { class: 'steps' });
    var head = el('tr');
    ['step', 'CPU', 'call', 'event', 'from', 'to', 'world changes', 'violates'].forEach(function (h) { head.appendChild(el('th', {}, h)); });
    table.appendChild(head);
    t.steps.forEach(function (s) {
      var tr = el('tr', { class: s.violates && s.violates.length ? 'viol' : '' });
      [s.step, 'CPU' + s.thread, s.call, s.event + (s.page ? '(' + s.page + ')' : ''), s.from, s.to, s.changes.join('\n'), s.violates.join(', ')].forEach(function (v) {
        var td = el('td', {}, v);
        td.style.whiteSpace = 'pre-wrap';
        tr.appendChild(td);
      });
      table.appendChild(tr);
    });
    box.appendChild(table);
    var dl = el('button', { type: 'button', class: 'download' }, 'Save trace JSON (for dmacheck replay)');
    dl.addEventListener('click', function () {
      var a = el('a', { download: 'trace-' + g.version + '-' + g.property + '-' + g.platform + '.json' });
      a.href = URL.createObjectURL(new Blob([JSON.stringify(t, null, 1)], { type: 'application/json' }));
      a.click();
    });
    box.appendChild(dl);
    var seen = {};
    t.steps.forEach(function (s) {
      if (seen[s.call]) return;
      seen[s.call] = true;
      var svg = machineDiagram(g.version + '|' + s.call, g);
      if (!svg) return;
      box.appendChild(el('h3', {}, s.call + ' (' + g.version + ')'));
      var sc = el('div', { class: 'scroll' });
      sc.appendChild(svg);
      box.appendChild(sc);
    });
  }

  // A cell's fragment names it, so that a link to it survives a change of the selection: #version/platform/property.
  function anchorOf(c) { return [c.version, c.platform, c.property].map(encodeURIComponent).join('/'); }
  function cellOfHash(hash) {
    var parts = hash.replace(/^#/, '').split('/').map(function (p) { try { return decodeURIComponent(p); } catch (e) { return ''; } });
    if (parts.length !== 3) return -1;
    for (var i = 0; i < data.cells.length; i++) {
      var c = data.cells[i];
      if (c.version === parts[0] && c.platform === parts[1] && c.property === parts[2]) return i;
    }
    return -1;
  }

  var detail = document.getElementById('detail');
  var pane = document.getElementById('matrix-pane');

  function closeDetail() {
    document.querySelectorAll('td.cell.selected').forEach(function (td) { td.classList.remove('selected'); });
    detail.hidden = true;
    detail.textContent = '';
    if (location.hash) history.replaceState(null, '', location.pathname + location.search);
  }

  function openCell(i) {
    var c = data.cells[i];
    if (!c) return;
    document.querySelectorAll('td.cell.selected').forEach(function (td) { td.classList.remove('selected'); });
    var td = document.getElementById('cell-' + i);
    detail.textContent = '';
    detail.hidden = false;
    detail.scrollTop = 0;
    var bar = el('div', { class: 'bar' });
    bar.appendChild(el('h2', {}, c.version + ' \u00b7 ' + c.platform + ' \u00b7 ' + c.property + ': ' + c.verdict));
    var close = el('button', { type: 'button', class: 'close', title: 'Close (Esc)' }, 'Close \u00d7');
    close.addEventListener('click', function () { var back = td; closeDetail(); if (back) back.focus(); });
    bar.appendChild(close);
    detail.appendChild(bar);
    detail.appendChild(el('p', { class: 'rule' }, data.rules[c.property] || ''));
    // The open panel narrows the matrix: keep the cell in sight beside it.
    if (td) {
      td.classList.add('selected');
      td.scrollIntoView({ block: 'nearest', inline: 'nearest' });
    }
    if (location.hash !== '#' + anchorOf(c)) history.replaceState(null, '', '#' + anchorOf(c));
    if (!c.groups.length) {
      detail.appendChild(el('p', {}, c.verdict === 'none' ? 'No run of this platform finished.' : 'No counterexample: the property holds on every run of this platform' + (data.complete ? '.' : ' that finished.')));
      return;
    }
    var list = el('div', { class: 'groups' });
    var box = el('div', { class: 'counterexample' });
    c.groups.forEach(function (gi, k) {
      var g = data.groups[gi];
      var b = el('button', { type: 'button', class: k === 0 ? 'on' : '' }, g.severity + ' \u00b7 ' + g.device + ' \u00b7 ' + g.runs + ' run(s) \u00b7 ' + g.depth + ' step(s)');
      b.addEventListener('click', function () {
        list.querySelectorAll('button').forEach(function (x) { x.classList.remove('on'); });
        b.classList.add('on');
        showGroup(box, gi);
      });
      list.appendChild(b);
    });
    detail.appendChild(el('p', {}, 'Configurations with a counterexample (shortest first):'));
    detail.appendChild(list);
    detail.appendChild(box);
    showGroup(box, c.groups[0]);
  }

  // The sticky version label sits just below the sticky header row, whatever height the property names give it.
  function measureHead() {
    var head = document.querySelector('table.matrix thead');
    if (head) document.documentElement.style.setProperty('--head', head.getBoundingClientRect().height + 'px');
  }
  measureHead();
  // The panel narrows the matrix, and narrower property columns make the header row taller.
  if (window.ResizeObserver) new ResizeObserver(measureHead).observe(document.querySelector('table.matrix thead'));
  else window.addEventListener('resize', measureHead);

  document.querySelectorAll('td.cell').forEach(function (td) {
    var i = Number(td.getAttribute('data-cell'));
    td.addEventListener('click', function () { openCell(i); });
    td.addEventListener('keydown', function (e) { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); openCell(i); } });
  });
  document.addEventListener('keydown', function (e) { if (e.key === 'Escape' && !detail.hidden) closeDetail(); });
  // A link to a cell opens it and scrolls the matrix to it.
  function openHash() {
    var i = cellOfHash(location.hash);
    if (i < 0) return;
    openCell(i);
    var td = document.getElementById('cell-' + i);
    if (td && pane) td.scrollIntoView({ block: 'center', inline: 'nearest' });
  }
  window.addEventListener('hashchange', openHash);
  openHash();
})();`;


/** The page; async because the machine diagrams are laid out by Graphviz's WebAssembly module. */
export async function htmlReport(res: Results): Promise<string> {
  const d = await htmlData(res);
  const s = res.selection;
  const violated = d.cells.filter((c) => c.verdict === 'effective' || c.verdict === 'latent').length;
  const banner = res.complete
    ? ''
    : `<div class="banner" id="incomplete" role="alert">INCOMPLETE: ${escapeHtml(res.incompleteReason ?? 'partial result')}. Verdicts cover only the runs that finished.</div>`;
  const when = res.timing ? ` · started ${escapeHtml(res.timing.startedAt)}, ${res.timing.seconds.toFixed(1)} s on ${res.timing.workers} worker(s)` : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data: blob:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>dmacheck report${res.complete ? '' : ' (INCOMPLETE)'}</title>
<style>${STYLE}</style>
</head>
<body>
<header id="top">
<h1>dmacheck verification report</h1>
<div class="meta">Bound: ${s.threads} thread(s), ${s.calls} call(s) per thread · runs ${res.totals.runsDone}/${res.totals.runs}${res.shard ? ` (shard ${res.shard.index}/${res.shard.count})` : ''} · ${res.totals.states} states · ${violated} violated cell(s)${when}</div>
${banner}
<div class="legend"><span class="v-effective">effective</span><span class="v-latent">latent</span><span class="v-holds">holds</span><span class="v-none">no run</span> Cells count violating runs (E effective, L latent); click a cell for its shortest counterexample (the address then links to it).</div>
</header>
<main id="matrix-pane">${matrixTable(d)}</main>
<aside id="detail" aria-label="counterexample of the selected cell" hidden></aside>
<script type="application/json" id="dmacheck-data">${scriptJson(d)}</script>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
