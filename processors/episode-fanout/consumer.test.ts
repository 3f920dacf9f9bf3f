import type { TopicBatch } from '../../platform/kafka';
import { silentLogger } from '../../platform/logger';
import type { Client, DeliveryCommandPage, DeliveryStatusPage, EpisodeReleased, Template } from '../../schemas/types';
import { commandsOfPage } from '../../domain/deliveries/command-page';
import { statusesOfPage } from '../../domain/deliveries/status-page';
import { createRenderer } from '../rendering/render';
import { fanOutEpisode, type EpisodeFanoutDeps } from './consumer';

const NOW = Date.parse('2030-01-01T12:00:00Z');
const event: EpisodeReleased = {
  eventId: 'evt-1', occurredAt: NOW, seriesId: 'dark', seriesTitle: 'Dark', episodeId: 'ep-1', episodeTitle: 'Secrets',
  seasonNumber: 1, episodeNumber: 1, url: 'https://films.test/dark/1/1',
};
const client = (id: string, over: Partial<Client> = {}): Client => ({
  id, phone: '79001234567', operatorCode: '900', tags: [], timezone: 'UTC', email: `${id}@example.test`, emailConfirmed: true,
  name: id.toUpperCase(), locale: 'en', deviceTokens: [], preferences: { promo: true, channels: {}, quietHours: null },
  subscriptions: ['dark'], updatedAt: 1, ...over,
});

/** The directory view in memory: client docs, the series index (sorted as ZRANGEBYLEX sees it), templates. */
function fakeView(clients: Client[], index: string[], templates: Record<string, Template> = {}) {
  const docs = new Map(clients.map((c) => [`client:${c.id}`, JSON.stringify(c)]));
  const sorted = [...index].sort();
  const calls = { mget: 0, zrangebylex: [] as string[] };
  const redis: EpisodeFanoutDeps['redis'] = {
    get: (async (key: string) => {
      const template = key.startsWith('template:') ? templates[key.slice('template:'.length)] : undefined;
      return template ? JSON.stringify(template) : null;
    }) as never,
    mget: (async (...keys: string[]) => {
      calls.mget += 1;
      return keys.map((k) => docs.get(k) ?? null);
    }) as never,
    zrangebylex: (async (key: string, min: string, _max: string, _l: string, _o: number, count: number) => {
      calls.zrangebylex.push(`${key} ${min}`);
      const after = min === '-' ? null : min.slice(1);
      return sorted.filter((m) => after === null || m > after).slice(0, count);
    }) as never,
  };
  return { redis, calls };
}

function setup(clients: Client[], index: string[], templates: Record<string, Template> = {}, batchSize = 2) {
  const view = fakeView(clients, index, templates);
  const batches: TopicBatch[][] = [];
  const deps: EpisodeFanoutDeps = {
    redis: view.redis,
    producer: {
      sendBatch: async (b: readonly TopicBatch[]) => {
        batches.push([...b]);
        return [];
      },
    },
    logger: silentLogger, renderer: createRenderer(), batchSize, clock: { now: () => NOW },
  };
  const heartbeat = jest.fn(async () => undefined);
  const run = () => fanOutEpisode(deps, event, heartbeat);
  const commands = () => batches.flatMap((b) => b.filter((t) => t.topic === 'deliveries.bulk-pages').flatMap((t) => t.records.flatMap((r) => commandsOfPage(r.value as DeliveryCommandPage))));
  const statuses = () => batches.flatMap((b) => b.filter((t) => t.topic === 'deliveries.status-pages').flatMap((t) => t.records.flatMap((r) => statusesOfPage(r.value as DeliveryStatusPage))));
  return { run, batches, heartbeat, commands, statuses, calls: view.calls };
}

describe('fanOutEpisode', () => {
  it('walks the series index page by page: one MGET, one produce and one heartbeat per page', async () => {
    const clients = ['a', 'b', 'c', 'd', 'e'].map((id) => client(id));
    const t = setup(clients, clients.map((c) => c.id));
    await t.run();
    expect(t.calls.zrangebylex).toEqual(['clients:series:dark -', 'clients:series:dark (b', 'clients:series:dark (d']);
    expect(t.calls.mget).toBe(3);
    expect(t.batches).toHaveLength(3);
    expect(t.heartbeat).toHaveBeenCalledTimes(3);
    expect(t.commands().map((c) => c.address)).toEqual(['a', 'b', 'c', 'd', 'e'].map((id) => `${id}@example.test`));
    expect(t.commands().every((c) => c.priority === 'bulk' && c.sourceType === 'episode' && c.sourceId === 'evt-1')).toBe(true);
  });

  it('puts the emails on deliveries.bulk and every status, suppressed ones too, in one status page', async () => {
    const clients = [client('a'), client('b', { email: null }), client('c', { preferences: { promo: true, channels: { email: false }, quietHours: null } })];
    const t = setup(clients, ['a', 'b', 'c'], {}, 10);
    await t.run();
    expect(t.batches).toHaveLength(1);
    expect(t.batches[0]!.map((b) => [b.topic, b.records.length])).toEqual([['deliveries.bulk-pages', 1], ['deliveries.status-pages', 1]]);
    expect(t.statuses().map((s) => [s.clientId, s.status, s.reason])).toEqual([
      ['a', 'queued', null], ['b', 'suppressed', 'no email address'], ['c', 'suppressed', 'email opt-out'],
    ]);
  });

  it('skips ids whose doc is gone or no longer lists the series (unsubscribed after the index read)', async () => {
    const t = setup([client('a'), client('b', { subscriptions: ['other'] })], ['a', 'b', 'deleted'], {}, 10);
    await t.run();
    expect(t.statuses().map((s) => s.clientId)).toEqual(['a']);
  });

  it('produces nothing for a series without subscribers', async () => {
    const t = setup([], []);
    await t.run();
    expect(t.batches).toHaveLength(0);
    expect(t.calls.mget).toBe(0);
  });

  it('renders with the admin-stored "episode-released" template when there is one', async () => {
    const stored: Template = {
      id: 'episode-released', name: null, defaultLocale: 'en', contextProvider: null, updatedAt: 1,
      variants: { en: { email: { subject: 'Now on: {{episodeTitle}}', text: '{{name}} → {{url}}', html: null }, sms: null, push: null, inapp: null } },
    };
    const t = setup([client('a')], ['a'], { 'episode-released': stored });
    await t.run();
    expect(t.commands()[0]!.content).toMatchObject({ subject: 'Now on: Secrets', text: 'A → https://films.test/dark/1/1' });
  });

  it('a replay produces the same delivery and status ids', async () => {
    const clients = [client('a'), client('b', { email: null })];
    const first = setup(clients, ['a', 'b']);
    const replay = setup(clients, ['a', 'b']);
    await first.run();
    await replay.run();
    expect(replay.statuses().map((s) => s.statusId)).toEqual(first.statuses().map((s) => s.statusId));
    expect(replay.commands().map((c) => c.deliveryId)).toEqual(first.commands().map((c) => c.deliveryId));
  });
});
