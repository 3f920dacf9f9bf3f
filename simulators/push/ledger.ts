import { createRequestTally } from '../shared/request-tally';

/**
 * What the push simulator saw: requests, what it answered, and which device tokens received how many
 * messages — so a test can assert "this token got exactly one push, that one none".
 */
export const PUSH_OUTCOMES = [
  'accepted',
  'unauthorized',
  'invalid',
  'wrong-project',
  'unregistered',
  'server-error',
  'timeout',
  'unavailable',
  'dropped',
  /** The client gave up (closed the connection) before the simulator answered: not accepted. */
  'abandoned',
] as const;
export type PushOutcome = (typeof PUSH_OUTCOMES)[number];

export interface AcceptedPush {
  /** The resource name answered: projects/{project}/messages/{id}. */
  name: string;
  token: string;
  title: string;
  body: string;
  data: Record<string, string> | null;
  acceptedAt: number;
}

export interface PushSimulatorStats {
  /** Send requests received (any outcome). */
  requests: number;
  inFlight: number;
  maxInFlight: number;
  outcomes: Record<PushOutcome, number>;
  /** Accepted messages per device token. */
  acceptedByToken: Record<string, number>;
}

export interface PushLedger {
  requestStarted(): void;
  requestEnded(): void;
  record(outcome: Exclude<PushOutcome, 'accepted'>): void;
  /** Records an accepted message and returns its resource name. */
  accept(project: string, message: Omit<AcceptedPush, 'name' | 'acceptedAt'>, now: number): string;
  /** Accepted messages, oldest first (at most the last 10,000). */
  messages(token?: string): AcceptedPush[];
  snapshot(): PushSimulatorStats;
  reset(): void;
}

const MAX_KEPT_MESSAGES = 10_000;

export function createPushLedger(): PushLedger {
  const tally = createRequestTally(PUSH_OUTCOMES);
  let acceptedByToken = new Map<string, number>();
  let accepted: AcceptedPush[] = [];
  // Never reset, so a name is never handed out twice in one simulator's life.
  let sequence = 0;

  return {
    requestStarted: tally.requestStarted,
    requestEnded: tally.requestEnded,
    record: tally.record,
    accept(project, message, now) {
      sequence += 1;
      const name = `projects/${project}/messages/${now}-${sequence}`;
      tally.record('accepted');
      acceptedByToken.set(message.token, (acceptedByToken.get(message.token) ?? 0) + 1);
      accepted.push({ ...message, name, acceptedAt: now });
      if (accepted.length > MAX_KEPT_MESSAGES) accepted.shift();
      return name;
    },
    messages: (token) => accepted.filter((m) => token === undefined || m.token === token).map((m) => ({ ...m })),
    snapshot: () => ({ ...tally.snapshot(), acceptedByToken: Object.fromEntries(acceptedByToken) }),
    reset() {
      tally.reset();
      acceptedByToken = new Map();
      accepted = [];
    },
  };
}
