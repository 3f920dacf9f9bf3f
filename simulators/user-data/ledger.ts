/**
 * What the user-data simulator saw: requests, what it answered, and how many user ids they carried —
 * so a test can assert "one request per page" and "nothing was answered while it was down".
 */
export const USER_DATA_OUTCOMES = [
  /** 200 with contexts. */
  'answered',
  'invalid',
  'unknown-kind',
  'server-error',
  'timeout',
  'malformed',
  'unavailable',
  'dropped',
  /** The client gave up (closed the connection) before the simulator answered. */
  'abandoned',
] as const;
export type UserDataOutcome = (typeof USER_DATA_OUTCOMES)[number];

export interface UserDataSimulatorStats {
  /** Context requests received (any outcome). */
  requests: number;
  inFlight: number;
  maxInFlight: number;
  outcomes: Record<UserDataOutcome, number>;
  /** User ids in answered requests, and of those the ones left out as unknown. */
  userIdsAnswered: number;
  userIdsOmitted: number;
  /** The largest number of user ids one valid request carried. */
  maxBatch: number;
  /** Answered requests per kind. */
  answeredByKind: Record<string, number>;
}

export interface UserDataLedger {
  requestStarted(): void;
  requestEnded(): void;
  /** A valid request's size, whatever it is answered with. */
  batch(size: number): void;
  record(outcome: Exclude<UserDataOutcome, 'answered'>): void;
  answered(kind: string, userIds: number, omitted: number): void;
  snapshot(): UserDataSimulatorStats;
  reset(): void;
}

function zeroOutcomes(): Record<UserDataOutcome, number> {
  return Object.fromEntries(USER_DATA_OUTCOMES.map((o) => [o, 0])) as Record<UserDataOutcome, number>;
}

export function createUserDataLedger(): UserDataLedger {
  let requests = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  let outcomes = zeroOutcomes();
  let userIdsAnswered = 0;
  let userIdsOmitted = 0;
  let maxBatch = 0;
  let answeredByKind = new Map<string, number>();

  return {
    requestStarted() {
      requests += 1;
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
    },
    requestEnded() {
      inFlight -= 1;
    },
    batch(size) {
      maxBatch = Math.max(maxBatch, size);
    },
    record(outcome) {
      outcomes[outcome] += 1;
    },
    answered(kind, userIds, omitted) {
      outcomes.answered += 1;
      userIdsAnswered += userIds;
      userIdsOmitted += omitted;
      answeredByKind.set(kind, (answeredByKind.get(kind) ?? 0) + 1);
    },
    snapshot: () => ({
      requests, inFlight, maxInFlight, outcomes: { ...outcomes }, userIdsAnswered, userIdsOmitted, maxBatch,
      answeredByKind: Object.fromEntries(answeredByKind),
    }),
    reset() {
      // In-flight requests keep running across a reset; only the high-water mark restarts from them.
      requests = 0;
      maxInFlight = inFlight;
      outcomes = zeroOutcomes();
      userIdsAnswered = 0;
      userIdsOmitted = 0;
      maxBatch = 0;
      answeredByKind = new Map();
    },
  };
}
