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

function zeroOutcomes(): Record<PushOutcome, number> {
  return Object.fromEntries(PUSH_OUTCOMES.map((o) => [o, 0])) as Record<PushOutcome, number>;
}

export function createPushLedger(): PushLedger {
  let requests = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  let outcomes = zeroOutcomes();
  let acceptedByToken = new Map<string, number>();
  let accepted: AcceptedPush[] = [];
  // Never reset, so a name is never handed out twice in one simulator's life.
  let sequence = 0;

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
    accept(project, message, now) {
      sequence += 1;
      const name = `projects/${project}/messages/${now}-${sequence}`;
      outcomes.accepted += 1;
      acceptedByToken.set(message.token, (acceptedByToken.get(message.token) ?? 0) + 1);
      accepted.push({ ...message, name, acceptedAt: now });
      if (accepted.length > MAX_KEPT_MESSAGES) accepted.shift();
      return name;
    },
    messages: (token) => accepted.filter((m) => token === undefined || m.token === token).map((m) => ({ ...m })),
    snapshot: () => ({
      requests,
      inFlight,
      maxInFlight,
      outcomes: { ...outcomes },
      acceptedByToken: Object.fromEntries(acceptedByToken),
    }),
    reset() {
      // In-flight requests keep running across a reset; only the high-water mark restarts from them.
      requests = 0;
      maxInFlight = inFlight;
      outcomes = zeroOutcomes();
      acceptedByToken = new Map();
      accepted = [];
    },
  };
}
