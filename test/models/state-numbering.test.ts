/**
 * A thread record numbers only the states where a machine waits for a
 * call's outcome or ends (models/step-cache.ts): an extracted machine, whose
 * every decision is a state, may have more states than a record can number
 * as long as its resting states fit.
 */
import { describe, expect, it } from 'vitest';
import { dmaSetup, initialContext, type DmaMachine } from '../../models/machines/dma-setup.ts';
import { CompiledMachine, MAX_STEP_STATES, packInput, unpackInput } from '../../models/step-cache.ts';
import { EVENT_ID } from '../../models/vocabulary.ts';
import { MAX_MACHINE_STATES } from '../../models/world.ts';

/**
 * `decisions` eventless states in a chain that tests F at each, then
 * `calls` call states one after the other, each SET_DECRYPTED_OK to the next and
 * SET_DECRYPTED_FAILED to `fail`, then `done`.
 */
function chain(decisions: number, calls: number): DmaMachine {
  const states: Record<string, object> = {};
  for (let i = 0; i < decisions; i++) {
    const next = i + 1 < decisions ? `d${i + 1}` : 'c0';
    states[`d${i}`] = { meta: { source: `decision ${i}` }, always: [{ guard: 'forceDmaUnencrypted', target: next }, { target: next }] };
  }
  for (let i = 0; i < calls; i++) {
    states[`c${i}`] = {
      meta: { source: `call ${i}`, call: 'set_memory_decrypted' },
      on: { SET_DECRYPTED_OK: i + 1 < calls ? `c${i + 1}` : 'done', SET_DECRYPTED_FAILED: 'fail' },
    };
  }
  states['done'] = { type: 'final', meta: { source: 'done', returns: 'void' } };
  states['fail'] = { type: 'final', meta: { source: 'fail', returns: 'void' } };
  return dmaSetup.createMachine({ id: 'numbering', initial: decisions ? 'd0' : 'c0', context: initialContext, states: states as never });
}

describe('state numbering', () => {
  it('a machine larger than a thread record numbers its resting states first and runs', () => {
    const m = new CompiledMachine(chain(100, 3));
    expect(m.stateNames).toHaveLength(105);
    expect(m.stateNames.slice(0, 5)).toEqual(['c0', 'c1', 'c2', 'done', 'fail']);
    const start = m.start(packInput({ ...unpackInput(0), F: true }));
    expect(m.stateNames[start & 255]).toBe('c0');
    const ok = EVENT_ID['SET_DECRYPTED_OK'];
    const s1 = m.step(start & 255, 0, ok);
    const s2 = m.step(s1 & 255, 0, ok);
    const end = m.step(s2 & 255, 0, ok);
    expect(m.stateNames[end & 255]).toBe('done');
    expect(m.finals[end & 255]).toBe(true);
    expect(m.stateNames[m.step(start & 255, 0, EVENT_ID['SET_DECRYPTED_FAILED']) & 255]).toBe('fail');
  });

  it('a machine that fits keeps its definition order', () => {
    const m = new CompiledMachine(chain(3, 2));
    expect(m.stateNames).toEqual(['d0', 'd1', 'd2', 'c0', 'c1', 'done', 'fail']);
  });

  it('refuses more resting states than a record numbers, and more states than a cached step numbers', () => {
    expect(() => new CompiledMachine(chain(0, MAX_MACHINE_STATES))).toThrow(/64 where the machine waits or ends.*at most 62/);
    expect(() => new CompiledMachine(chain(0, MAX_MACHINE_STATES - 2))).not.toThrow();
    expect(() => new CompiledMachine(chain(MAX_STEP_STATES, 2))).toThrow(/at most 256/);
  });
});
