import { VestnikError, isRetriable } from '../platform/errors';
import { silentLogger } from '../platform/logger';
import { createBatchProcessor } from '../platform/kafka/batch-processor';
import type { DeadLetterCandidate } from '../platform/kafka/dead-letter';
import { createPartitionBackoff } from '../platform/kafka/partition-backoff';
import type { DeadLetter } from '../schemas/types';
import { createFakePayload, createJsonCodec, createRecordingProducer, message } from '../tests/support/kafka-fakes';
import { createLaneDeadLetterFilter, deadLetterKey, ownedDeadLetters, redisDeadLetterClaim, type ClaimDeadLetter } from './lane-dead-letters';

const EXPRESS = 'vestnik-notification-fanout-express';
const BULK = 'vestnik-notification-fanout-bulk';

const poison = (offset: number, partition = 0): DeadLetterCandidate =>
  ({ topic: 'events.notification-requested', partition, message: message(offset, Buffer.from([0xff, offset])), error: new Error('bad') });

/** Redis' SET-if-absent, in memory: what the Lua script does. */
function memoryClaims(): ClaimDeadLetter & { held: Map<string, string> } {
  const held = new Map<string, string>();
  const claim = async (key: string, groupId: string) => {
    if (!held.has(key)) held.set(key, groupId);
    return held.get(key) as string;
  };
  return Object.assign(claim, { held });
}

describe('ownedDeadLetters', () => {
  it.each([
    { name: 'all claimed by this group', owners: [EXPRESS, EXPRESS], kept: [1, 2] },
    { name: 'all held by the other lane', owners: [BULK, BULK], kept: [] },
    { name: 'some each', owners: [BULK, EXPRESS], kept: [2] },
  ])('$name', ({ owners, kept }) => {
    expect(ownedDeadLetters([poison(1), poison(2)], owners, EXPRESS).map((c) => Number(c.message.offset))).toEqual(kept);
  });
});

describe('one dead letter per poison record across both lanes', () => {
  it('whichever lane comes first writes it, the other skips it', async () => {
    const claims = memoryClaims();
    const express = createLaneDeadLetterFilter(EXPRESS, claims);
    const bulk = createLaneDeadLetterFilter(BULK, claims);
    const batch = [poison(1), poison(2), poison(3)];
    const [byExpress, byBulk] = [await express(batch.slice(0, 2)), await bulk(batch)];
    expect(byExpress.map((c) => c.message.offset)).toEqual(['1', '2']);
    expect(byBulk.map((c) => c.message.offset)).toEqual(['3']);
  });

  it('an express-only deployment (no bulk group anywhere) still writes every one', async () => {
    const express = createLaneDeadLetterFilter(EXPRESS, memoryClaims());
    expect(await express([poison(1), poison(2)])).toHaveLength(2);
  });

  it('the owner writes again when its batch is replayed (a crash before its commit); the other lane still does not', async () => {
    const claims = memoryClaims();
    const bulk = createLaneDeadLetterFilter(BULK, claims);
    const express = createLaneDeadLetterFilter(EXPRESS, claims);
    await bulk([poison(7)]);
    expect(await bulk([poison(7)])).toHaveLength(1);
    expect(await express([poison(7)])).toHaveLength(0);
  });

  it('keys by topic, partition and offset: the same offset on another partition is another record', async () => {
    expect(deadLetterKey(poison(5, 0))).not.toBe(deadLetterKey(poison(5, 1)));
    const claims = memoryClaims();
    await createLaneDeadLetterFilter(BULK, claims)([poison(5, 0)]);
    expect(await createLaneDeadLetterFilter(EXPRESS, claims)([poison(5, 1)])).toHaveLength(1);
  });

  it('a Redis failure is retriable (the batch is read again), never a lost letter', async () => {
    const broken = { eval: async () => { throw new Error('ECONNRESET'); } } as unknown as Parameters<typeof redisDeadLetterClaim>[0];
    const error = await redisDeadLetterClaim(broken)('k', EXPRESS).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VestnikError);
    expect(isRetriable(error)).toBe(true);
  });
});

describe('the batch processor with two lanes reading the same poison', () => {
  function lane(groupId: string, claims: ClaimDeadLetter) {
    const producer = createRecordingProducer();
    const retry = { initialDelayMs: 10, maxDelayMs: 100, maxAttempts: Infinity };
    const process = createBatchProcessor<unknown>({
      codec: createJsonCodec(), producer, groupId, schemaOf: () => 'events.notification-requested',
      handler: async () => undefined, deadLetterTopic: 'dlq', backoff: createPartitionBackoff(retry), retry,
      heartbeatIntervalMs: 1_000, logger: silentLogger, deadLetterFilter: createLaneDeadLetterFilter(groupId, claims),
    });
    const letters = () => producer.sent.flatMap((s) => s.records.map((r) => r.value as DeadLetter));
    return { process, letters };
  }

  it('undecodable bytes: one dead letter in all, and both groups commit past it', async () => {
    const claims = memoryClaims();
    const [express, bulk] = [lane(EXPRESS, claims), lane(BULK, claims)];
    const fakes = [createFakePayload('t', 0, [message(4, Buffer.from('x'))]), createFakePayload('t', 0, [message(4, Buffer.from('x'))])];
    await express.process(fakes[0]!.payload);
    await bulk.process(fakes[1]!.payload);
    expect([...express.letters(), ...bulk.letters()]).toEqual([expect.objectContaining({ offset: '4', consumerGroup: EXPRESS })]);
    expect(fakes.map((f) => f.resolved)).toEqual([['4'], ['4']]);
  });
});
