import { createRequestTally } from '../shared/request-tally';

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
  /** Beyond the capacity's queue: answered 503 at once, not accepted. */
  'overflow',
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

export function createLedger(): Ledger {
  const tally = createRequestTally(SEND_OUTCOMES);
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
    requestStarted: tally.requestStarted,
    requestEnded: tally.requestEnded,
    requestFor(msgId) {
      entry(msgId).requests += 1;
    },
    record: tally.record,
    accept(msgId, message, now) {
      const record = entry(msgId);
      record.accepted += 1;
      if (record.accepted > 1) {
        tally.record('duplicate');
        if (record.accepted === 2 && duplicateMsgIds.length < MAX_LISTED_DUPLICATES) duplicateMsgIds.push(msgId);
        return true;
      }
      tally.record('accepted');
      Object.assign(record, { phone: message.phone, text: message.text, firstAcceptedAt: now });
      return false;
    },
    message: (msgId) => {
      const record = messages.get(msgId);
      return record && { ...record };
    },
    snapshot: () => ({
      ...tally.snapshot(),
      acceptedMessages: tally.count('accepted'),
      duplicateAccepts: tally.count('duplicate'),
      duplicateMsgIds: [...duplicateMsgIds],
    }),
    reset() {
      tally.reset();
      messages = new Map();
      duplicateMsgIds = [];
    },
  };
}
