import { createCodec } from '../../platform/codec';
import { createBatchConsumer, createKafka, createTypedProducer, ensureTopics, type DecodedRecord } from '../../platform/kafka';
import { silentLogger } from '../../platform/logger';
import { TOPICS } from '../../platform/topics';
import type { UserActivity } from '../../schemas/types';
import { createSmsSimulator, type SmsSimulator } from '../../simulators/sms';
import { createSmsApiToken } from '../../simulators/sms/token';
import { pagedCommands } from '../support/command-pages';
import { recordsOn } from '../support/fault-scenario';
import { createKafkaTestContext, TEST_BROKERS } from '../support/kafka';
import { createClients, iso, smsIdOf } from '../support/mailings';
import { startStack, type TestStack } from '../support/stack';
import { uniqueName } from '../support/unique';
import { waitFor } from '../support/wait-for';

/**
 * Two deployments on one broker, told apart only by KAFKA_TOPIC_PREFIX (each stack's id; their groups,
 * Redis keys and databases differ too, as they always did). Without the topic prefix both would read the
 * same state.clients and deliveries.status: B's view would list A's clients, and a mailing to everyone in B
 * would reach A's clients too.
 */
describe('KAFKA_TOPIC_PREFIX: two deployments on one broker', () => {
  const secret = 'topic-prefix-sms-secret';
  const ROLES = ['api', 'processors', 'senders', 'analytics', 'scheduler'] as const;
  let smsA: SmsSimulator;
  let smsB: SmsSimulator;
  /** Reads each stack's topics by their physical names. */
  const pages = createKafkaTestContext();
  let a: TestStack;
  let b: TestStack;
  const start = (sms: SmsSimulator) => startStack({
    roles: [...ROLES],
    env: { SMS_API_URL: sms.url, SMS_API_TOKEN: createSmsApiToken(secret), RETRY_BASE_MS: '100', RETRY_MAX_MS: '1000' },
  });

  beforeAll(async () => {
    smsA = createSmsSimulator({ jwtSecret: secret });
    smsB = createSmsSimulator({ jwtSecret: secret });
    await smsA.start();
    await smsB.start();
    a = await start(smsA);
    b = await start(smsB);
  }, 240_000);

  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await smsA?.stop();
    await smsB?.stop();
    await pages.cleanup();
  });

  const clientIds = async (stack: TestStack): Promise<string[]> =>
    ((await stack.api('GET', '/api/clients?limit=500')).body.items as { id: string }[]).map((c) => c.id).sort();

  /** A mailing to every client of the stack (no filter), waited until `expected` are sent in its statistics. */
  async function mailEveryone(stack: TestStack, text: string, expected: number): Promise<string> {
    const created = await stack.api('POST', '/api/mailings', {
      text, startAt: iso(Date.now()), endAt: iso(Date.now() + 10 * 60_000), filter: { tags: [], operatorCodes: [] },
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    await waitFor(async () => (await stack.api('GET', `/api/stats/mailings/${id}`)).body?.byStatus?.sent === expected, {
      timeoutMs: 90_000, description: `${expected} sent in the statistics of ${text}`,
    });
    return id;
  }

  it('keeps clients, mailings and deliveries of each deployment on its own topics', async () => {
    expect(a.topic(TOPICS.clients)).toBe(`${a.id}.state.clients`);
    const clientsA = await createClients(a, 6, { tag: uniqueName('a'), operatorCode: '921' });
    const clientsB = await createClients(b, 4, { tag: uniqueName('b'), operatorCode: '921' });

    // Each view lists exactly its own clients, and each state topic holds exactly its own records.
    expect(await clientIds(a)).toEqual([...clientsA].sort());
    expect(await clientIds(b)).toEqual([...clientsB].sort());
    expect(await recordsOn(a, TOPICS.clients)).toBe(clientsA.length);
    expect(await recordsOn(b, TOPICS.clients)).toBe(clientsB.length);

    // A mailing to everyone reaches only its own deployment's clients, once each.
    const mailingA = await mailEveryone(a, 'Hello from A', clientsA.length);
    const mailingB = await mailEveryone(b, 'Hello from B', clientsB.length);
    for (const clientId of clientsA) expect(smsA.message(smsIdOf(mailingA, clientId))?.accepted).toBe(1);
    for (const clientId of clientsB) expect(smsB.message(smsIdOf(mailingB, clientId))?.accepted).toBe(1);
    expect(smsA.stats().requests).toBe(clientsA.length);
    expect(smsB.stats().requests).toBe(clientsB.length);

    // Mailings and their delivery records are not visible across: B knows nothing of A's mailing, and back.
    expect((await b.api('GET', `/api/mailings/${mailingA}`)).status).toBe(404);
    expect((await a.api('GET', `/api/stats/mailings/${mailingB}`)).status).toBe(404);
    const statsB = (await b.api('GET', '/api/stats/mailings')).body.items as { id: string }[];
    expect(statsB.map((m) => m.id)).toEqual([mailingB]);
    const statsA = (await a.api('GET', `/api/stats/mailings/${mailingA}?limit=100`)).body;
    expect((statsA.messages as { clientId: string }[]).map((m) => m.clientId).sort()).toEqual([...clientsA].sort());
    expect((await pagedCommands(pages, a)).map((r) => r.command.clientId).sort()).toEqual([...clientsA].sort());
    expect((await pagedCommands(pages, b)).map((r) => r.command.clientId).sort()).toEqual([...clientsB].sort());
  });
});

