import fc from 'fast-check';
import type { Channel, DeliveryStatus, DeliveryStatusName } from '../../schemas/types';
import { deliveryOf, resendOf, resendReason, statusOf } from './build';
import { statusPagesOf, statusesOfPage } from './status-page';

const origin = (clientId: string, channel: Channel = 'sms', sourceId = 'm-1') =>
  deliveryOf({ sourceType: 'mailing', sourceId, clientId, channel, priority: 'bulk' });

describe('status pages: many deliveries\' statuses in one record', () => {
  it('puts statuses that share source, channel and priority in one page, and reads them back as they were', () => {
    const statuses = [
      statusOf(origin('c-1'), 'queued', 1_000),
      statusOf(origin('c-2'), 'suppressed', 1_000, 'opted out of promo'),
      statusOf(resendOf(origin('c-3'), 1), 'queued', 1_000, resendReason(origin('c-3').deliveryId, 1)),
    ];
    const pages = statusPagesOf(statuses);
    expect(pages).toHaveLength(1);
    expect(pages[0]).toMatchObject({ sourceType: 'mailing', sourceId: 'm-1', channel: 'sms', priority: 'bulk', occurredAt: 1_000 });
    expect(pages[0]!.entries.map((entry) => entry.status)).toEqual(['queued', 'suppressed', 'queued']);
    expect(pages.flatMap(statusesOfPage)).toEqual(statuses);
  });

  it('starts a new page for another source, channel or priority, and every `maxEntries`', () => {
    const statuses = [
      statusOf(origin('c-1'), 'queued', 1_000),
      statusOf(origin('c-2', 'email'), 'queued', 1_000),
      statusOf(origin('c-3', 'sms', 'm-2'), 'queued', 1_000),
      statusOf(origin('c-4'), 'queued', 2_000),
      statusOf(origin('c-5'), 'queued', 1_000),
    ];
    const pages = statusPagesOf(statuses, 2);
    expect(pages.map((page) => [page.sourceId, page.channel, page.occurredAt, page.entries.map((entry) => [entry.clientId, entry.occurredAt])])).toEqual([
      ['m-1', 'sms', 1_000, [['c-1', null], ['c-4', 2_000]]],
      ['m-1', 'email', 1_000, [['c-2', null]]],
      ['m-2', 'sms', 1_000, [['c-3', null]]],
      ['m-1', 'sms', 1_000, [['c-5', null]]],
    ]);
    expect(pages.flatMap(statusesOfPage).sort(byContent)).toEqual([...statuses].sort(byContent));
  });

  it('carries a provider call\'s outcome whole: its attempt, provider, message id and time', () => {
    const statuses = [
      statusOf(origin('c-1'), 'sent', 1_000, null, { provider: 'primary', providerMessageId: 'p-1' }),
      statusOf({ ...origin('c-2'), attempt: 2 }, 'retrying', 1_007, 'HTTP 503', { provider: 'secondary' }),
      statusOf({ ...origin('c-3'), attempt: 1 }, 'failed', 1_009, 'invalid number'),
    ];
    const [page, ...rest] = statusPagesOf(statuses);
    expect(rest).toEqual([]);
    expect(page!.entries.map((entry) => [entry.attempt, entry.provider, entry.providerMessageId, entry.occurredAt])).toEqual([
      [0, 'primary', 'p-1', null],
      [2, 'secondary', null, 1_007],
      [1, null, null, 1_009],
    ]);
    expect(statusesOfPage(page!)).toEqual(statuses);
  });

  it('round-trips any statuses, whatever their mix', () => {
    const status = fc.record({
      clientId: fc.string({ minLength: 1, maxLength: 8 }),
      channel: fc.constantFrom<Channel>('sms', 'email', 'push'),
      sourceId: fc.constantFrom('m-1', 'm-2'),
      status: fc.constantFrom<DeliveryStatusName>('queued', 'suppressed', 'sent', 'retrying', 'failed'),
      attempt: fc.integer({ min: 0, max: 5 }),
      at: fc.constantFrom(1_000, 2_000, 2_001),
      reason: fc.option(fc.string(), { nil: null }),
      provider: fc.option(fc.constantFrom('primary', 'secondary'), { nil: null }),
      providerMessageId: fc.option(fc.string({ maxLength: 12 }), { nil: null }),
    }).map(({ clientId, channel, sourceId, status, attempt, at, reason, provider, providerMessageId }) =>
      statusOf({ ...origin(clientId, channel, sourceId), attempt }, status, at, reason, { provider, providerMessageId }));
    fc.assert(fc.property(fc.array(status, { maxLength: 40 }), fc.integer({ min: 1, max: 7 }), (statuses, max) => {
      const pages = statusPagesOf(statuses, max);
      expect(pages.every((page) => page.entries.length >= 1 && page.entries.length <= max)).toBe(true);
      expect(pages.flatMap(statusesOfPage).sort(byContent)).toEqual([...statuses].sort(byContent));
    }));
  });
});

/** An order over whole statuses, so that two lists of the same statuses compare equal whatever their order. */
function byContent(a: DeliveryStatus, b: DeliveryStatus): number {
  const [x, y] = [JSON.stringify(a), JSON.stringify(b)];
  return x < y ? -1 : x > y ? 1 : 0;
}
