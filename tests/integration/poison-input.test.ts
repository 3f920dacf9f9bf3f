/**
 * Poison input on every topic a Vestnik consumer reads, on the real stack: for each topic, random bytes,
 * a valid Avro record of another schema, and valid Avro of the right schema with values no stage can act
 * on, then one good record. Every bad record must reach deliveries.dead-letter (found by original topic +
 * offset, from one of this stack's consumer groups) with a reason code and a human reason, and the good
 * record after them must still have its effect: a view doc, an SMS, an email, a status in ClickHouse. On the
 * topics both fan-out lanes read (two consumer groups), each bad record has exactly one dead letter.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { AssignerProtocol, type Consumer, type Producer } from 'kafkajs';
import type { Codec, SchemaName } from '../../platform/codec/codec';
import { SCHEMA_OF_TOPIC } from '../../platform/codec/codec';
import { deliveryIdOf, statusIdOf } from '../../platform/ids';
import { TOPICS, type TopicName } from '../../platform/topics';
import type {
  Client, DeadLetter, DeliveryCommand, DeliveryCommandPage, DeliveryStatus, DeliveryStatusPage, EpisodeReleased, Mailing, MailingResendRequested, MailingStarted, NotificationRequested, Template,
  UserActivity, UserRegistered,
} from '../../schemas/types';
import { commandPagesOf } from '../../domain/deliveries/command-page';
import { smsMessageId } from '../../senders/sms/message';
import { createSmsSimulator, type SmsSimulator } from '../../simulators/sms';
import { createSmsApiToken } from '../../simulators/sms/token';
import { createSmtpSink, type SmtpSink } from '../../simulators/smtp';
import { startStack, type TestStack } from '../support/stack';
import { uniqueName } from '../support/unique';
import { waitFor } from '../support/wait-for';

jest.setTimeout(300_000);

const SMS_SECRET = 'poison-input-sms-secret';
/** Codes of a record whose bytes are not this topic's Avro. */
const UNDECODABLE = ['DECODE_FAILED', 'UNKNOWN_SCHEMA', 'VALIDATION_FAILED'];
// A new stack's analytics replays deliveries.status from the start (tens of thousands of rows on a shared broker)
// before it reaches ours: the ClickHouse-backed effects can take minutes on a loaded machine.
const EFFECT_TIMEOUT_MS = 240_000;
/** Topics read by an express and a bulk consumer group (the fan-outs' lanes): still one dead letter per record. */
const LANE_TOPICS: readonly string[] = [TOPICS.notificationRequested, TOPICS.mailingStarted];

let sms: SmsSimulator;
let smtp: SmtpSink;
let stack: TestStack;
let codec: Codec;
let producer: Producer;
let deadLetters: DeadLetterWatch;
let templateId: string;
/** Keys written to the compacted state topics, tombstoned afterwards so later runs do not replay them. */
const stateKeys: { topic: string; key: string }[] = [];

beforeAll(async () => {
  sms = createSmsSimulator({ jwtSecret: SMS_SECRET });
  smtp = createSmtpSink();
  await sms.start();
  await smtp.start();
  stack = await startStack({
    roles: ['api', 'processors', 'senders', 'analytics'],
    env: { SMS_API_URL: sms.url, SMS_API_TOKEN: createSmsApiToken(SMS_SECRET), SMTP_URL: smtp.url },
  });
  codec = stack.runtime.codec();
  producer = stack.runtime.kafka().producer({ allowAutoTopicCreation: false });
  await producer.connect();
  deadLetters = await watchDeadLetters(stack, codec);
  const template = await stack.api('POST', '/api/templates', { defaultLocale: 'en', variants: { en: { sms: 'Poison check for {{name}}' } } });
  expect(template.status).toBe(201);
  templateId = template.body.id;
});

