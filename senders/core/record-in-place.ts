/**
 * Recording a chunk (step e of consumer.ts: its statuses produced, its claims and delay-queue entries
 * written) is retried here, in place, once the providers have answered.
 *
 * A recording failure thrown on would replay the batch, and a replay is the costly way round: it meets
 * the chunk's own `sending:` leases, waits them out and calls the providers again, a second message for
 * every command of the chunk. That is what the cluster world saw (1,250 SMS sent twice) when a killed
 * broker's leader change made the producer replace itself in the middle of a chunk. Here the outcomes
 * stay in memory and each try writes the same records again: statuses keep their ids (counted once),
 * claims are set and deleted, delay-queue entries are keyed by id. Before each wait the chunk's leases are
 * renewed, so no other sender takes them meanwhile.
 *
 * After `maxMs` of failing, or at an error no retry will change, the failure is thrown as before and the
 * batch is replayed.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { isRetriable } from '../../platform/errors';

export interface RecordRetryPolicy {
  /** How long a chunk's recording is retried before the batch is given up to a replay. */
  maxMs: number;
  /** The first wait; each next one doubles, up to `maxWaitMs`. */
  firstWaitMs: number;
  maxWaitMs: number;
}

/** Longer than a Kafka leader election or a Redis failover (seconds), shorter than a consumer's patience. */
export const DEFAULT_RECORD_RETRY: RecordRetryPolicy = { maxMs: 120_000, firstWaitMs: 200, maxWaitMs: 5_000 };

export interface RecordInPlaceOptions {
  policy: RecordRetryPolicy;
  clock: { now(): number };
  /** Keeps the chunk's claims held while it waits (claims.ts renewLeases). */
  renewLeases(): Promise<void>;
  /** Each failed try about to be retried: its error and how many tries failed so far (logs, metrics). */
  onRetry(error: unknown, failedTries: number): void;
  /** Waits between tries; a test passes one that does not sleep. */
  wait?(ms: number): Promise<unknown>;
}

export async function recordInPlace(record: () => Promise<void>, options: RecordInPlaceOptions): Promise<void> {
  const { policy, clock } = options;
  const wait = options.wait ?? sleep;
  const giveUpAt = clock.now() + policy.maxMs;
  let waitMs = policy.firstWaitMs;
  for (let failedTries = 1; ; failedTries++) {
    try {
      return await record();
    } catch (error) {
      if (!isRetriable(error) || clock.now() + waitMs > giveUpAt) throw error;
      options.onRetry(error, failedTries);
      // A lease lost to a failed renewal is no reason to stop: the next try may still record the chunk.
      await options.renewLeases().catch(() => undefined);
      await wait(waitMs);
      waitMs = Math.min(waitMs * 2, policy.maxWaitMs);
    }
  }
}
