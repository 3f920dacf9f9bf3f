/**
 * The counters every provider simulator's ledger keeps: requests received, in flight (and the most at
 * once), and how many ended in each outcome. Each ledger adds what is particular to its provider.
 */
export interface RequestTally<O extends string> {
  requestStarted(): void;
  requestEnded(): void;
  record(outcome: O): void;
  count(outcome: O): number;
  snapshot(): { requests: number; inFlight: number; maxInFlight: number; outcomes: Record<O, number> };
  reset(): void;
}

export function createRequestTally<O extends string>(names: readonly O[]): RequestTally<O> {
  const zero = () => Object.fromEntries(names.map((o) => [o, 0])) as Record<O, number>;
  let requests = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  let outcomes = zero();
  return {
    requestStarted() {
      requests += 1;
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
    },
    requestEnded() {
      inFlight -= 1;
    },
    record(outcome) {
      outcomes[outcome] += 1;
    },
    count: (outcome) => outcomes[outcome],
    snapshot: () => ({ requests, inFlight, maxInFlight, outcomes: { ...outcomes } }),
    reset() {
      // In-flight requests keep running across a reset; only the high-water mark restarts from them.
      requests = 0;
      maxInFlight = inFlight;
      outcomes = zero();
    },
  };
}