afterAll(async () => {
  if (producer && stateKeys.length > 0) {
    for (const { topic, key } of stateKeys) await producer.send({ topic: stack.topic(topic), acks: -1, messages: [{ key, value: null, partition: 0 }] });
  }
  await deadLetters?.stop();
  await producer?.disconnect();
  await stack?.stop();
  await sms?.stop();
  await smtp?.stop();
});

// ---------------------------------------------------------------------------------------------------------------
// The table: one row per consumed topic.

/** Valid Avro of the topic's schema whose values no consumer may act on, and what its reason must say. */
interface InvalidCase {
  name: string;
  key: string;
  value: unknown;
  code: string;
  reason: RegExp;
}

/** A good record for the topic and how to see it was processed (resolves truthy once visible). */
interface GoodCase {
  key: string;
  value: unknown;
  effect(): Promise<unknown>;
}

interface PoisonRow {
  topic: TopicName;
  invalid(): Promise<InvalidCase[]>;
  good(): Promise<GoodCase>;
  /** Also checked once the good record is through: e.g. the invalid state records are not in the view. */
  after?(invalid: InvalidCase[]): Promise<void>;
}

const now = () => Date.now();
const phone = () => `79${String(Math.floor(Math.random() * 1e9)).padStart(9, '0')}`;
const smsOf = (deliveryId: string) => sms.message(smsMessageId(deliveryId));

async function apiClient(fields: Record<string, unknown>): Promise<string> {
  const response = await stack.api('POST', '/api/clients', { phone: phone(), timezone: 'UTC', ...fields });
  expect(response.status).toBe(201);
  return response.body.id;
}

/** The channel counts of one source in ClickHouse, through the statistics API. */
async function statusCounts(sourceType: string, sourceId: string): Promise<Record<string, number> | null> {
  const response = await stack.api('GET', `/api/stats/channels?sourceType=${sourceType}&sourceId=${encodeURIComponent(sourceId)}`);
  if (response.status !== 200) return null;
  const rows: { channel: string; byStatus: Record<string, number> }[] = response.body.items ?? response.body;
  return rows[0]?.byStatus ?? null;
}

const userRegistered = (over: Partial<UserRegistered> = {}): UserRegistered => ({
  eventId: randomUUID(), occurredAt: now(), userId: uniqueName('user'), email: `${uniqueName('welcome')}@example.com`,
  name: 'Ann', locale: 'en', timezone: 'Europe/Moscow', ...over,
});

const mailingStarted = (over: Partial<MailingStarted> = {}): MailingStarted => ({
  eventId: randomUUID(), occurredAt: now(), mailingId: uniqueName('mailing'), scheduledFor: now(), ...over,
});

const resendRequest = (over: Partial<MailingResendRequested> = {}): MailingResendRequested => ({
  eventId: randomUUID(), occurredAt: now(), mailingId: uniqueName('mailing'), requestedBy: null, ...over,
});

const request = (over: Partial<NotificationRequested> = {}): NotificationRequested => ({
  requestId: randomUUID(), occurredAt: now(), templateId, userIds: [], segmentTags: [], contextJson: '{}', priority: 'express',
  promo: false, channels: ['sms'], notBefore: null, expiresAt: null, recurrence: null, requestedBy: null, ...over,
});

const episode = (over: Partial<EpisodeReleased> = {}): EpisodeReleased => ({
  eventId: randomUUID(), occurredAt: now(), seriesId: uniqueName('series'), seriesTitle: 'Dark', episodeId: uniqueName('ep'),
  episodeTitle: 'Secrets', seasonNumber: 1, episodeNumber: 1, url: 'https://example.com/dark/1', ...over,
});

const activity = (over: Partial<UserActivity> = {}): UserActivity => ({
  eventId: randomUUID(), occurredAt: now(), userId: uniqueName('user'), actorId: 'actor-1', actorName: 'Bob', kind: 'comment',
  objectId: 'post-1', objectTitle: 'My post', url: 'https://example.com/post-1', ...over,
});

