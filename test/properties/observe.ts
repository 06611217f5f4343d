/** Hand-made observations and platforms for property unit tests. */
import { blankObservation, type Observation } from '../../models/observation.ts';
import { platformById, type Platform } from '../../models/platforms.ts';

/** A blank observation with `fields` set; page 0, held by thread 0 unless overridden. */
export function obs(fields: Partial<Observation>): Observation {
  return { ...blankObservation(), page: 0, ...fields };
}

export function platform(id: string): Platform {
  const p = platformById(id);
  if (!p) throw new Error(`unknown platform ${id}`);
  return p;
}
