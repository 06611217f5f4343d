/**
 * A machine drawn as boxes and arrows for the HTML report: states laid out
 * in layers by their longest distance from the initial state (back edges
 * ignored), ordered within a layer to keep arrows short, and edges merged
 * per (source, target) with their labels. Edge ids are the coverage ids of
 * models/coverage.ts, so a trace's path (also coverage ids) highlights them.
 *
 * Plain data out: the page's script turns it into SVG.
 */
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

export interface DiagramEdge {
  /** coverage ids of the transitions drawn by this arrow */
  readonly ids: readonly string[];
  readonly from: string;
  readonly to: string;
  /** events, or guard names of eventless transitions (`else` for the fallback) */
  readonly label: string;
  /** SVG path data */
  readonly d: string;
  readonly lx: number;
  readonly ly: number;
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

const NODE_H = 28;
const LAYER_GAP = 64;
const NODE_GAP = 28;
const MARGIN = 20;
const CHAR_W = 7;

function guardName(g: unknown): string | undefined {
  if (typeof g === 'string') return g;
  if (g && typeof g === 'object' && typeof (g as { type?: unknown }).type === 'string') return (g as { type: string }).type;
  return undefined;
}

export function machineDiagram(machine: DmaMachine): MachineDiagram {
  const states = machine.states as unknown as Record<string, NodeLike>;
  const names = Object.keys(states);
  const initial = String(machine.config.initial ?? names[0]);
  const raw: { id: string; from: string; to: string; label: string }[] = [];
  for (const name of names) {
    const node = states[name]!;
    for (const t of node.always ?? [])
      for (const target of t.target ?? []) raw.push({ id: transitionId(t), from: name, to: target.key, label: guardName(t.guard) ?? 'else' });
    for (const list of node.transitions.values())
      for (const t of list) for (const target of t.target ?? []) raw.push({ id: transitionId(t), from: name, to: target.key, label: t.eventType });
  }
  const succ = new Map<string, string[]>(names.map((n) => [n, []]));
  for (const e of raw) if (!succ.get(e.from)!.includes(e.to)) succ.get(e.from)!.push(e.to);

  // Back edges by DFS from the initial state, then longest-path layers over the rest.
  const back = new Set<string>();
  const color = new Map<string, 0 | 1 | 2>();
  const dfs = (n: string) => {
    color.set(n, 1);
    for (const m of succ.get(n)!) {
      const c = color.get(m) ?? 0;
      if (c === 1) back.add(`${n}\u0000${m}`);
      else if (c === 0) dfs(m);
    }
    color.set(n, 2);
  };
  dfs(initial);
  for (const n of names) if (!color.get(n)) dfs(n);
  const layer = new Map<string, number>();
  const order: string[] = [];
  const seen = new Set<string>();
  const topo = (n: string) => {
    if (seen.has(n)) return;
    seen.add(n);
    for (const m of succ.get(n)!) if (!back.has(`${n}\u0000${m}`)) topo(m);
    order.push(n);
  };
  topo(initial);
  for (const n of names) topo(n);
  order.reverse();
  for (const n of order) {
    const l = layer.get(n) ?? 0;
    layer.set(n, l);
    for (const m of succ.get(n)!) if (!back.has(`${n}\u0000${m}`)) layer.set(m, Math.max(layer.get(m) ?? 0, l + 1));
  }
  const depth = Math.max(...layer.values()) + 1;
  const layers: string[][] = Array.from({ length: depth }, () => []);
  for (const n of names) layers[layer.get(n)!]!.push(n);

  // Barycentre sweeps: order each layer by the mean position of its predecessors.
  const pos = new Map<string, number>();
  const setPos = () => layers.forEach((l) => l.forEach((n, i) => pos.set(n, i - (l.length - 1) / 2)));
  setPos();
  const preds = new Map<string, string[]>(names.map((n) => [n, []]));
  for (const [n, ms] of succ) for (const m of ms) preds.get(m)!.push(n);
  for (let sweep = 0; sweep < 4; sweep++) {
    for (let i = 1; i < depth; i++) {
      const bary = (n: string) => {
        const ps = preds.get(n)!.filter((p) => layer.get(p)! < i);
        return ps.length ? ps.reduce((s, p) => s + pos.get(p)!, 0) / ps.length : pos.get(n)!;
      };
      const keyed = layers[i]!.map((n, k) => ({ n, b: bary(n), k }));
      keyed.sort((a, b) => a.b - b.b || a.k - b.k);
      layers[i] = keyed.map((x) => x.n);
      layers[i]!.forEach((n, k) => pos.set(n, k - (layers[i]!.length - 1) / 2));
    }
  }

  const widthOf = (n: string) => Math.max(90, n.length * CHAR_W + 20);
  const rowWidth = (l: string[]) => l.reduce((s, n) => s + widthOf(n), 0) + NODE_GAP * Math.max(0, l.length - 1);
  const width = Math.max(...layers.map(rowWidth)) + 2 * MARGIN + 160;
  const nodes: DiagramNode[] = [];
  const at = new Map<string, DiagramNode>();
  layers.forEach((l, i) => {
    let x = (width - 160 - rowWidth(l)) / 2;
    for (const n of l) {
      const meta = states[n]!.meta ?? ({ source: '' } as StateMeta);
      const node: DiagramNode = {
        name: n, x: Math.round(x), y: MARGIN + i * (NODE_H + LAYER_GAP), w: widthOf(n), h: NODE_H,
        ...(meta.call ? { call: meta.call } : {}), final: states[n]!.type === 'final', initial: n === initial, source: meta.source ?? '',
      };
      nodes.push(node);
      at.set(n, node);
      x += widthOf(n) + NODE_GAP;
    }
  });
  const height = MARGIN * 2 + depth * (NODE_H + LAYER_GAP) - LAYER_GAP;

  const merged = new Map<string, { ids: string[]; from: string; to: string; labels: string[] }>();
  for (const e of raw) {
    const k = `${e.from}\u0000${e.to}`;
    const m = merged.get(k) ?? { ids: [], from: e.from, to: e.to, labels: [] };
    m.ids.push(e.id);
    if (!m.labels.includes(e.label)) m.labels.push(e.label);
    merged.set(k, m);
  }
  const edges: DiagramEdge[] = [];
  for (const m of merged.values()) {
    const a = at.get(m.from)!;
    const b = at.get(m.to)!;
    let d: string;
    let lx: number;
    let ly: number;
    if (m.from === m.to) {
      const x = a.x + a.w;
      const y = a.y + a.h / 2;
      d = `M${x},${y - 6} C${x + 40},${y - 30} ${x + 40},${y + 30} ${x},${y + 6}`;
      lx = x + 34;
      ly = y;
    } else if (b.y > a.y) {
      const x1 = a.x + a.w / 2;
      const y1 = a.y + a.h;
      const x2 = b.x + b.w / 2;
      const y2 = b.y;
      const my = (y1 + y2) / 2;
      d = `M${x1},${y1} C${x1},${my} ${x2},${my} ${x2},${y2}`;
      lx = (x1 + x2) / 2;
      ly = my;
    } else {
      // Upward or sideways: leave and enter on the right, bulging out.
      const x1 = a.x + a.w;
      const y1 = a.y + a.h / 2;
      const x2 = b.x + b.w;
      const y2 = b.y + b.h / 2;
      const bulge = Math.max(x1, x2) + 60 + Math.abs(y1 - y2) / 8;
      d = `M${x1},${y1} C${bulge},${y1} ${bulge},${y2} ${x2},${y2}`;
      lx = bulge - 10;
      ly = (y1 + y2) / 2;
    }
    edges.push({ ids: m.ids, from: m.from, to: m.to, label: m.labels.join(' / '), d, lx: Math.round(lx), ly: Math.round(ly) });
  }
  return { id: machine.id, width: Math.round(width), height, nodes, edges };
}
