/**
 * A directory view of its own for tests of the resource stores: fresh state topics, a Redis key prefix,
 * the state-view consumer running, and the stores over them. Registers its own beforeAll/afterAll, so a
 * test file calls it at the top level and reads the world inside its tests.
 */
import { createClientStore, createMailingStore, createTemplateStore } from '../../domain/resources/stores';
import { createCodec } from '../../platform/codec';
import { createTypedProducer, type TypedProducer } from '../../platform/kafka';
import { silentLogger } from '../../platform/logger';
import type { Redis } from '../../platform/redis/client';
import type { ResourceStore } from '../../platform/stores/ports';
import { createStateViewConsumer, type StateTopics } from '../../processors/state-view/consumer';
import type { Client, Mailing, Template } from '../../schemas/types';
import { createKafkaTestContext } from './kafka';
import { startRedisBackend, type RedisBackend, type RedisBackendName } from './redis-backend';
import { uniqueName } from './unique';

export interface ViewWorld {
  redis: Redis;
  producer: TypedProducer;
  topics: StateTopics;
  clients: ResourceStore<Client>;
  mailings: ResourceStore<Mailing>;
  templates: ResourceStore<Template>;
}

/** The world of this test file; `name` prefixes its topics, group and keys; the view on the run's Redis or a Redis Cluster. */
export function useViewWorld(name: string, backendName: RedisBackendName = 'one Redis'): () => ViewWorld {
  const kt = createKafkaTestContext();
  const prefix = `vestnik-test-${uniqueName(name)}:`;
  let world: ViewWorld | undefined;
  let backend: RedisBackend | undefined;

  beforeAll(async () => {
    backend = await startRedisBackend(backendName);
    const codec = createCodec();
    const producer = createTypedProducer({ kafka: kt.kafka, codec, logger: silentLogger });
    kt.onCleanup(() => producer.disconnect());
    const redis = backend.connect(`${name}-test`, prefix);
    const topics = {
      clients: await kt.createTopic(`${name}-clients`, { partitions: 3 }),
      mailings: await kt.createTopic(`${name}-mailings`),
      templates: await kt.createTopic(`${name}-templates`),
    };
    const consumer = createStateViewConsumer({ kafka: kt.kafka, codec, producer, redis, groupId: kt.groupId(`${name}-view`), topics, logger: silentLogger });
    kt.onCleanup(() => consumer.stop());
    await consumer.start();
    const deps = { producer, redis, viewTimeoutMs: 20_000 };
    world = {
      redis, producer, topics,
      clients: createClientStore({ ...deps, topic: topics.clients }),
      mailings: createMailingStore({ ...deps, topic: topics.mailings }),
      templates: createTemplateStore({ ...deps, topic: topics.templates }),
    };
  });

  afterAll(async () => {
    try {
      await kt.cleanup();
    } finally {
      await backend?.clear(prefix);
      await world?.redis.quit();
      await backend?.stop();
    }
  });

  return () => {
    if (!world) throw new Error('the view world is read before its beforeAll ran');
    return world;
  };
}
