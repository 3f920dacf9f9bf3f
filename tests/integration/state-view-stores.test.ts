import { createCodec } from '../../platform/codec';
import type { Codec } from '../../platform/codec/codec';
import { createTypedProducer, type TypedProducer } from '../../platform/kafka';
import { silentLogger } from '../../platform/logger';
import type { Redis } from '../../platform/redis/client';
import { KEYS } from '../../platform/redis/keys';
import { createClientStore, createMailingStore, createTemplateStore } from '../../domain/resources/stores';
import { rebuildView } from '../../cli/commands/rebuild-view';
import { createStateViewConsumer, type StateTopics, type StateViewConsumer } from '../../processors/state-view/consumer';
import type { ResourceStore } from '../../platform/stores/ports';
import type { Client, Mailing, Template } from '../../schemas/types';
import { createKafkaTestContext } from '../support/kafka';
import { clientRecord, listingPages, mailingRecord } from '../support/records';
import { startRedisBackend, type RedisBackend, type RedisBackendName } from '../support/redis-backend';
import { uniqueName } from '../support/unique';
import { waitFor } from '../support/wait-for';

jest.setTimeout(90_000);

/**
 * The resource stores over the directory view, and its rebuild, on the run's Redis and on a Redis Cluster
 * (issue 16: there the view's apply writes key by key, and the rebuild scans every master).
 */
for (const backendName of ['one Redis', 'a Redis Cluster'] as const) describe(`on ${backendName}`, () => describeStateView(backendName));

