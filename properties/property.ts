/**
 * What a property is: a named rule checked on every observation a step
 * makes. A violation is `effective` when the platform makes it observable
 * and `latent` when it does not (e.g. a prot mismatch where
 * pgprot_decrypted() is the identity).
 */
import type { Observation } from '../models/observation.ts';
import type { Platform } from '../models/platforms.ts';

export const Severity = { NONE: 0, EFFECTIVE: 1, LATENT: 2 } as const;
export type Severity = (typeof Severity)[keyof typeof Severity];
export const SEVERITY_NAMES = ['none', 'effective', 'latent'] as const;

export interface Property {
  /** id used everywhere: file name, report key, CLI filter */
  readonly id: string;
  /** the kernel rule, in one sentence */
  readonly rule: string;
  /** severity of the violation this observation shows, or NONE */
  check(o: Observation, platform: Platform): Severity;
  /** one sentence saying what went wrong, for traces */
  explain(o: Observation, pageName: string): string;
}

/** EFFECTIVE when `observable`, else LATENT. */
export function severity(observable: boolean): Severity {
  return observable ? Severity.EFFECTIVE : Severity.LATENT;
}
