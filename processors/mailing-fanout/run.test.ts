import type { TopicBatch } from '../../platform/kafka';
import { silentLogger } from '../../platform/logger';
import type { Client, DeliveryCommandPage, DeliveryStatus, DeliveryStatusPage, Mailing } from '../../schemas/types';
import { commandsOfPage } from '../../domain/deliveries/command-page';
import { statusesOfPage } from '../../domain/deliveries/status-page';
import { createRenderer } from '../rendering/render';
import { runFanout, type FanoutDeps } from './run';

const NOW = Date.parse('2030-01-01T12:00:00Z');
const TAG = 'vip';
const mailing: Mailing = {
  id: 'm1', text: 'Hi {{name}}', templateId: null, startAt: NOW - 1_000, endAt: NOW + 3_600_000, filter: { tags: [TAG], operatorCodes: [] },
  channel: 'sms', sendWindow: null, promo: false, priority: 'bulk', status: 'scheduled', createdAt: 1, updatedAt: 1,
};
const client = (id: string): Client => ({
  id, phone: '79001234567', operatorCode: '900', tags: [TAG], timezone: 'UTC', email: null, emailConfirmed: false, name: id,
  locale: 'en', deviceTokens: [], preferences: { promo: true, channels: {}, quietHours: null }, subscriptions: [], updatedAt: 1,
});

/**
 * The Redis the walk touches, in memory: the tag index (as ZRANGEBYLEX pages it) and the hashes. Every
 * checkpoint write is kept in order, so a test sees each step the walk recorded, not just the last.
 */
function fakeRedis(ids: string[]) {
  const hashes = new Map<string, Record<string, string>>();
  const checkpoints: Record<string, string>[] = [];
  const hset = async (key: string, fields: Record<string, unknown>) => {
    const strings = Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, String(v)]));
    hashes.set(key, { ...hashes.get(key), ...strings });
    if (key.startsWith('fanout:')) checkpoints.push(strings);
    return 1;
  };
  const multi = () => {
    const chain = { hset: () => chain, hsetnx: () => chain, sadd: () => chain, exec: async () => [] };
    return chain;
  };
  const redis = {
    hgetall: async (key: string) => hashes.get(key) ?? {},
    hset,
    multi,
    zrangebylex: async (_key: string, min: string, _max: string, _limit: string, _offset: number, count: number) => {
      const after = min === '-' ? null : min.slice(1);
      return [...ids].sort().filter((id) => after === null || id > after).slice(0, count);
    },
  } as unknown as FanoutDeps['redis'];
  return { redis, checkpoints };
}

/**
 * Six clients in pages of two. `failOnPage` makes that produce (1-based) reject after a tick, `failReadOfPage`
 * that page's client read; `cancelledFromRead` has the mailing read as cancelled from its n-th read on (the
 * fan-out's start reads it first, then each page's read).
 */
function setup(options: { failOnPage?: number; failReadOfPage?: number; cancelledFromRead?: number } = {}) {
  const ids = ['c1', 'c2', 'c3', 'c4', 'c5', 'c6'];
  const { redis, checkpoints } = fakeRedis(ids);
  const produced: string[][] = [];
  /** How many command page records each produce carried. */
  const pageRecords: number[] = [];
  /** Each page's statuses, read back from the page records it produced. */
  const statuses: DeliveryStatus[][] = [];
  const clientLoads: string[][] = [];
  /** What happened in which order: `read <first id>` and `acked <first id>`. */
  const events: string[] = [];
  let sends = 0;
  let mailingReads = 0;
  const deps: FanoutDeps = {
    redis,
    producer: {
      sendBatch: async (batches: readonly TopicBatch[]) => {
        sends += 1;
        await new Promise((resolve) => setImmediate(resolve));
        if (sends === options.failOnPage) throw new Error('broker gone');
        const commandPages = (batches.find((b) => b.topic === 'deliveries.bulk-pages')?.records ?? []).map((r) => r.value as DeliveryCommandPage);
        pageRecords.push(commandPages.length);
        const commands = commandPages.flatMap(commandsOfPage).map((command) => command.clientId);
        produced.push(commands);
        const pages = (batches.find((b) => b.topic === 'deliveries.status-pages')?.records ?? []).map((r) => r.value as DeliveryStatusPage);
        statuses.push(pages.flatMap(statusesOfPage));
        events.push(`acked ${commands[0]}`);
        return [];
      },
    } as unknown as FanoutDeps['producer'],
    renderer: createRenderer(),
    clock: { now: () => NOW },
    batchSize: 2,
    logger: silentLogger,
    loadMailing: async () => {
      mailingReads += 1;
      return options.cancelledFromRead !== undefined && mailingReads >= options.cancelledFromRead ? { ...mailing, status: 'cancelled' } : mailing;
    },
    loadTemplate: async () => null,
    loadClients: async (page) => {
      clientLoads.push([...page]);
      if (clientLoads.length === options.failReadOfPage) throw new Error('Redis gone');
      events.push(`read ${page[0]}`);
      return page.map(client);
    },
  };
  return { run: () => runFanout(deps, { mailingId: mailing.id, occurredAt: NOW }, async () => undefined), produced, pageRecords, statuses, checkpoints, clientLoads, events };
}

