/**
 * Composition of machine configurations: the states of one machine spliced
 * into another under a prefix, so that a caller's machine (a mapping.c
 * front end) contains the machine of the function it calls (a dma_direct_*
 * entry point) as the C does. Every spliced state keeps its `meta` (a trace
 * through the callee still cites the callee's file and line); every target
 * inside the callee is rewritten to the prefixed name; the callee's final
 * states stay final (the caller returns what the callee returned).
 *
 * Guards and actions are named, so the spliced states use the caller's
 * implementations: splice a version's structure machines before the version
 * provides its guard changes (models/versions.ts), and the changes reach the
 * callee's states inside the caller too.
 */
import type { DmaMachine } from './dma-setup.ts';

/** A spliced machine: its states under the prefix, and the prefixed name of its initial state. */
export interface Spliced {
  readonly entry: string;
  readonly states: Readonly<Record<string, unknown>>;
}

type Transition = string | { readonly target?: string | readonly string[]; readonly [k: string]: unknown };

/**
 * The states of `callee` renamed `<prefix><name>` (default prefix: the
 * callee's id and a colon, e.g. `dma_direct_alloc:remapping`), with every
 * sibling target rewritten. Throws on target forms it does not rewrite
 * (`#id`, `.child`, nested states), so nothing is spliced half-renamed.
 */
export function spliceMachine(callee: DmaMachine, prefix = `${callee.id}:`): Spliced {
  const config = callee.config as { readonly initial?: unknown; readonly states?: Record<string, Record<string, unknown>> };
  const states = config.states ?? {};
  const names = new Set(Object.keys(states));
  if (typeof config.initial !== 'string' || !names.has(config.initial)) throw new Error(`${callee.id}: no initial state to splice`);
  const rename = (target: string): string => {
    if (!names.has(target)) throw new Error(`${callee.id}: cannot splice target '${target}' (only sibling state names are rewritten)`);
    return `${prefix}${target}`;
  };
  const retarget = (t: Transition): Transition => {
    if (typeof t === 'string') return rename(t);
    if (t.target === undefined) return t;
    return { ...t, target: typeof t.target === 'string' ? rename(t.target) : t.target.map(rename) };
  };
  const retargetAll = (ts: unknown): unknown => (Array.isArray(ts) ? ts.map((t) => retarget(t as Transition)) : retarget(ts as Transition));
  const out: Record<string, unknown> = {};
  for (const [name, node] of Object.entries(states)) {
    if (node['states'] !== undefined) throw new Error(`${callee.id}.${name}: nested states are not spliced`);
    const copy: Record<string, unknown> = { ...node };
    if (node['always'] !== undefined) copy['always'] = retargetAll(node['always']);
    if (node['on'] !== undefined)
      copy['on'] = Object.fromEntries(Object.entries(node['on'] as Record<string, unknown>).map(([ev, ts]) => [ev, retargetAll(ts)]));
    out[`${prefix}${name}`] = copy;
  }
  return { entry: `${prefix}${config.initial}`, states: out };
}
