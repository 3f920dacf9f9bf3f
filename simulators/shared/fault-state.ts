import type { Logger } from '../../platform/logger';
import { createSeededRandom } from './seeded-random';

type ApplyPatch<F> = (current: F, input: unknown, now: number) => { faults: F; seed?: number };

export interface FaultStateOptions<F> {
  /** The simulator's "no faults" defaults and its validating patch function. */
  none: Readonly<F>;
  applyPatch: ApplyPatch<F>;
  /** The start faults (restore() returns to them, without the outage) and seed. */
  initial?: unknown;
  seed?: number;
  now: () => number;
  log: Logger;
}

/** The faults in force and the seeded draws behind them, as every provider simulator keeps them. */
export interface FaultState<F> {
  /** A copy of the faults in force. */
  faults(): F;
  /** The faults in force with the seed of their draws: what GET /_control/faults answers. */
  current(): F & { seed: number };
  /** The next uniform draw in [0, 1). */
  random(): number;
  /** Validates and applies a patch (a seed in it restarts the draws); answers like current(). */
  apply(patch: unknown): F & { seed: number };
  /** Back to the start faults and seed; an outage in force ends. */
  restore(): void;
}

export function createFaultState<F extends { outage: unknown }>(options: FaultStateOptions<F>): FaultState<F> {
  const { applyPatch, now, log } = options;
  const initial = applyPatch(options.none as F, options.initial ?? {}, now());
  const initialSeed = initial.seed ?? options.seed ?? 1;
  let faults = initial.faults;
  let seed = initialSeed;
  let random = createSeededRandom(seed);
  const reseed = (next: number) => {
    seed = next;
    random = createSeededRandom(seed);
  };
  return {
    faults: () => ({ ...faults }),
    current: () => ({ ...faults, seed }),
    random: () => random(),
    apply(patch) {
      const applied = applyPatch(faults, patch, now());
      faults = applied.faults;
      if (applied.seed !== undefined) reseed(applied.seed);
      log.info({ faults, seed }, 'faults changed');
      return { ...faults, seed };
    },
    restore() {
      faults = { ...initial.faults, outage: null };
      reseed(initialSeed);
    },
  };
}
