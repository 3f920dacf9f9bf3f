import { createRequestTally } from '../shared/request-tally';

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

export function createUserDataLedger(): UserDataLedger {
  const tally = createRequestTally(USER_DATA_OUTCOMES);
  let userIdsAnswered = 0;
  let userIdsOmitted = 0;
  let maxBatch = 0;
  let answeredByKind = new Map<string, number>();

  return {
    requestStarted: tally.requestStarted,
    requestEnded: tally.requestEnded,
    batch(size) {
      maxBatch = Math.max(maxBatch, size);
    },
    record: tally.record,
    answered(kind, userIds, omitted) {
      tally.record('answered');
      userIdsAnswered += userIds;
      userIdsOmitted += omitted;
      answeredByKind.set(kind, (answeredByKind.get(kind) ?? 0) + 1);
    },
    snapshot: () => ({
      ...tally.snapshot(), userIdsAnswered, userIdsOmitted, maxBatch,
      answeredByKind: Object.fromEntries(answeredByKind),
    }),
    reset() {
      tally.reset();
      userIdsAnswered = 0;
      userIdsOmitted = 0;
      maxBatch = 0;
      answeredByKind = new Map();
    },
  };
}
