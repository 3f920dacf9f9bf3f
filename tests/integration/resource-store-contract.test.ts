/**
 * The ResourceStore contract (tests/contracts/resource-store.ts) on the real stores: Kafka state topics,
 * the state-view consumer and the Redis directory view, with the mailing runs in Redis as the fan-out
 * writes them. The same suite runs against the in-memory doubles in the unit tier.
 */
import { createClientStore, createMailingStore } from '../../domain/resources/stores';
import { startRun } from '../../domain/mailing-run/record';
import { createCodec } from '../../platform/codec';
import { createTypedProducer } from '../../platform/kafka';
import { silentLogger } from '../../platform/logger';
import { createRedis, type Redis } from '../../platform/redis/client';
import { createStateViewConsumer } from '../../processors/state-view/consumer';
import { describeResourceStoreContract, type ContractStores } from '../contracts/resource-store';
import { createKafkaTestContext } from '../support/kafka';
import { uniqueName } from '../support/unique';

jest.setTimeout(90_000);

const kt = createKafkaTestContext();
const prefix = `vestnik-test-${uniqueName('contract')}:`;
let redis: Redis;
let stores: ContractStores;

beforeAll(async () => {
  const codec = createCodec();
  const producer = createTypedProducer({ kafka: kt.kafka, codec, logger: silentLogger });
  kt.onCleanup(() => producer.disconnect());
  redis = createRedis({ url: 'redis://127.0.0.1:6379', keyPrefix: prefix, logger: silentLogger, name: 'contract-test' });
  const topics = {
    clients: await kt.createTopic('contract-clients', { partitions: 3 }),
    mailings: await kt.createTopic('contract-mailings'),
    templates: await kt.createTopic('contract-templates'),
  };
  const consumer = createStateViewConsumer({ kafka: kt.kafka, codec, producer, redis, groupId: kt.groupId('contract-view'), topics, logger: silentLogger });
  kt.onCleanup(() => consumer.stop());
  await consumer.start();
  const deps = { producer, redis, viewTimeoutMs: 20_000 };
  stores = {
    clients: createClientStore({ ...deps, topic: topics.clients }),
    mailings: createMailingStore({ ...deps, topic: topics.mailings }),
    startRun: (mailingId) => startRun(redis, mailingId, Date.now()),
  };
});

afterAll(async () => {
  try {
    await kt.cleanup();
  } finally {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys.map((key) => key.slice(prefix.length)));
    await redis.quit();
  }
});

describeResourceStoreContract('Kafka state topics + Redis view', () => stores, () => 'real');