const client = (over: Partial<Client> = {}): Client => ({
  id: uniqueName('client'), phone: phone(), operatorCode: '900', tags: [], timezone: 'UTC', email: null, emailConfirmed: false,
  name: 'Ann', locale: 'en', deviceTokens: [], preferences: { promo: true, channels: {}, quietHours: null }, subscriptions: [],
  updatedAt: now(), ...over,
});

const mailing = (over: Partial<Mailing> = {}): Mailing => ({
  // Cancelled and far ahead: no scheduler (ours or another run's) ever starts it.
  id: uniqueName('mailing'), text: 'hello {{name}}', templateId: null, startAt: now() + 86_400_000, endAt: now() + 2 * 86_400_000,
  filter: { operatorCodes: [], tags: [uniqueName('nobody')] }, channel: 'sms', sendWindow: null, promo: false, priority: 'bulk',
  status: 'cancelled', createdAt: now(), updatedAt: now(), ...over,
});

const template = (over: Partial<Template> = {}): Template => ({
  id: uniqueName('template'), name: null, defaultLocale: 'en', contextProvider: null, updatedAt: now(),
  variants: { en: { email: null, sms: 'Hi {{name}}', push: null, inapp: null } }, ...over,
});

const command = (over: Partial<DeliveryCommand> = {}): DeliveryCommand => {
  const sourceId = uniqueName('poison-source');
  const clientId = uniqueName('client');
  return {
    deliveryId: deliveryIdOf('notification', sourceId, clientId, 'sms'), sourceType: 'notification', sourceId, clientId,
    channel: 'sms', priority: 'express', address: phone(), deviceTokens: [],
    content: { text: `poison check ${sourceId}`, subject: null, html: null, title: null, headers: {} }, fallback: null,
    promo: false, timezone: 'UTC', sendWindow: null, notBefore: null, expiresAt: now() + 600_000, attempt: 0, createdAt: now(), ...over,
  };
};

const status = (over: Partial<DeliveryStatus> = {}): DeliveryStatus => {
  const deliveryId = randomUUID();
  return {
    statusId: statusIdOf(deliveryId, 'sent', 1), deliveryId, sourceType: 'notification', sourceId: uniqueName('poison-source'),
    clientId: 'c1', channel: 'sms', priority: 'bulk', status: 'sent', attempt: 1, reason: null, providerMessageId: null, provider: null,
    occurredAt: now(), ...over,
  };
};

/** A page of two first statuses of a mailing of its own (what the mailing fan-out writes). */
const statusPage = (over: Partial<DeliveryStatusPage['entries'][number]> = {}): DeliveryStatusPage => {
  const entry = (clientId: string) => {
    const deliveryId = randomUUID();
    return {
      statusId: statusIdOf(deliveryId, 'queued', 0), deliveryId, clientId, status: 'queued' as const, reason: null,
      attempt: 0, providerMessageId: null, provider: null, occurredAt: null,
    };
  };
  return {
    sourceType: 'mailing', sourceId: uniqueName('poison-page'), channel: 'sms', priority: 'bulk', occurredAt: now(),
    entries: [entry('c1'), { ...entry('c2'), ...over }],
  };
};

/** One command page (what the mailing fan-out writes) of commands that share their source and times. */
const commandPage = (first: DeliveryCommand, second: DeliveryCommand): DeliveryCommandPage => {
  const shared = { sourceId: first.sourceId, createdAt: first.createdAt, expiresAt: first.expiresAt };
  const pages = commandPagesOf([first, { ...second, ...shared, deliveryId: deliveryIdOf('notification', first.sourceId, second.clientId, 'sms') }]);
  expect(pages).toHaveLength(1);
  return pages[0]!;
};

const invalid = (name: string, key: string, value: unknown, reason: RegExp, code = 'VALIDATION_FAILED'): InvalidCase =>
  ({ name, key, value, code, reason });