describe('runFanout: reading a page ahead of the one being produced', () => {
  it('produces every page once, in order, and moves the checkpoint only past acknowledged pages', async () => {
    const { run, produced, checkpoints, events } = setup();
    await run();
    expect(produced).toEqual([['c1', 'c2'], ['c3', 'c4'], ['c5', 'c6']]);
    // Each next page is read while the one before is still being produced.
    expect(events).toEqual(['read c1', 'read c3', 'acked c1', 'read c5', 'acked c3', 'acked c5']);
    expect(checkpoints.map((c) => [c.after, c.queued, c.done])).toEqual([
      ['c2', '2', '0'], ['c4', '4', '0'], ['c6', '6', '0'], ['', '6', '1'],
    ]);
  });

  it('sends each page\'s `queued` statuses as one page record beside its commands, not a record per recipient', async () => {
    const { run, statuses } = setup();
    await run();
    expect(statuses.map((page) => page.map((status) => [status.clientId, status.status, status.sourceId, status.occurredAt]))).toEqual([
      [['c1', 'queued', 'm1', NOW], ['c2', 'queued', 'm1', NOW]],
      [['c3', 'queued', 'm1', NOW], ['c4', 'queued', 'm1', NOW]],
      [['c5', 'queued', 'm1', NOW], ['c6', 'queued', 'm1', NOW]],
    ]);
  });

  it('sends each page\'s commands as one page record on deliveries.bulk-pages, not a record per recipient', async () => {
    const { run, pageRecords } = setup();
    await run();
    expect(pageRecords).toEqual([1, 1, 1]);
  });

  it('fails the fan-out when a page is refused, with the checkpoint at the last page that was acknowledged', async () => {
    const { run, produced, checkpoints, clientLoads } = setup({ failOnPage: 2 });
    await expect(run()).rejects.toThrow('broker gone');
    expect(produced).toEqual([['c1', 'c2']]);
    // The third page may have been read while the second was in flight, but it is never produced or recorded.
    expect(clientLoads.length).toBeLessThanOrEqual(3);
    expect(checkpoints.map((c) => c.after)).toEqual(['c2']);
    expect(checkpoints.some((c) => c.done === '1')).toBe(false);
  });

  it('fails the fan-out when a page cannot be read, after the page before it is acknowledged', async () => {
    const { run, produced, checkpoints } = setup({ failReadOfPage: 2 });
    await expect(run()).rejects.toThrow('Redis gone');
    expect(produced).toEqual([['c1', 'c2']]);
    expect(checkpoints.map((c) => c.after)).toEqual(['c2']);
  });

  it('stops at the first page read after the mailing is cancelled, producing nothing of it or after it', async () => {
    const { run, produced, checkpoints } = setup({ cancelledFromRead: 3 });
    await run();
    expect(produced).toEqual([['c1', 'c2']]);
    expect(checkpoints.map((c) => [c.after, c.done])).toEqual([['c2', '0']]);
  });

  it('resumes from that checkpoint: the retry sends the refused page and the rest, nothing twice', async () => {
    const { run, produced } = setup({ failOnPage: 2 });
    await expect(run()).rejects.toThrow('broker gone');
    // The consumer's retry: the same walk again on the same Redis; the broker answers this time.
    await run();
    expect(produced).toEqual([['c1', 'c2'], ['c3', 'c4'], ['c5', 'c6']]);
  });
});
