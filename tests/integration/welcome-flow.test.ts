import Router from '@koa/router';
import Koa from 'koa';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createCodec } from '../../platform/codec';
import { createBatchConsumer, createTypedProducer, type TypedProducer } from '../../platform/kafka';
import { createLinkStore, LINK_KEYS, type Link, type LinkStore } from '../../platform/links/link-store';
import { silentLogger } from '../../platform/logger';
import { createRedis, type Redis } from '../../platform/redis/client';
import { createDelayQueue } from '../../platform/redis/delay-queue';
import type { ApiState } from '../../ingest/http/context';
import type { RouteTarget } from '../../ingest/http/route';
import { errorHandler } from '../../ingest/middleware/error-handler';
import { createRegistry } from '../../ingest/openapi/document';
import { mountLinkRoutes } from '../../ingest/routes/links';
import { createWelcomeConsumer } from '../../processors/welcome/consumer';
import { deliveryIdOf } from '../../platform/ids';
import type { DeliveryStatus, UserRegistered } from '../../schemas/types';
import { createSenderConsumer } from '../../senders/core/consumer';
import { createEmailChannel, type EmailChannel } from '../../senders/email/channel';
import { createSmtpSink, type SmtpSink } from '../../simulators/smtp';
import { createKafkaTestContext } from '../support/kafka';
import { deleteKeysWithPrefix, TEST_REDIS_URL } from '../support/redis';
import { uniqueName } from '../support/unique';
import { waitFor } from '../support/wait-for';

jest.setTimeout(90_000);

const kt = createKafkaTestContext();
const prefix = `vestnik-test-${uniqueName('welcome-flow')}:`;
let producer: TypedProducer;
let redis: Redis;
let links: LinkStore;
let sink: SmtpSink;
let email: EmailChannel;
let server: Server;
let baseUrl: string;
let inputTopic: string;
let commandTopic: string;
let senderGroup: string;
const confirmed: Link[] = [];
const statuses: DeliveryStatus[] = [];

/** The public HTTP side: only the links route, on a real port, so the link in the email is opened as is. */
async function startLinkServer(): Promise<void> {
  const target: RouteTarget = { router: new Router<ApiState>(), registry: createRegistry(), guard: () => async () => undefined };
  mountLinkRoutes(target, { links, onConfirmed: async (link) => void confirmed.push(link), logger: silentLogger });
  const app = new Koa<ApiState>();
  app.use(errorHandler(silentLogger));
  app.use(target.router.routes());
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  const codec = createCodec();
  producer = createTypedProducer({ kafka: kt.kafka, codec, logger: silentLogger });
  kt.onCleanup(() => producer.disconnect());
  redis = createRedis({ url: TEST_REDIS_URL, keyPrefix: prefix, logger: silentLogger, name: 'test-welcome-flow' });
  links = createLinkStore({ redis });
  sink = createSmtpSink({ port: 0 });
  await sink.start();
  email = createEmailChannel({ smtpUrl: sink.url, from: 'Vestnik <noreply@vestnik.test>', pool: true, maxConnections: 2, timeoutMs: 2_000 });
  await startLinkServer();
  inputTopic = await kt.createTopic('welcome-user-registered');
  commandTopic = await kt.createTopic('welcome-commands');
  const statusTopic = await kt.createTopic('welcome-status');
  const deadLetterTopic = await kt.createTopic('welcome-dlq');
  senderGroup = kt.groupId('welcome-sender');
  const welcome = createWelcomeConsumer({
    kafka: kt.kafka, codec, producer, links, baseUrl, linkTtlMs: 60_000, logger: silentLogger, groupId: kt.groupId('welcome'),
    topics: { input: inputTopic, commands: commandTopic, statuses: statusTopic }, fromBeginning: true, deadLetterTopic,
  });
  const sender = createSenderConsumer({
    kafka: kt.kafka, codec, producer, redis, delayQueue: createDelayQueue({ redis }), deliverers: { email }, groupId: senderGroup,
    topics: [{ topic: commandTopic, schema: 'deliveries.command' }],
    outputs: { status: statusTopic, retry: commandTopic, express: commandTopic, bulk: commandTopic },
    retryPolicy: { maxAttempts: 5, baseMs: 20, maxMs: 200, random: Math.random, ambiguous: { actions: { sms: 'fail', push: 'resend', email: 'resend', inapp: 'resend', webhook: 'resend' }, resendDelayFactor: 5 } },
    leaseMs: 10_000, clock: { now: () => Date.now() }, logger: silentLogger, ownerId: `test-${randomUUID()}`,
    fromBeginning: true, deadLetterTopic,
  });
  const collector = createBatchConsumer<DeliveryStatus>({
    kafka: kt.kafka, codec, producer, groupId: kt.groupId('welcome-status'), topics: [{ topic: statusTopic, schema: 'deliveries.status' }],
    logger: silentLogger, fromBeginning: true, deadLetterTopic,
    handler: async (records) => void statuses.push(...records.flatMap((r) => (r.value ? [r.value] : []))),
  });
  kt.onCleanup(() => collector.stop());
  kt.onCleanup(() => sender.stop());
  kt.onCleanup(() => welcome.stop());
  await Promise.all([welcome.start(), sender.start(), collector.start()]);
});