/** The three command topics share one schema and one effect: an SMS at the simulator. */
function commandRow(topic: TopicName, base: Partial<DeliveryCommand>): PoisonRow {
  return {
    topic,
    invalid: async () => [
      invalid('unknown time zone', 'c1', command({ ...base, timezone: 'Mars/Olympus', sendWindow: { from: '09:00', to: '21:00' } }), /timezone/),
      invalid('send window past 24:00', 'c1', command({ ...base, sendWindow: { from: '25:00', to: '21:00' } }), /sendWindow/),
      invalid('negative attempt', 'c1', command({ ...base, attempt: -1 }), /attempt/),
    ],
    good: async () => {
      const value = command(base);
      return { key: value.clientId, value, effect: async () => smsOf(value.deliveryId)?.accepted };
    },
  };
}

function stateRow<T extends { id: string }>(topic: TopicName, path: string, cases: () => InvalidCase[], good: () => T): PoisonRow {
  return {
    topic,
    invalid: async () => cases(),
    good: async () => {
      const value = good();
      return { key: value.id, value, effect: async () => (await stack.api('GET', `${path}/${value.id}`)).status === 200 };
    },
    // A refused record never enters the view: the API does not know its id.
    after: async (bad) => {
      for (const { key } of bad) expect((await stack.api('GET', `${path}/${key}`)).status).toBe(404);
    },
  };
}

