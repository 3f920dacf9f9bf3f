import fc from 'fast-check';
import type { Channel, DeliveryStatus } from '../../schemas/types';
import { deliveryOf, resendOf, resendReason, statusOf } from './build';
import { statusPagesOf, statusesOfPage } from './status-page';

const origin = (clientId: string, channel: Channel = 'sms', sourceId = 'm-1') =>
  deliveryOf({ sourceType: 'mailing', sourceId, clientId, channel, priority: 'bulk' });

describe('status pages: a fan-out page\'s first statuses in one record', () => {
  it('puts statuses that share source, channel, priority and stamp in one page, and reads them back as they were', () => {
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

  it('starts a new page for other shared fields, and every `maxEntries`', () => {
    const statuses = [
      statusOf(origin('c-1'), 'queued', 1_000),
      statusOf(origin('c-2', 'email'), 'queued', 1_000),
      statusOf(origin('c-3'), 'queued', 1_000),
      statusOf(origin('c-4'), 'queued', 2_000),
      statusOf(origin('c-5'), 'queued', 1_000),
    ];
    const pages = statusPagesOf(statuses, 2);
    expect(pages.map((page) => [page.channel, page.occurredAt, page.entries.map((entry) => entry.clientId)])).toEqual([
      ['sms', 1_000, ['c-1', 'c-3']],
      ['email', 1_000, ['c-2']],
      ['sms', 2_000, ['c-4']],
      ['sms', 1_000, ['c-5']],
    ]);
    expect(pages.flatMap(statusesOfPage).sort(byContent)).toEqual([...statuses].sort(byContent));
  });

  it('refuses a status of a provider call: only a delivery\'s first status goes in a page', () => {
    expect(() => statusPagesOf([statusOf({ ...origin('c-1'), attempt: 1 }, 'retrying', 1_000, 'timeout')])).toThrow(/not a first status/);
    expect(() => statusPagesOf([statusOf(origin('c-1'), 'sent', 1_000, null, { provider: 'primary' })])).toThrow(/not a first status/);
  });

  it('round-trips any first statuses, whatever their mix', () => {
    const first = fc.record({
      clientId: fc.string({ minLength: 1, maxLength: 8 }),
      channel: fc.constantFrom<Channel>('sms', 'email', 'push'),
      sourceId: fc.constantFrom('m-1', 'm-2'),
      status: fc.constantFrom('queued', 'suppressed') as fc.Arbitrary<'queued' | 'suppressed'>,
      at: fc.constantFrom(1_000, 2_000),
      reason: fc.option(fc.string(), { nil: null }),
    }).map(({ clientId, channel, sourceId, status, at, reason }) => statusOf(origin(clientId, channel, sourceId), status, at, reason));
    fc.assert(fc.property(fc.array(first, { maxLength: 40 }), fc.integer({ min: 1, max: 7 }), (statuses, max) => {
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
