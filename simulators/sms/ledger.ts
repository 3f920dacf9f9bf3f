/**
 * What the SMS simulator saw: requests, what it answered, and which messages it accepted how often.
 * "Accepted" means answered {"code":0}: the first acceptance of a msgId counts as `accepted`, any
 * later one as `duplicate`, so a test can assert "exactly one accepted per message, no duplicates".
 */
export const SEND_OUTCOMES = [
  'accepted',
  'duplicate',
  'unauthorized',
  'invalid',
  'id-mismatch',
  'server-error',
  'timeout',
  'garbage',
  'body-error',
  'unavailable',
  /** The client gave up (closed the connection) before the simulator answered: not accepted. */
  'abandoned',
] as const;
export type SendOutcome = (typeof SEND_OUTCOMES)[number];

export interface MessageRecord {
  msgId: number;
  requests: number;
  accepted: number;
  phone: number | null;
  text: string | null;
  firstAcceptedAt: number | null;
}

export interface SmsSimulatorStats {
  /** Send requests received (any outcome). */
  requests: number;
  inFlight: number;
  maxInFlight: number;
  outcomes: Record<SendOutcome, number>;
  /** Distinct msgIds accepted. */
  acceptedMessages: number;
  /** Acceptances of an already accepted msgId. */
  duplicateAccepts: number;
  /** The first msgIds accepted more than once (at most 100). */
  duplicateMsgIds: number[];
}

const MAX_LISTED_DUPLICATES = 100;

export interface Ledger {
  requestStarted(): void;
  requestEnded(): void;
  /** Counts a send request naming `msgId` (whatever its outcome). */
  requestFor(msgId: number): void;
  record(outcome: Exclude<SendOutcome, 'accepted' | 'duplicate'>): void;
  /** Records an acceptance; returns true when this msgId had been accepted before. */
  accept(msgId: number, message: { phone: number; text: string }, now: number): boolean;
  message(msgId: number): MessageRecord | undefined;
  snapshot(): SmsSimulatorStats;
  reset(): void;
}

function zeroOutcomes(): Record<SendOutcome, number> {
  return Object.fromEntries(SEND_OUTCOMES.map((o) => [o, 0])) as Record<SendOutcome, number>;
}

export function createLedger(): Ledger {
  let requests = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  let outcomes = zeroOutcomes();
  let messages = new Map<number, MessageRecord>();
  let duplicateMsgIds: number[] = [];

  const entry = (msgId: number): MessageRecord => {
    let record = messages.get(msgId);
    if (!record) {
      record = { msgId, requests: 0, accepted: 0, phone: null, text: null, firstAcceptedAt: null };
      messages.set(msgId, record);
    }
    return record;
  };

  return {
    requestStarted() {
      requests += 1;
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
    },
    requestEnded() {
      inFlight -= 1;
    },
    requestFor(msgId) {
      entry(msgId).requests += 1;
    },
    record(outcome) {
      outcomes[outcome] += 1;
    },
    accept(msgId, message, now) {
      const record = entry(msgId);
      record.accepted += 1;
      if (record.accepted > 1) {
        outcomes.duplicate += 1;
        if (record.accepted === 2 && duplicateMsgIds.length < MAX_LISTED_DUPLICATES) duplicateMsgIds.push(msgId);
        return true;
      }
      outcomes.accepted += 1;
      Object.assign(record, { phone: message.phone, text: message.text, firstAcceptedAt: now });
      return false;
    },
    message: (msgId) => {
      const record = messages.get(msgId);
      return record && { ...record };
    },
    snapshot: () => ({
      requests,
      inFlight,
      maxInFlight,
      outcomes: { ...outcomes },
      acceptedMessages: outcomes.accepted,
      duplicateAccepts: outcomes.duplicate,
      duplicateMsgIds: [...duplicateMsgIds],
    }),
    reset() {
      // In-flight requests keep running across a reset; only the high-water mark restarts from them.
      requests = 0;
      maxInFlight = inFlight;
      outcomes = zeroOutcomes();
      messages = new Map();
      duplicateMsgIds = [];
    },
  };
}
