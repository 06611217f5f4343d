/**
 * The machines drawn as boxes and arrows for the HTML report, laid out by
 * Graphviz's dot (the WebAssembly build of @viz-js/viz) when the report is
 * written, so that the page needs no layout code and no network. dot places
 * edge labels as nodes of their own rank, which is what keeps them from
 * overlapping each other, the states and the arrows.
 *
 * Edges are merged per (source, target) with one label line per event or
 * guard; their ids are the coverage ids of models/coverage.ts, so a trace's
 * path (also coverage ids) highlights them. Plain data out, in SVG
 * coordinates (y down): the page's script turns it into SVG.
 */
import type { Viz } from '@viz-js/viz';
import { transitionId, type TransitionLike } from '../../models/coverage.ts';
import type { DmaMachine, StateMeta } from '../../models/machines/dma-setup.ts';

export interface DiagramNode {
  readonly name: string;
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
  /** the environment call the state waits on */
  readonly call?: string;
  readonly final: boolean;
  readonly initial: boolean;
  readonly source: string;
}

/** One line of an edge label: centred on x, baseline at y. */
export interface DiagramText {
  readonly x: number;
  readonly y: number;
  readonly text: string;
}

export interface DiagramEdge {
  /** coverage ids of the transitions drawn by this arrow */
  readonly ids: readonly string[];
  readonly from: string;
  readonly to: string;
  /** SVG path data of the spline */
  readonly d: string;
  /** the arrowhead polygon, SVG points */
  readonly head: string;
  /** events, or guard names of eventless transitions (`else` for the fallback), one per line */
  readonly label: readonly DiagramText[];
}

export interface MachineDiagram {
  readonly id: string;
  readonly width: number;
  readonly height: number;
  readonly nodes: readonly DiagramNode[];
  readonly edges: readonly DiagramEdge[];
}

interface NodeLike {
  readonly key: string;
  readonly type?: string;
  readonly meta?: StateMeta;
  readonly transitions: Map<string, readonly (TransitionLike & { guard?: unknown })[]>;
  readonly always?: readonly (TransitionLike & { guard?: unknown })[];
}

/** The parts of dot's JSON output (`-Tjson`, xdot drawing operations) read here; y points up. */
type Point = readonly [number, number];
interface XdotOp {
  readonly op: string;
  readonly points?: readonly Point[];
  readonly pt?: Point;
  readonly text?: string;
}
interface DotObject {
  readonly name: string;
  readonly pos: string;
  readonly width: string;
  readonly height: string;
}
interface DotEdge {
  readonly id: string;
  readonly _draw_: readonly XdotOp[];
  readonly _hdraw_?: readonly XdotOp[];
  readonly _ldraw_?: readonly XdotOp[];
}
interface DotJson {
  readonly bb: string;
  readonly objects?: readonly DotObject[];
  readonly edges?: readonly DotEdge[];
}

/**
 * Courier in dot's text-width tables is 0.6 em per character, as are the
 * monospace fonts the page draws with, so the boxes dot sizes fit the text
 * the browser draws. The page's style uses the same sizes.
 */
const NODE_FONT = 11;
const EDGE_FONT = 10;
const MARGIN = 8;

function guardName(g: unknown): string | undefined {
  if (typeof g === 'string') return g;
  if (g && typeof g === 'object' && typeof (g as { type?: unknown }).type === 'string') return (g as { type: string }).type;
  return undefined;
}

/** A DOT string; a newline becomes dot's own line break `\n`. */
const quote = (s: string) => `"${s.replace(/[\\"]/g, (c) => `\\${c}`).replace(/\n/g, '\\n')}"`;
const round = (n: number) => Math.round(n * 10) / 10;

interface Merged {
  readonly ids: string[];
  readonly from: string;
  readonly to: string;
  readonly labels: string[];
}