const ROWS: PoisonRow[] = [
  {
    topic: TOPICS.userRegistered,
    invalid: async () => [
      invalid('an address that is not one', 'u1', userRegistered({ email: 'abc' }), /email/),
      invalid('an unknown time zone', 'u1', userRegistered({ timezone: 'Mars/Olympus' }), /timezone/),
    ],
    good: async () => {
      const value = userRegistered();
      return { key: value.userId, value, effect: async () => smtp.messagesTo(value.email).length > 0 };
    },
  },
  {
    topic: TOPICS.notificationRequested,
    invalid: async () => {
      const recipient = await apiClient({ name: 'Nobody' });
      return [
        invalid('a missing template', 'r1', request({ templateId: uniqueName('missing-template'), userIds: [recipient] }), /does not exist/, 'TEMPLATE_FAILED'),
        invalid('no recipients', 'r1', request(), /no recipients/),
        invalid('a context that is not JSON', 'r1', request({ userIds: [recipient], contextJson: '{oops' }), /contextJson/),
      ];
    },
    good: async () => {
      const recipient = await apiClient({ name: 'Ann' });
      const value = request({ userIds: [recipient] });
      const deliveryId = deliveryIdOf('notification', value.requestId, recipient, 'sms');
      return { key: value.requestId, value, effect: async () => smsOf(deliveryId)?.text === 'Poison check for Ann' };
    },
  },
  {
    topic: TOPICS.mailingStarted,
    invalid: async () => [
      invalid('a mailing nobody created', 'm1', mailingStarted(), /does not exist/, 'NOT_FOUND'),
      invalid('a negative start time', 'm1', mailingStarted({ scheduledFor: -1 }), /scheduledFor/),
    ],
    good: async () => {
      const tag = uniqueName('poison-mailing');
      const recipient = await apiClient({ name: 'Ann', tags: [tag] });
      const created = await stack.api('POST', '/api/mailings', {
        text: 'mailing for {{name}}', startAt: new Date(now()).toISOString(), endAt: new Date(now() + 600_000).toISOString(),
        filter: { tags: [tag], operatorCodes: [] },
      });
      expect(created.status).toBe(201);
      const value = mailingStarted({ mailingId: created.body.id });
      const deliveryId = deliveryIdOf('mailing', value.mailingId, recipient, 'sms');
      return { key: value.mailingId, value, effect: async () => smsOf(deliveryId)?.text === 'mailing for Ann' };
    },
  },
  {
    topic: TOPICS.mailingResendRequested,
    invalid: async () => [
      invalid('no mailing id', 'm1', resendRequest({ mailingId: ' ' }), /mailingId/),
      invalid('a negative time', 'm1', resendRequest({ occurredAt: -1 }), /occurredAt/),
    ],
    good: async () => {
      // A resend of a started mailing with nothing failed: it re-sends nothing, and its group moves past it.
      const created = await stack.api('POST', '/api/mailings', {
        text: 'resend check', startAt: new Date(now()).toISOString(), endAt: new Date(now() + 600_000).toISOString(),
        filter: { tags: [uniqueName('poison-resend')], operatorCodes: [] },
      });
      expect(created.status).toBe(201);
      const value = resendRequest({ mailingId: created.body.id });
      return { key: value.mailingId, value, effect: () => groupCaughtUp(stack, 'mailing-resend', TOPICS.mailingResendRequested) };
    },
  },
  {
    topic: TOPICS.episodeReleased,
    invalid: async () => [
      invalid('a javascript: link', 's1', episode({ url: 'javascript:alert(1)' }), /url/),
      invalid('a negative season', 's1', episode({ seasonNumber: -1 }), /seasonNumber/),
    ],
    good: async () => {
      const value = episode();
      const email = `${uniqueName('subscriber')}@example.com`;
      await apiClient({ name: 'Ann', email, subscriptions: [value.seriesId] });
      return { key: value.seriesId, value, effect: async () => smtp.messagesTo(email).length > 0 };
    },
  },
  {
    topic: TOPICS.userActivity,
    invalid: async () => [
      invalid('a javascript: link', 'u1', activity({ url: 'javascript:alert(1)' }), /url/),
      invalid('no user', 'u1', activity({ userId: '' }), /userId/),
    ],
    good: async () => {
      const userId = await apiClient({ name: 'Ann' });
      const value = activity({ userId });
      return { key: userId, value, effect: () => statusCounts('activity', value.eventId) };
    },
  },
  stateRow(TOPICS.clients, '/api/clients', () => {
    const [a, b] = [client({ phone: 'abc' }), client({ timezone: 'Mars/Olympus' })];
    return [invalid('a phone that is not a phone', a.id, a, /phone/), invalid('an unknown time zone', b.id, b, /timezone/)];
  }, () => client()),
  stateRow(TOPICS.mailings, '/api/mailings', () => {
    const [a, b] = [mailing({ endAt: now() - 1 }), mailing({ text: '{{7*7}}' })];
    return [invalid('an end before the start', a.id, a, /endAt/), invalid('a text that does not compile', b.id, b, /text/)];
  }, () => mailing()),
  stateRow(TOPICS.templates, '/api/templates', () => {
    const a = template({ defaultLocale: 'ru' });
    const b = template({ variants: { en: { email: null, sms: '{{#each}}', push: null, inapp: null } } });
    return [invalid('a default locale without a variant', a.id, a, /defaultLocale/), invalid('a source that does not compile', b.id, b, /variants/)];
  }, () => template()),
  commandRow(TOPICS.deliveriesExpress, { priority: 'express' }),
  commandRow(TOPICS.deliveriesBulk, { priority: 'bulk' }),
  commandRow(TOPICS.deliveriesRetry, { priority: 'bulk', attempt: 1 }),
  {
    topic: TOPICS.deliveriesBulkPages,
    // A page naming a content it lacks is refused whole; a page with one bad command is dead-lettered naming
    // it, while its good command is sent (a replay of the letter finds that one done).
    invalid: async () => {
      const [broken] = commandPagesOf([command({ priority: 'bulk' })]);
      const mixed = commandPage(command({ priority: 'bulk', timezone: 'Mars/Olympus' }), command({ priority: 'bulk' }));
      return [
        invalid('an entry naming a content the page lacks', 'c1', { ...broken!, contents: [] }, /names content 0 of 0/),
        invalid('a page with a command in an unknown time zone', 'c1', mixed, /command page of notification .*: [0-9a-f-]{36}: timezone/),
      ];
    },
    good: async () => {
      const value = commandPage(command({ priority: 'bulk' }), command({ priority: 'bulk' }));
      const ids = value.entries.map((entry) => entry.deliveryId);
      return { key: value.entries[0]!.clientId, value, effect: async () => ids.every((id) => smsOf(id)?.accepted === 1) };
    },
    after: async ([broken, mixed]) => {
      for (const entry of (broken!.value as DeliveryCommandPage).entries) expect(smsOf(entry.deliveryId)).toBeUndefined();
      const [bad, good] = (mixed!.value as DeliveryCommandPage).entries;
      await waitFor(() => smsOf(good!.deliveryId)?.accepted === 1, { timeoutMs: EFFECT_TIMEOUT_MS, description: 'the good command of the page with a bad one' });
      expect(smsOf(bad!.deliveryId)).toBeUndefined();
    },
  },
  {
    topic: TOPICS.deliveriesStatus,
    invalid: async () => [
      invalid('a negative time', 'd1', status({ occurredAt: -1 }), /occurredAt/),
      invalid('a negative attempt', 'd1', status({ attempt: -1 }), /attempt/),
    ],
    good: async () => {
      const value = status();
      return { key: value.deliveryId, value, effect: async () => (await statusCounts('notification', value.sourceId))?.sent === 1 };
    },
  },
  {
    topic: TOPICS.deliveriesStatusPages,
    // One bad entry keeps its whole page out of ClickHouse: the page is dead-lettered whole, naming the entry.
    invalid: async () => [
      invalid('a page with an entry without a status id', 'p1', statusPage({ statusId: ' ' }), /statusId: required/),
      invalid('a page with an entry without a delivery id', 'p1', statusPage({ deliveryId: '' }), /deliveryId: required/),
    ],
    good: async () => {
      const value = statusPage();
      return { key: value.entries[0]!.deliveryId, value, effect: async () => (await statusCounts('mailing', value.sourceId))?.queued === 2 };
    },
    after: async (cases) => {
      // Neither good entry of a refused page was stored.
      for (const c of cases) expect(await statusCounts('mailing', (c.value as DeliveryStatusPage).sourceId)).toBeNull();
    },
  },
];

