import { describe, expect, it } from 'vitest';
import { dmaSetup, initialContext, INPUT_KEYS } from '../../models/machines/dma-setup.ts';
import { versionById } from '../../models/versions.ts';
import { firstRunDifference, inputKeysRead, machineDifference, machineRuns } from '../../src/extract/machine-runs.ts';

const machines = (v: string) => versionById(v)!.machines;

describe('machine run sets', () => {
  it('reads the input keys of named guards, of guards a version provides (closures over other predicates), and of assignments', () => {
    expect(inputKeysRead(machines('baseline').dma_direct_map_phys)).toEqual(['forceBounce']);
    expect(inputKeysRead(machines('baseline').dma_direct_free_pages)).toEqual(['F', 'coherentPoolConfig']);
    // v2-p4 provides dmaOwnsDecryption = F && !R: its R is found by following each read both ways
    expect(inputKeysRead(machines('v2-p4').dma_direct_free_pages)).toEqual(['F', 'R', 'coherentPoolConfig']);
    // takeNonCoherentStrategy assigns remap and set_uncached from the configuration
    expect(inputKeysRead(machines('baseline').dma_direct_alloc)).toEqual(
      ['F', 'R', 'C', 'B', 'NKM', 'remapConfig', 'coherentPoolConfig', 'setUncachedConfig', 'highmemCmaConfig']);
  });

  it('an action that is not an assignment may read anything: every input key', () => {
    const m = dmaSetup.createMachine({
      id: 'opaque', initial: 'a', context: initialContext,
      states: {
        a: { meta: { source: 'a' }, always: [{ target: 'b', actions: () => undefined }] },
        b: { type: 'final', meta: { source: 'b', returns: 'void' } },
      },
    });
    expect(inputKeysRead(m)).toEqual([...INPUT_KEYS]);
  });

  it('a version against itself has no difference; baseline and v2-p4 differ first where only R is set, in the free', () => {
    expect(machineDifference(machines('v2-p4').dma_direct_free_pages, machines('v2-p4').dma_direct_free_pages)).toBeUndefined();
    expect(machineDifference(machines('baseline').dma_direct_free_pages, machines('v2-p4').dma_direct_free_pages)).toEqual({
      input: ['F', 'R'],
      onlyLeft: 'set_memory_encrypted:SET_ENCRYPTED_FAILED void leak locals=-',
      onlyRight: '__dma_direct_free_pages:PAGES_FREED void locals=-',
    });
    const keys = ['F', 'R'] as const;
    const runs = machineRuns(machines('baseline').dma_direct_free_pages, keys);
    expect([...runs.keys()]).toEqual([0, 1, 2, 3]);
    expect(firstRunDifference(runs, runs)).toBeUndefined();
  });
});
