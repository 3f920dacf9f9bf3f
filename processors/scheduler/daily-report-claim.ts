import type { Redis } from '../../platform/redis/client';
import { KEYS } from '../../platform/redis/keys';

/**
 * Who sends a day's report, in Redis, so every scheduler process and every restart agree. A scheduler
 * takes the day with SET NX as a lease ("claimed:<owner>", CLAIM_MS): it is the one that queries, renders
 * and produces; done, it writes "sent" for SENT_TTL_S. A claimant that dies leaves a lease that runs out,
 * and the next scheduler to look takes the day again: the redo produces the same delivery ids
 * (daily-report.ts), so whatever the dead one had produced is not sent twice. A claimant that fails (say,
 * ClickHouse is down) gives the day back at once, so the next try need not wait for the lease.
 */
export type ClaimOutcome = 'claimed' | 'sent' | 'held';

export interface ReportClaims {
  /** 'claimed': the day is ours to send; 'sent': someone sent it; 'held': someone is sending it now. */
  claim(day: string): Promise<ClaimOutcome>;
  /** The day's report is produced: nobody sends it again (for SENT_TTL_S, long after it stops being due). */
  markSent(day: string): Promise<void>;
  /** Gives our claim back after a failure (only if it is still ours). */
  release(day: string): Promise<void>;
}

/** Long enough for the totals' queries and a few produce requests; a dead claimant delays the report this long. */
export const CLAIM_MS = 5 * 60_000;
/** A day's report stops being due a day after its time; the marker outlives that comfortably. */
export const SENT_TTL_S = 8 * 24 * 3600;
const SENT = 'sent';

/** KEYS[1] the day, ARGV[1] our claim → 1 released, 0 not ours (sent, or another's). */
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

export function createReportClaims({ redis, ownerId }: { redis: Redis; ownerId: string }): ReportClaims {
  if (!ownerId) throw new RangeError('report claims need an owner id');
  const ours = `claimed:${ownerId}`;
  return {
    async claim(day) {
      if ((await redis.set(KEYS.dailyReport(day), ours, 'PX', CLAIM_MS, 'NX')) === 'OK') return 'claimed';
      return (await redis.get(KEYS.dailyReport(day))) === SENT ? 'sent' : 'held';
    },
    async markSent(day) {
      await redis.set(KEYS.dailyReport(day), SENT, 'EX', SENT_TTL_S);
    },
    async release(day) {
      await redis.eval(RELEASE, 1, KEYS.dailyReport(day), ours);
    },
  };
}