// ---------------------------------------------------------------------------------------------------------------

it('covers every topic a consumer group of the stack reads', async () => {
  const consumed = await topicsConsumedBy(stack);
  expect(consumed.size).toBeGreaterThan(0);
  expect([...consumed].filter((topic) => !ROWS.some((row) => row.topic === topic))).toEqual([]);
});

describe.each(ROWS.map((row) => [row.topic, row] as const))('poison on %s', (topic, row) => {
  it('dead-letters random bytes, another schema and invalid values with reasons, then processes the next good record', async () => {
    const schema = SCHEMA_OF_TOPIC[topic];
    const wrong = wrongSchemaRecord(schema);
    const garbage = Buffer.concat([Buffer.from([0xff, 0x13]), randomBytes(30)]);
    const bad: { name: string; offset: string; value: Buffer; codes: string[]; reason?: RegExp }[] = [];

    bad.push({ name: 'random bytes', value: garbage, codes: UNDECODABLE, offset: await produce(topic, 'garbage', garbage) });
    const wrongBytes = await codec.encode(wrong.schema, wrong.value);
    bad.push({ name: `a ${wrong.schema} record`, value: wrongBytes, codes: UNDECODABLE, offset: await produce(topic, 'wrong-schema', wrongBytes) });
    const cases = await row.invalid();
    for (const c of cases) {
      const bytes = await codec.encode(schema, c.value);
      bad.push({ name: c.name, value: bytes, codes: [c.code], reason: c.reason, offset: await produce(topic, c.key, bytes) });
    }
    const good = await row.good();
    const goodOffset = await produce(topic, good.key, await codec.encode(schema, good.value));

    for (const record of bad) {
      const letter = await deadLetters.waitFor(topic, record.offset, `the dead letter of ${record.name} on ${topic}@${record.offset}`);
      expect({ name: record.name, code: record.codes.includes(letter.reasonCode) ? 'expected' : letter.reasonCode })
        .toEqual({ name: record.name, code: 'expected' });
      expect(letter.reason.length).toBeGreaterThan(10);
      if (record.reason) expect(letter.reason).toMatch(record.reason);
      // Kept whole, so it can be fixed and replayed.
      expect(letter.value?.equals(record.value)).toBe(true);
      expect(letter.partition).toBe(0);
    }
    await waitFor(good.effect, { timeoutMs: EFFECT_TIMEOUT_MS, description: `the effect of the good record on ${topic}` });
    await row.after?.(cases);
    if (LANE_TOPICS.includes(topic)) {
      // Both lanes' groups past every bad record: had each dead-lettered them, both letters would be out by now.
      await waitFor(() => groupsCommittedPast(stack, topic, goodOffset), { timeoutMs: EFFECT_TIMEOUT_MS, description: `both lanes past ${topic}@${goodOffset}` });
      await deadLetters.settle();
      const counts = bad.map((record) => ({ name: record.name, letters: deadLetters.all(topic, record.offset).length }));
      expect(counts).toEqual(bad.map((record) => ({ name: record.name, letters: 1 })));
    }
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Helpers.

/** Produces one record on partition 0 (so bad and good records share a partition, in order); returns its offset. */
async function produce(topic: string, key: string, value: Buffer): Promise<string> {
  if (topic.startsWith('state.')) stateKeys.push({ topic, key });
  const [metadata] = await producer.send({ topic: stack.topic(topic), acks: -1, messages: [{ key, value, partition: 0 }] });
  if (!metadata?.baseOffset) throw new Error(`no offset for the record produced to ${topic}`);
  return metadata.baseOffset;
}

/** A valid record of some other schema than `schema`. */
function wrongSchemaRecord(schema: SchemaName): { schema: SchemaName; value: unknown } {
  return schema === 'events.mailing-started'
    ? { schema: 'events.user-registered', value: userRegistered() }
    : { schema: 'events.mailing-started', value: mailingStarted() };
}

interface DeadLetterWatch {
  waitFor(topic: string, offset: string, description: string): Promise<DeadLetter>;
  /** Every letter of this record seen so far. */
  all(topic: string, offset: string): DeadLetter[];
  /** Resolves once the watcher has read the dead-letter topic up to its current end. */
  settle(): Promise<void>;
  stop(): Promise<void>;
}

/** Reads deliveries.dead-letter from its current end, keeping the letters written by this stack's groups. */
async function watchDeadLetters(testStack: TestStack, valueCodec: Codec): Promise<DeadLetterWatch> {
  const kafka = testStack.runtime.kafka();
  const admin = kafka.admin();
  await admin.connect();
  const deadLetterTopic = testStack.topic(TOPICS.deliveriesDeadLetter);
  const ends = await admin.fetchTopicOffsets(deadLetterTopic);
  const groupId = uniqueName('poison-dead-letters');
  const consumer: Consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 200 });
  const letters: DeadLetter[] = [];
  const start = new Map(ends.map((e) => [e.partition, BigInt(e.high)]));
  const read = new Map<number, bigint>();
  await consumer.connect();
  await consumer.subscribe({ topic: deadLetterTopic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      read.set(partition, BigInt(message.offset) + 1n);
      if (BigInt(message.offset) < (start.get(partition) ?? 0n) || !message.value) return;
      const letter = (await valueCodec.decode('deliveries.dead-letter', message.value)) as DeadLetter;
      if (letter.consumerGroup.startsWith(`${testStack.id}-`)) letters.push(letter);
    },
  });
  for (const { partition, high } of ends) consumer.seek({ topic: deadLetterTopic, partition, offset: high });
  return {
    waitFor: (topic, offset, description) =>
      waitFor(() => letters.find((l) => l.originalTopic === topic && l.offset === offset), { timeoutMs: EFFECT_TIMEOUT_MS, description }),
    all: (topic, offset) => letters.filter((l) => l.originalTopic === topic && l.offset === offset),
    async settle() {
      const now = await admin.fetchTopicOffsets(deadLetterTopic);
      await waitFor(() => now.every(({ partition, high }) => BigInt(high) <= (read.get(partition) ?? start.get(partition) ?? 0n)),
        { timeoutMs: EFFECT_TIMEOUT_MS, description: 'the dead-letter watcher at the end of its topic' });
    },
    async stop() {
      await consumer.disconnect();
      await admin.deleteGroups([groupId]).catch(() => undefined);
      await admin.disconnect();
    },
  };
}

/** Whether every group of this stack reading `topic` has committed past `offset` on partition 0. */
async function groupsCommittedPast(testStack: TestStack, topic: string, offset: string): Promise<boolean> {
  const admin = testStack.runtime.kafka().admin();
  await admin.connect();
  try {
    const { groups } = await admin.listGroups();
    const ours = groups.map((g) => g.groupId).filter((id) => id.startsWith(`${testStack.id}-`));
    const readers: bigint[] = [];
    for (const groupId of ours) {
      const [committed] = await admin.fetchOffsets({ groupId, topics: [testStack.topic(topic)] });
      const partition0 = committed?.partitions.find((p) => p.partition === 0);
      if (partition0 && partition0.offset !== '-1') readers.push(BigInt(partition0.offset));
    }
    // Two lanes read the fan-out topics; a committed offset is the next record to read.
    return readers.length >= 2 && readers.every((next) => next > BigInt(offset));
  } finally {
    await admin.disconnect();
  }
}

/** True once the stage's group has committed everything on the topic now (a committed offset is the next to read). */
async function groupCaughtUp(testStack: TestStack, stage: string, topic: string): Promise<boolean> {
  const admin = testStack.runtime.kafka().admin();
  await admin.connect();
  try {
    const high = await admin.fetchTopicOffsets(testStack.topic(topic));
    const [committed] = await admin.fetchOffsets({ groupId: testStack.runtime.groupId(stage), topics: [testStack.topic(topic)] });
    return high.every((p) => {
      const mine = committed?.partitions.find((c) => c.partition === p.partition);
      return BigInt(p.high) === 0n || (mine !== undefined && BigInt(mine.offset) >= BigInt(p.high));
    });
  } finally {
    await admin.disconnect();
  }
}

/** The (logical) topics assigned to the members of this stack's consumer groups (every group is named `<stack id>-<stage>`). */
async function topicsConsumedBy(testStack: TestStack): Promise<Set<string>> {
  const admin = testStack.runtime.kafka().admin();
  await admin.connect();
  try {
    const { groups } = await admin.listGroups();
    const ours = groups.map((g) => g.groupId).filter((id) => id.startsWith(`${testStack.id}-`));
    const { groups: described } = await admin.describeGroups(ours);
    const topics = new Set<string>();
    for (const group of described) {
      for (const member of group.members) {
        const assignment = AssignerProtocol.MemberAssignment.decode(member.memberAssignment);
        // Logical names; a topic outside the stack's prefix is kept marked, so the coverage check fails on it.
        const head = testStack.topic('');
        for (const topic of Object.keys(assignment?.assignment ?? {})) topics.add(topic.startsWith(head) ? topic.slice(head.length) : `(outside the prefix) ${topic}`);
      }
    }
    return topics;
  } finally {
    await admin.disconnect();
  }
}
