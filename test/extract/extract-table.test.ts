import { describe, expect, it } from 'vitest';
import { ATTR_BITS, CALLER_ATTRS, EXPRESSIONS, FUNCTIONS, LOCALS, RETURNS } from '../../models/extract-table.ts';
import { ENTRY_POINTS, FRONT_END } from '../../models/versions.ts';
import { dmaSetup, GUARD_C, initialContext, INPUT_KEYS, LOCAL_KEYS } from '../../models/machines/dma-setup.ts';
import { OUTCOME_EVENTS } from '../../models/vocabulary.ts';

const ACTIONS = new Set(Object.keys(dmaSetup.createMachine({ context: initialContext }).implementations.actions));
const entries = [...Object.entries(FUNCTIONS), ...Object.entries(EXPRESSIONS)];

describe('the lookup table', () => {
  it('names only guards, actions and events that dmaSetup and the vocabulary define', () => {
    const bad: string[] = [];
    for (const [key, e] of entries) {
      if (e.meaning === 'predicate' && 'guard' in e && !(e.guard in GUARD_C)) bad.push(`${key}: guard ${e.guard}`);
      if (e.meaning === 'action' && !ACTIONS.has(e.action)) bad.push(`${key}: action ${e.action}`);
      if (e.meaning === 'call') {
        for (const o of e.outcomes) {
          if (!OUTCOME_EVENTS.includes(o.event)) bad.push(`${key}: event ${o.event}`);
          const set = o.action && /^set:(\w+)=(true|false)$/.exec(o.action);
          if (o.action && !ACTIONS.has(o.action) && !(set && (LOCAL_KEYS as readonly string[]).includes(set[1]!))) bad.push(`${key}: action ${o.action}`);
        }
      }
    }
    expect(bad).toEqual([]);
    expect(ACTIONS.has('usePhysToDmaUnencrypted')).toBe(true);
  });

  it('gives each call at least one outcome, with distinct events, and each abstraction its text', () => {
    for (const [key, e] of entries) {
      if (e.meaning === 'call') {
        expect(e.outcomes.length, key).toBeGreaterThan(0);
        expect(new Set(e.outcomes.map((o) => o.event)).size, key).toBe(e.outcomes.length);
      }
      if (e.meaning === 'abstraction') expect(e.abstraction.length, key).toBeGreaterThan(20);
    }
  });

  it('keeps control-flow locals in MachineLocals fields, and has a return rule for every kind a call or value can produce', () => {
    for (const l of Object.values(LOCALS)) expect(LOCAL_KEYS).toContain(l.field);
    const kinds = new Set<string>();
    for (const [, e] of entries) {
      if (e.meaning === 'call') for (const o of e.outcomes) { if (o.value.kind) kinds.add(o.value.kind); if (o.out?.value.kind) kinds.add(o.out.value.kind); }
      if ((e.meaning === 'pure' || e.meaning === 'abstraction') && e.value.kind) kinds.add(e.value.kind);
    }
    // 'err' is only ever tested with IS_ERR, never returned
    const returned = new Set(RETURNS.map((r) => r.kind));
    expect([...kinds].filter((k) => !returned.has(k) && k !== 'err').sort()).toEqual([]);
  });

  it('gives each attrs bit a context field with its guard, an input, or the reason it is taken as clear; bit tests of table calls name known bits', () => {
    for (const [bit, b] of Object.entries(ATTR_BITS)) {
      if ('field' in b) {
        expect(LOCAL_KEYS, bit).toContain(b.field);
        expect(b.guard in GUARD_C, bit).toBe(true);
      } else if ('input' in b) {
        expect(INPUT_KEYS, bit).toContain(b.input);
      } else {
        expect(b.clear.length, bit).toBeGreaterThan(20);
      }
    }
    const tested = entries.flatMap(([, e]) => (e.meaning === 'action' && e.whenAttrs ? e.whenAttrs.bits : []));
    expect(tested.length).toBeGreaterThan(0);
    expect(tested.filter((b) => !ATTR_BITS[b])).toEqual([]);
  });

  it('names only modelled entry points as entries (every dma_direct_* function a front end calls), and caller attrs bits as context fields with an input', () => {
    const named = entries.flatMap(([key, e]) => (e.meaning === 'entry' ? [[key, e.entry]] : []));
    expect(named.filter(([, entry]) => !(ENTRY_POINTS as readonly string[]).includes(entry!))).toEqual([]);
    for (const callee of Object.values(FRONT_END)) if (callee) expect(named.map(([key]) => key)).toContain(callee);
    for (const [entry, c] of Object.entries(CALLER_ATTRS)) {
      expect(ENTRY_POINTS, entry).toContain(entry);
      expect(LOCAL_KEYS, entry).toContain(c.field);
      expect(INPUT_KEYS, entry).toContain(c.input);
      expect(Object.values(ATTR_BITS).some((b) => 'field' in b && b.field === c.field), entry).toBe(true);
    }
  });
});