describe('the Kafka layer with a topic prefix, on the real broker', () => {
  const kt = createKafkaTestContext();
  const prefix = uniqueName('pfx').replace(/[^A-Za-z0-9_]/g, '_');
  const kafka = createKafka({ brokers: TEST_BROKERS, clientId: 'prefix-test', logger: silentLogger, topicPrefix: prefix });
  const logical = 'layer.activity';
  afterAll(async () => {
    await kt.cleanup();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [`${prefix}.${logical}`] }).catch(() => undefined);
    await admin.disconnect();
  });

  it('creates, produces, consumes and reports lag under logical names while the broker holds <prefix>.<name>', async () => {
    const created = await ensureTopics(kafka, [{ name: logical, partitions: 2, cleanupPolicy: 'delete' }]);
    expect(created.created).toEqual([logical]);
    const codec = createCodec();
    const producer = createTypedProducer({ kafka, codec, logger: silentLogger });
    kt.onCleanup(() => producer.disconnect());
    const value: UserActivity = {
      eventId: 'e-1', occurredAt: 1_700_000_000_000, userId: 'u-1', actorId: 'a-1', actorName: 'Actor', kind: 'like',
      objectId: 'o-1', objectTitle: null, url: null,
    };
    const produced = await producer.send(logical, [{ key: 'u-1', value }], { schema: 'events.user-activity' });
    expect(produced).toEqual([expect.objectContaining({ topic: logical })]);
    // On the broker: only the prefixed name exists and holds the record.
    const raw = await kt.readAll(`${prefix}.${logical}`);
    expect(raw.map((r) => r.key)).toEqual(['u-1']);

    const seen: DecodedRecord<UserActivity>[] = [];
    const consumer = createBatchConsumer<UserActivity>({
      kafka, codec, producer, groupId: kt.groupId('prefix'), logger: silentLogger, fromBeginning: true,
      topics: [{ topic: logical, schema: 'events.user-activity' }], deadLetterTopic: 'unused-dead-letter-topic',
      handler: async (records) => void seen.push(...records),
    });
    kt.onCleanup(() => consumer.stop());
    await consumer.start();
    await waitFor(() => seen.length === 1, { timeoutMs: 20_000, description: 'the record consumed' });
    expect(seen[0]).toMatchObject({ topic: logical, offset: produced[0]!.offset, value });
    await waitFor(async () => (await consumer.lag()).every((p) => p.lag === 0), { timeoutMs: 20_000, description: 'lag zero' });
    expect((await consumer.lag()).map((p) => p.topic)).toEqual([logical, logical]);
  });
});