function describeStateView(backendName: RedisBackendName): void {
  const kt = createKafkaTestContext();
  const prefix = `vestnik-test-${uniqueName('state-view')}:`;
  let backend: RedisBackend;
  let codec: Codec;
  let producer: TypedProducer;
  let redis: Redis;
  let topics: StateTopics;
  let groupId: string;
  let consumer: StateViewConsumer;
  let clients: ResourceStore<Client>;
  let mailings: ResourceStore<Mailing>;
  let templates: ResourceStore<Template>;

  function startConsumer(): StateViewConsumer {
    const started = createStateViewConsumer({ kafka: kt.kafka, codec, producer, redis, groupId, topics, logger: silentLogger });
    kt.onCleanup(() => started.stop());
    return started;
  }

  /** Deletes every key of this run. */
  const deleteAllKeys = () => backend.clear(prefix);

  beforeAll(async () => {
    codec = createCodec();
    producer = createTypedProducer({ kafka: kt.kafka, codec, logger: silentLogger });
    kt.onCleanup(() => producer.disconnect());
    backend = await startRedisBackend(backendName);
    redis = backend.connect('state-view-test', prefix);
    topics = {
      clients: await kt.createTopic('sv-clients', { partitions: 3 }),
      mailings: await kt.createTopic('sv-mailings'),
      templates: await kt.createTopic('sv-templates'),
    };
    groupId = kt.groupId('sv-view');
    const storeDeps = { producer, redis, viewTimeoutMs: 20_000 };
    clients = createClientStore({ ...storeDeps, topic: topics.clients });
    mailings = createMailingStore({ ...storeDeps, topic: topics.mailings });
    templates = createTemplateStore({ ...storeDeps, topic: topics.templates });
    consumer = startConsumer();
    await consumer.start();
  });

  afterAll(async () => {
    try {
      await kt.cleanup();
    } finally {
      await deleteAllKeys();
      await redis.quit();
      await backend.stop();
    }
  });

  const client = clientRecord;
  const mailing = mailingRecord;
  const allPages = listingPages;

  describe('Kafka-backed stores over the Redis directory view', () => {
    it('reads its own writes: get right after put sees the value, no waiting', async () => {
      const value = client('ryw-1', { tags: ['ryw'], name: 'Anna' });
      await clients.put(value);
      expect(await clients.get('ryw-1')).toEqual(value);
      const updated = { ...value, name: 'Anna P.' };
      await clients.put(updated);
      expect(await clients.get('ryw-1')).toEqual(updated);

      const template: Template = { id: 'tpl-1', name: 'welcome', defaultLocale: 'en', contextProvider: null, updatedAt: 1,
        variants: { en: { email: null, sms: 'Hi {{name}}', push: null, inapp: null, webhook: null } } };
      await templates.put(template);
      expect(await templates.get('tpl-1')).toEqual(template);
    });

    it('lists by tag and by operator code across pages, in id order', async () => {
      // 7 tagged "pg" (3 pages of 3), 7 on operator 777 (p-00..p-06 overlap both), 3 decoys.
      const values = Array.from({ length: 10 }, (_, i) => {
        const id = `p-${String(i).padStart(2, '0')}`;
        return client(id, { tags: i < 7 ? ['pg', 'other'] : ['other'], operatorCode: i % 10 < 7 ? '777' : '778' });
      });
      values.push(client('q-00', { tags: ['other'], operatorCode: '777' }));
      await Promise.all(values.map((value) => clients.put(value)));

      expect(await allPages(clients, { tag: 'pg' }, 3)).toEqual([['p-00', 'p-01', 'p-02'], ['p-03', 'p-04', 'p-05'], ['p-06']]);
      expect(await allPages(clients, { operatorCode: '777' }, 3))
        .toEqual([['p-00', 'p-01', 'p-02'], ['p-03', 'p-04', 'p-05'], ['p-06', 'q-00']]);
      expect(await allPages(clients, { operatorCode: '777', tag: 'pg' }, 3))
        .toEqual([['p-00', 'p-01', 'p-02'], ['p-03', 'p-04', 'p-05'], ['p-06']]);
      expect((await clients.list({ limit: 3, filter: { tag: 'pg' } })).items[0]).toEqual(values[0]);
    });

    it('moving a client between tags and operators takes it out of the old indexes', async () => {
      await clients.put(client('mv-1', { tags: ['mv-old'], operatorCode: '901' }));
      expect(await allPages(clients, { tag: 'mv-old' }, 10)).toEqual([['mv-1']]);

      await clients.put(client('mv-1', { tags: ['mv-new'], operatorCode: '902' }));
      expect(await allPages(clients, { tag: 'mv-old' }, 10)).toEqual([[]]);
      expect(await allPages(clients, { operatorCode: '901' }, 10)).toEqual([[]]);
      expect(await allPages(clients, { tag: 'mv-new' }, 10)).toEqual([['mv-1']]);
      expect(await allPages(clients, { operatorCode: '902' }, 10)).toEqual([['mv-1']]);
      // The listing re-checks filters on each doc, so look at the index sets themselves too.
      expect(await redis.zrange(KEYS.clientsByTag('mv-old'), '0', '-1')).toEqual([]);
      expect(await redis.zrange(KEYS.clientsByOperator('901'), '0', '-1')).toEqual([]);
    });

    it('remove tombstones the record: get is null and every index forgets it', async () => {
      await clients.put(client('rm-1', { tags: ['rm'], operatorCode: '903' }));
      expect(await clients.remove('rm-1')).toBe(true);
      expect(await clients.get('rm-1')).toBeNull();
      expect(await allPages(clients, { tag: 'rm' }, 10)).toEqual([[]]);
      expect(await allPages(clients, { operatorCode: '903' }, 10)).toEqual([[]]);
      expect((await allPages(clients, {}, 100)).flat()).not.toContain('rm-1');
      for (const index of [KEYS.clientsByTag('rm'), KEYS.clientsByOperator('903'), KEYS.clientIds]) {
        expect(await redis.zscore(index, 'rm-1')).toBeNull();
      }
      expect(await clients.remove('rm-1')).toBe(false);
    });

    it('overlays the run status on mailings; a cancellation wins', async () => {
      await mailings.put(mailing('m-1'));
      await mailings.put(mailing('m-2'));
      expect((await mailings.get('m-1'))?.status).toBe('scheduled');
      expect(await redis.zscore(KEYS.mailingSchedule, 'm-1')).not.toBeNull();

      await redis.hset(KEYS.mailingRun('m-1'), 'status', 'running');
      expect((await mailings.get('m-1'))?.status).toBe('running');
      expect(await allPages(mailings, { status: 'running' }, 1)).toEqual([['m-1']]);
      expect(await allPages(mailings, { status: 'scheduled' }, 1)).toEqual([['m-2']]);

      await mailings.put(mailing('m-1', { status: 'cancelled' }));
      expect((await mailings.get('m-1'))?.status).toBe('cancelled');
      expect(await redis.zscore(KEYS.mailingSchedule, 'm-1')).toBeNull();
      expect(await allPages(mailings, { status: 'running' }, 1)).toEqual([[]]);
    });

    it('rebuildView after clearing Redis restores the same docs and indexes by replay', async () => {
      const before = {
        all: await allPages(clients, {}, 4),
        tag: await allPages(clients, { tag: 'pg' }, 3),
        docs: await Promise.all(['p-00', 'mv-1', 'ryw-1'].map((id) => clients.get(id))),
        mailing: await mailings.get('m-2'),
      };
      expect(before.all.flat().length).toBeGreaterThan(10);

      await consumer.stop();
      await deleteAllKeys();
      await Promise.all(['stale', 'stale-1', 'stale-2', 'stale-3'].map((id) => redis.set(KEYS.client(id), '{}'))); // leftover view keys, on every master of a Cluster, the rebuild must clear
      await rebuildView({ kafka: kt.kafka, redis, groupId, topics });
      expect(await Promise.all(['stale', 'stale-1', 'stale-2', 'stale-3'].map((id) => redis.exists(KEYS.client(id))))).toEqual([0, 0, 0, 0]);

      consumer = startConsumer();
      await consumer.start();
      await waitFor(async () => {
        expect(await allPages(clients, {}, 4)).toEqual(before.all);
        return true;
      }, { timeoutMs: 30_000, description: 'view rebuilt from the state topics' });
      expect(await allPages(clients, { tag: 'pg' }, 3)).toEqual(before.tag);
      expect(await Promise.all(['p-00', 'mv-1', 'ryw-1'].map((id) => clients.get(id)))).toEqual(before.docs);
      await waitFor(async () => (await mailings.get('m-2'))?.id === 'm-2', { description: 'mailings rebuilt' });
      expect(await mailings.get('m-2')).toEqual(before.mailing);
      expect(await clients.get('rm-1')).toBeNull();
    });
  });
}
