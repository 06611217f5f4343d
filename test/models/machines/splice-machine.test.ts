/**
 * spliceMachine(): a callee's states under a prefix inside a caller's
 * machine, targets rewritten, metas and finals kept; shown on a toy callee
 * and on the real front end (dma_alloc_attrs around dma_direct_alloc).
 */
import { describe, expect, it } from 'vitest';
import { dmaSetup, initialContext, type DmaMachine, type StateMeta } from '../../../models/machines/dma-setup.ts';
import { spliceMachine } from '../../../models/machines/splice-machine.ts';
import { versionById } from '../../../models/versions.ts';
import { driveMachine } from '../../helpers/drive.ts';

const callee = dmaSetup.createMachine({
  id: 'callee',
  initial: 'start',
  context: initialContext,
  states: {
    start: {
      meta: { source: 'callee.c:1 callee(): decide' } satisfies StateMeta,
      always: [{ guard: 'forceDmaUnencrypted', actions: 'setCcShared', target: 'work' }, { target: 'done' }],
    },
    work: {
      meta: { source: 'callee.c:2 callee(): work', call: 'alloc_pages_node' } satisfies StateMeta,
      on: { BUDDY_PAGE: 'done', BUDDY_FAILED: { target: 'failed' } },
    },
    done: { type: 'final', meta: { source: 'callee.c:3 callee(): return page', returns: 'page' } satisfies StateMeta },
    failed: { type: 'final', meta: { source: 'callee.c:4 callee(): return NULL', returns: 'null' } satisfies StateMeta },
  },
}) as DmaMachine;

function caller(): DmaMachine {
  const s = spliceMachine(callee);
  return dmaSetup.createMachine({
    id: 'caller',
    initial: 'start',
    context: initialContext,
    states: {
      start: { meta: { source: 'caller.c:1 caller(): call callee' } satisfies StateMeta, always: [{ target: s.entry }] },
      ...(s.states as {}),
    },
  }) as DmaMachine;
}

describe('spliceMachine', () => {
  it('renames every state under the callee id and rewrites string and object targets', () => {
    const s = spliceMachine(callee);
    expect(s.entry).toBe('callee:start');
    expect(Object.keys(s.states)).toEqual(['callee:start', 'callee:work', 'callee:done', 'callee:failed']);
    const work = s.states['callee:work'] as { on: Record<string, unknown>; meta: StateMeta };
    expect(work.on).toEqual({ BUDDY_PAGE: 'callee:done', BUDDY_FAILED: { target: 'callee:failed' } });
    expect(work.meta.source).toBe('callee.c:2 callee(): work');
    const start = s.states['callee:start'] as { always: unknown[] };
    expect(start.always).toEqual([{ guard: 'forceDmaUnencrypted', actions: 'setCcShared', target: 'callee:work' }, { target: 'callee:done' }]);
    expect((s.states['callee:done'] as { type: string }).type).toBe('final');
  });

  it('takes another prefix', () => {
    expect(Object.keys(spliceMachine(callee, 'x_').states)).toEqual(['x_start', 'x_work', 'x_done', 'x_failed']);
  });

  it('leaves the callee untouched', () => {
    spliceMachine(callee);
    expect(Object.keys(callee.config.states!)).toEqual(['start', 'work', 'done', 'failed']);
  });

  it('gives a caller that behaves as the callee, guards and actions included', () => {
    expect(driveMachine(caller(), { F: true }, ['BUDDY_FAILED'])).toMatchObject({ path: ['callee:work', 'callee:failed'], end: 'callee:failed', locals: { ccShared: true } });
    expect(driveMachine(caller(), { F: false }, []).path).toEqual(['callee:done']);
  });

  it('refuses a target it cannot rewrite', () => {
    const odd = dmaSetup.createMachine({
      id: 'odd', initial: 'a', context: initialContext,
      states: { a: { meta: { source: 'x' }, always: [{ target: '#odd.b' }] }, b: { type: 'final', meta: { source: 'y', returns: 'void' } } },
    }) as DmaMachine;
    expect(() => spliceMachine(odd)).toThrow("odd: cannot splice target '#odd.b' (only sibling state names are rewritten)");
  });

  it('splices the version\'s dma_direct_alloc, with its guard changes, into dma_alloc_attrs', () => {
    for (const vid of ['baseline', 'v2-p4', 'v7.3']) {
      const v = versionById(vid)!;
      const direct = Object.keys(v.machines.dma_direct_alloc.config.states!);
      const front = Object.keys(v.machines.dma_alloc_attrs.config.states!);
      expect(front.filter((n) => n.startsWith('dma_direct_alloc:'))).toEqual(direct.map((n) => `dma_direct_alloc:${n}`));
      // v2-p4's is_dma_decrypted() reaches the spliced remap prot: a restricted-pool device on a non-coherent platform
      const input = { F: false, R: true, C: false, remapConfig: true, coherentPoolConfig: true };
      const d = driveMachine(v.machines.dma_direct_alloc, input, ['SWIOTLB_ALLOC_OK']);
      const f = driveMachine(v.machines.dma_alloc_attrs, input, ['SWIOTLB_ALLOC_OK']);
      expect(f.path, vid).toEqual(d.path.map((n) => `dma_direct_alloc:${n}`));
      expect(f.locals, vid).toEqual(d.locals);
      // the guard change is what makes the difference: v2-p4 remaps a restricted-pool slot decrypted, baseline does not
      if (vid !== 'v7.3') expect(f.locals.protDecrypted, vid).toBe(vid === 'v2-p4');
    }
  });
});
