/**
 * Who dead-letters a poison record on a topic both fan-out lanes read (events.mailing-started,
 * events.notification-requested). Each lane is its own consumer group (lane.ts), so each reads every
 * record; an undecodable or invalid one used to be dead-lettered once per lane: twice.
 *
 * Why not "the bulk lane dead-letters, the express lane skips": LANES=express runs only the express
 * groups, and a process cannot know whether a bulk process runs elsewhere (production splits them), so
 * such a rule would drop every poison record in an express-only deployment, while "express also writes
 * when alone" writes twice in the split one. The rule instead: the first lane's group to reach the record
 * claims it in Redis (SET-if-absent of its group id, keyed by topic/partition/offset) and writes its dead
 * letter; the other group, finding the claim held by another group, skips it. It loses nothing, in any
 * LANES layout: the owner commits its offset only after producing the letter, so a crash in between
 * replays the batch in the same group, which finds its own claim and writes it (a replay after the
 * produce can write it again, the consumer's usual at-least-once). Only an owner group abandoned for good
 * with the batch uncommitted would leave a claimed record unwritten. Records only one lane flags (a
 * missing template, a mailing not in the view) are claimed by that lane alone, so they go out as before.
 */
import { VestnikError } from '../platform/errors';
import type { DeadLetterCandidate } from '../platform/kafka/dead-letter';
import type { Redis } from '../platform/redis/client';
import { KEYS } from '../platform/redis/keys';

/** Longer than the events topics' 7-day retention: a replay of a still-retained record finds its claim. */
export const DEAD_LETTER_CLAIM_TTL_SECONDS = 8 * 24 * 3600;

/** Claims `key` for `groupId` unless another group holds it; resolves the holder (the group that writes). */
export type ClaimDeadLetter = (key: string, groupId: string) => Promise<string>;

/** The records of `candidates` whose claim `groupId` holds: the dead letters this group writes. */
export function ownedDeadLetters<T extends DeadLetterCandidate>(candidates: readonly T[], owners: readonly string[], groupId: string): T[] {
  return candidates.filter((_, i) => owners[i] === groupId);
}

export function deadLetterKey(candidate: DeadLetterCandidate): string {
  return KEYS.deadLetterOwner(candidate.topic, candidate.partition, candidate.message.offset);
}

/** The consumer's deadLetterFilter for one lane's group (platform/kafka/batch-processor.ts). */
export function createLaneDeadLetterFilter(groupId: string, claim: ClaimDeadLetter) {
  return async (candidates: DeadLetterCandidate[]): Promise<DeadLetterCandidate[]> => {
    const owners = await Promise.all(candidates.map((c) => claim(deadLetterKey(c), groupId)));
    return ownedDeadLetters(candidates, owners, groupId);
  };
}

// GET, then SET only if absent: one atomic step, and it runs on Redis 6 too (SET NX GET needs Redis 7).
const CLAIM_SCRIPT = `local held = redis.call('GET', KEYS[1])
if held then return held end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
return ARGV[1]`;

/** The claim in Redis; a Redis failure is transient, so the batch is retried rather than dead-lettered. */
export function redisDeadLetterClaim(redis: Redis, ttlSeconds = DEAD_LETTER_CLAIM_TTL_SECONDS): ClaimDeadLetter {
  return async (key, groupId) => {
    try {
      return String(await redis.eval(CLAIM_SCRIPT, 1, key, groupId, String(ttlSeconds)));
    } catch (error) {
      throw new VestnikError('DEPENDENCY_UNAVAILABLE', 'redis dead-letter claim failed', { retriable: true, cause: error });
    }
  };
}
