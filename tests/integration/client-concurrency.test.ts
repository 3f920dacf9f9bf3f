/**
 * An opt-out (PATCH through the API) and the push sender's dead-token cleanup race on the same client,
 * on the real Kafka state topic and Redis view: both changes survive, every round. Before, the cleanup
 * read the whole client, dropped the token and put it back, so an opt-out landing in between was undone.
 */
import request from 'supertest';
import { createClientStore } from '../../domain/resources/stores';
import { createCodec } from '../../platform/codec';
import { removeDeviceTokens } from '../../platform/device-tokens';
import { createTypedProducer } from '../../platform/kafka';
import { silentLogger } from '../../platform/logger';
import { createRedis, type Redis } from '../../platform/redis/client';
import type { ResourceStore } from '../../platform/stores/ports';
import { createStateViewConsumer } from '../../processors/state-view/consumer';
import type { Client } from '../../schemas/types';
import { KEYS, bearer, createTestApp } from '../doubles/test-app';
import { createKafkaTestContext } from '../support/kafka';
import { deleteKeysWithPrefix } from '../support/redis';
import { uniqueName } from '../support/unique';

jest.setTimeout(120_000);

const kt = createKafkaTestContext();
const prefix = `vestnik-test-${uniqueName('cas')}:`;
let redis: Redis;
let clients: ResourceStore<Client>;

beforeAll(async () => {
  const codec = createCodec();
  const producer = createTypedProducer({ kafka: kt.kafka, codec, logger: silentLogger });
  kt.onCleanup(() => producer.disconnect());
  redis = createRedis({ url: 'redis://127.0.0.1:6379', keyPrefix: prefix, logger: silentLogger, name: 'cas-test' });
  const topics = {
    clients: await kt.createTopic('cas-clients', { partitions: 3 }),
    mailings: await kt.createTopic('cas-mailings'),
    templates: await kt.createTopic('cas-templates'),
  };
  const consumer = createStateViewConsumer({ kafka: kt.kafka, codec, producer, redis, groupId: kt.groupId('cas-view'), topics, logger: silentLogger });
  kt.onCleanup(() => consumer.stop());
  await consumer.start();
  clients = createClientStore({ producer, redis, topic: topics.clients, viewTimeoutMs: 20_000 });
});

afterAll(async () => {
  try {
    await kt.cleanup();
  } finally {
    await deleteKeysWithPrefix(prefix);
    await redis.quit();
  }
});

it('an opt-out and a token cleanup racing on one client both survive, every round', async () => {
  const http = request(createTestApp({ clients }).app.callback());
  for (let round = 0; round < 6; round++) {
    const id = uniqueName(`cas-${round}`);
    await clients.put({
      id, phone: '79001234567', operatorCode: '900', tags: [], timezone: 'UTC', email: 'a@example.com', emailConfirmed: false,
      name: 'Ann', locale: 'en', deviceTokens: ['dead', 'live'], preferences: { promo: true, channels: {}, quietHours: null },
      subscriptions: [], updatedAt: 1,
    });
    const [optOut, cleaned] = await Promise.all([
      http.patch(`/api/clients/${id}`).set('Authorization', bearer(KEYS.admin))
        .send({ preferences: { promo: false, channels: { sms: false }, quietHours: null } }),
      removeDeviceTokens(clients, id, ['dead']),
    ]);
    expect(optOut.status).toBe(200);
    expect(cleaned).toBe(true);
    const stored = await clients.get(id);
    expect(stored?.preferences).toEqual({ promo: false, channels: { sms: false }, quietHours: null });
    expect(stored?.deviceTokens).toEqual(['live']);
  }
});
