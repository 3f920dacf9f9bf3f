import { DELIVERY_STATUSES, DeliveryStatusName } from '../schemas/types';
import { channelCountsFromAnalytics, deliveryLogFromAnalytics, statsFromAnalytics, userNotificationsFromAnalytics } from './stats-api';

const zeros = () => Object.fromEntries(DELIVERY_STATUSES.map((s) => [s, 0])) as Record<DeliveryStatusName, number>;
const counts = (sent: number) => ({ total: sent, byStatus: { ...zeros(), sent } });

describe('statsFromAnalytics', () => {
  const calls: unknown[] = [];
  const stats = statsFromAnalytics({
    countsBySource: async (_type, ids) => new Map((ids ?? []).map((id) => [id, counts(1)])),
    sourceDetail: async (type, id, page) => {
      calls.push([type, id, page]);
      return {
        ...counts(1),
        messages: [{ deliveryId: 'd', clientId: 'c', channel: 'sms', status: 'sent', attempts: 1, lastError: null, firstAt: 0, lastAt: 1000 }],
        nextCursor: 'n',
      };
    },
    countsByChannel: async (filter) => {
      calls.push(filter);
      return new Map([['sms', counts(2)], ['email', counts(3)]]);
    },
  });

  it('passes counts by source through', async () => {
    expect((await stats.countsBySource('mailing', ['m']))?.get('m')?.byStatus.sent).toBe(1);
  });

  it('turns message times into ISO strings and passes the page through', async () => {
    const detail = await stats.sourceDetail('mailing', 'm', { limit: 5, cursor: 'c' });
    expect(detail.messages[0]).toMatchObject({ firstAt: '1970-01-01T00:00:00.000Z', lastAt: '1970-01-01T00:00:01.000Z' });
    expect(detail.nextCursor).toBe('n');
    expect(calls).toContainEqual(['mailing', 'm', { limit: 5, cursor: 'c' }]);
  });

  it('passes a time range on to both counts', async () => {
    const range = { fromMs: 1000, toMs: 2000 };
    const bySource: unknown[] = [];
    const ranged = statsFromAnalytics({
      countsBySource: async (type, ids, r) => { bySource.push([type, ids, r]); return new Map(); },
      sourceDetail: async () => { throw new Error('unused'); },
      countsByChannel: async (filter) => { bySource.push(filter); return new Map(); },
    });
    await ranged.countsBySource('mailing', ['m'], range);
    await ranged.countsByChannel(undefined, undefined, range);
    expect(bySource).toEqual([['mailing', ['m'], range], { range }]);
  });

  it('turns the channel map into a list and the arguments into a filter', async () => {
    const list = await stats.countsByChannel('mailing', 'm');
    expect(list.map((c) => [c.channel, c.byStatus.sent])).toEqual([['sms', 2], ['email', 3]]);
    expect(calls).toContainEqual({ sourceType: 'mailing', sourceId: 'm' });
  });
});

describe('userNotificationsFromAnalytics', () => {
  it('renames deliveryId to id, turns times into ISO strings and passes the page through', async () => {
    const asked: unknown[] = [];
    const notifications = userNotificationsFromAnalytics({
      forClient: async (clientId, page) => {
        asked.push([clientId, page]);
        return {
          items: [{ deliveryId: 'd1', channel: 'email', sourceType: 'notification', sourceId: 'r1', status: 'suppressed', attempts: 0, reason: 'promo opt-out', firstAt: 0, lastAt: 1000 }],
          nextCursor: 'next',
        };
      },
    });
    const page = await notifications.list('c1', { limit: 5, cursor: 'cur' });
    expect(page).toEqual({
      items: [{
        id: 'd1', channel: 'email', sourceType: 'notification', sourceId: 'r1', status: 'suppressed', attempts: 0,
        reason: 'promo opt-out', firstAt: '1970-01-01T00:00:00.000Z', lastAt: '1970-01-01T00:00:01.000Z',
      }],
      nextCursor: 'next',
    });
    expect(asked).toEqual([['c1', { limit: 5, cursor: 'cur' }]]);
  });
});

describe('channelCountsFromAnalytics', () => {
  it('turns the maps into channel → status → count objects without the zeros', async () => {
    const adapter = channelCountsFromAnalytics({
      channelCountsBySource: async (_type, ids) => new Map(ids.map((id) => [id, new Map(id === 'n1' ? [['email', counts(2)]] as const : [])])),
    });
    const result = await adapter.of('notification', ['n1', 'n2']);
    expect(result.get('n1')).toEqual({ email: { sent: 2 } });
    expect(result.get('n2')).toEqual({});
  });
});

describe('deliveryLogFromAnalytics', () => {
  it('gives each delivery of the page its history, in one call for the page, with ISO times', async () => {
    const asked: unknown[] = [];
    const log = deliveryLogFromAnalytics({
      forClient: async () => ({
        items: [
          { deliveryId: 'd1', channel: 'sms', sourceType: 'mailing', sourceId: 'm', status: 'sent', attempts: 1, reason: null, firstAt: 0, lastAt: 1000 },
          { deliveryId: 'd2', channel: 'email', sourceType: 'test', sourceId: 'r', status: 'queued', attempts: 0, reason: null, firstAt: 0, lastAt: 0 },
        ],
        nextCursor: 'next',
      }),
      historyOf: async (clientId, ids) => {
        asked.push([clientId, ids]);
        return new Map([['d1', [{ status: 'queued', reason: null, provider: null, attempt: 0, at: 0 }, { status: 'sent', reason: null, provider: 'sms-api', attempt: 1, at: 1000 }]], ['d2', []]]);
      },
    });
    const page = await log.list('c', { limit: 2 });
    expect(asked).toEqual([['c', ['d1', 'd2']]]);
    expect(page.nextCursor).toBe('next');
    expect(page.items[0]).toMatchObject({ firstAt: '1970-01-01T00:00:00.000Z', lastAt: '1970-01-01T00:00:01.000Z' });
    expect(page.items[0]?.history).toEqual([
      { status: 'queued', reason: null, provider: null, attempt: 0, at: '1970-01-01T00:00:00.000Z' },
      { status: 'sent', reason: null, provider: 'sms-api', attempt: 1, at: '1970-01-01T00:00:01.000Z' },
    ]);
    expect(page.items[1]?.history).toEqual([]);
  });
});