/** Transitions merged per (source, target), in definition order. */
function mergedEdges(states: Record<string, NodeLike>): Merged[] {
  const merged = new Map<string, Merged>();
  const add = (id: string, from: string, to: string, label: string) => {
    const k = `${from}\u0000${to}`;
    const m = merged.get(k) ?? { ids: [], from, to, labels: [] };
    m.ids.push(id);
    if (!m.labels.includes(label)) m.labels.push(label);
    merged.set(k, m);
  };
  for (const [name, node] of Object.entries(states)) {
    for (const t of node.always ?? []) for (const target of t.target ?? []) add(transitionId(t), name, target.key, guardName(t.guard) ?? 'else');
    for (const list of node.transitions.values()) for (const t of list) for (const target of t.target ?? []) add(transitionId(t), name, target.key, t.eventType);
  }
  return [...merged.values()];
}

function dotSource(machine: DmaMachine, states: Record<string, NodeLike>, initial: string, edges: readonly Merged[]): string {
  const lines = [
    `digraph ${quote(machine.id)} {`,
    'graph [rankdir=TB, nodesep=0.3, ranksep=0.35];',
    `node [shape=box, fontname="Courier", fontsize=${NODE_FONT}, height=0.36, margin="0.12,0.04"];`,
    `edge [fontname="Courier", fontsize=${EDGE_FONT}, arrowsize=0.7];`,
  ];
  // The initial state first, so that dot puts it on the top rank.
  for (const name of [initial, ...Object.keys(states).filter((n) => n !== initial)]) lines.push(`${quote(name)};`);
  edges.forEach((e, i) => lines.push(`${quote(e.from)} -> ${quote(e.to)} [id="e${i}", label=${quote(e.labels.join('\n'))}];`));
  lines.push('}');
  return lines.join('\n');
}

function layout(viz: Viz, machine: DmaMachine): MachineDiagram {
  const states = machine.states as unknown as Record<string, NodeLike>;
  const initial = String(machine.config.initial ?? Object.keys(states)[0]);
  const merged = mergedEdges(states);
  const json = viz.renderJSON(dotSource(machine, states, initial, merged)) as DotJson;
  const [, , urx, ury] = json.bb.split(',').map(Number) as [number, number, number, number];
  const x = (v: number) => round(v + MARGIN);
  const y = (v: number) => round(ury - v + MARGIN);
  const pt = ([px, py]: Point) => `${x(px)},${y(py)}`;

  const nodes: DiagramNode[] = (json.objects ?? []).map((o) => {
    const [cx, cy] = o.pos.split(',').map(Number) as [number, number];
    const w = Number(o.width) * 72;
    const h = Number(o.height) * 72;
    const meta = states[o.name]!.meta ?? ({ source: '' } as StateMeta);
    return {
      name: o.name, x: x(cx - w / 2), y: y(cy + h / 2), w: round(w), h: round(h),
      ...(meta.call ? { call: meta.call } : {}), final: states[o.name]!.type === 'final', initial: o.name === initial, source: meta.source ?? '',
    };
  });
  const edges: DiagramEdge[] = (json.edges ?? []).map((e) => {
    const m = merged[Number(e.id.slice(1))]!;
    const spline = e._draw_.find((op) => op.op === 'b')?.points ?? [];
    const head = e._hdraw_?.find((op) => op.op === 'P')?.points ?? [];
    const d = spline.length ? `M${pt(spline[0]!)}` + spline.slice(1).map((p, i) => (i % 3 === 0 ? ' C' : ' ') + pt(p)).join('') : '';
    const label = (e._ldraw_ ?? []).filter((op) => op.op === 'T').map((op) => ({ x: x(op.pt![0]), y: y(op.pt![1]), text: op.text! }));
    return { ids: m.ids, from: m.from, to: m.to, d, head: head.map(pt).join(' '), label };
  });
  return { id: machine.id, width: round(urx + 2 * MARGIN), height: round(ury + 2 * MARGIN), nodes, edges };
}

let viz: Promise<Viz> | undefined;
const laidOut = new WeakMap<DmaMachine, MachineDiagram>();

/**
 * Lay out each machine with dot. The module (a few MB of JavaScript with the
 * WebAssembly inside) is loaded and compiled on first use, not when a
 * command that writes no report starts.
 */
export async function machineDiagrams(machines: readonly DmaMachine[]): Promise<MachineDiagram[]> {
  const v = await (viz ??= import('@viz-js/viz').then((m) => m.instance()));
  return machines.map((m) => {
    const d = laidOut.get(m) ?? layout(v, m);
    laidOut.set(m, d);
    return d;
  });
}