afterAll(async () => {
  await kt.cleanup();
  await email?.close();
  await sink?.stop();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  await deleteKeysWithPrefix(prefix);
  await redis?.quit();
});

const open = (url: string) => fetch(url, { redirect: 'manual' });
const publish = (event: UserRegistered) =>
  producer.send(inputTopic, [{ key: event.userId, value: event }], { schema: 'events.user-registered' });

describe('welcome flow: user registered → welcome email over SMTP → confirmation link', () => {
  const event: UserRegistered = {
    eventId: `evt-${randomUUID()}`, occurredAt: Date.now(), userId: `user-${randomUUID()}`,
    email: `ann-${randomUUID()}@example.test`, name: 'Ann Lee', locale: 'en', timezone: 'Europe/Berlin',
  };
  let link = '';

  it('the email arrives with the user\'s name and a link, and the delivery is recorded as sent', async () => {
    await publish(event);
    const [received] = await waitFor(() => {
      const messages = sink.messagesTo(event.email);
      return messages.length > 0 ? messages : null;
    }, { timeoutMs: 45_000, description: 'the welcome email' });
    expect(received!.subject).toBe('Welcome, Ann Lee! Please confirm your email');
    expect(received!.text).toContain('Hello Ann Lee,');
    link = new RegExp(`${baseUrl}/l/[A-Za-z0-9_-]+`).exec(received!.text)?.[0] ?? '';
    expect(link).not.toBe('');
    expect(received!.html).toContain(`href="${link}"`);
    const deliveryId = deliveryIdOf('welcome', event.eventId, event.userId, 'email');
    expect(received!.messageId).toBe(`<${deliveryId}@vestnik.test>`);
    await waitFor(() => statuses.some((s) => s.deliveryId === deliveryId && s.status === 'sent'), { timeoutMs: 30_000, description: 'sent status' });
    expect(statuses.filter((s) => s.deliveryId === deliveryId).map((s) => s.status).sort()).toEqual(['queued', 'sent']);
  });

  it('opening the link: 302 to the confirmed page the first time, onConfirmed once; 410 "already used" after', async () => {
    const first = await open(link);
    expect(first.status).toBe(302);
    expect(first.headers.get('location')).toBe(`${baseUrl}/links/confirmed`);
    expect(confirmed).toEqual([expect.objectContaining({ purpose: 'email-confirmation', subject: event.userId })]);
    const second = await open(link);
    expect(second.status).toBe(410);
    expect(await second.text()).toContain('already used');
    expect(confirmed).toHaveLength(1);
  });

  it('a replayed event sends no second email and creates no second link', async () => {
    await publish(event);
    await waitFor(async () => {
      const committed = await kt.committedOffsets(senderGroup, commandTopic);
      return (committed.get(0) ?? 0n) >= 2n;
    }, { timeoutMs: 45_000, description: 'the sender handled the replayed command' });
    expect(sink.messagesTo(event.email)).toHaveLength(1);
    expect(await redis.get(LINK_KEYS.bySource(`welcome:${event.eventId}`))).toBe(link.split('/l/')[1]);
  });

  it('a link created with a 1 ms TTL shows the expired page; an unknown code too', async () => {
    const code = await links.create({ url: `${baseUrl}/links/confirmed`, ttlMs: 1, purpose: 'email-confirmation', subject: 'u-x' });
    await waitFor(async () => (await redis.exists(LINK_KEYS.link(code))) === 0, { description: 'the link expired in Redis' });
    for (const url of [`${baseUrl}/l/${code}`, `${baseUrl}/l/NoSuchCode123`]) {
      const res = await open(url);
      expect(res.status).toBe(410);
      expect(await res.text()).toContain('has expired');
    }
  });

  it('two concurrent opens of a fresh link: exactly one confirms', async () => {
    const code = await links.create({ url: `${baseUrl}/links/confirmed`, ttlMs: 60_000, purpose: 'email-confirmation', subject: 'u-race' });
    const answers = await Promise.all(Array.from({ length: 5 }, () => open(`${baseUrl}/l/${code}`)));
    expect(answers.map((a) => a.status).sort()).toEqual([302, 410, 410, 410, 410]);
    expect(confirmed.filter((l) => l.subject === 'u-race')).toHaveLength(1);
  });

  it('a restored link (confirmation not recorded) can be used again, once', async () => {
    const code = await links.create({ url: `${baseUrl}/links/confirmed`, ttlMs: 60_000, purpose: 'email-confirmation', subject: 'u-restore' });
    const first = await links.consume(code);
    expect(first.kind).toBe('ok');
    if (first.kind === 'ok') await links.restore(code, first.link);
    expect(await links.consume(code)).toMatchObject({ kind: 'ok', link: { subject: 'u-restore' } });
    expect(await links.consume(code)).toEqual({ kind: 'used' });
  });
});
