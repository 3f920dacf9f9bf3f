import type { DeliveryCommand } from '../../schemas/types';
import { BOOKING_HORIZON_MS, bucketsOf, planSlots } from './provider-rates';

describe('provider rate buckets', () => {
  it('splits the per-second rate: express its share, bulk the rest; one bucket without a share', () => {
    const rate = { perSecond: 200, perHour: 0 };
    expect(bucketsOf(rate, 'express', 0.2)).toEqual([{ name: 'second-express', intervalMs: 25, toleranceMs: 25 }]);
    expect(bucketsOf(rate, 'bulk', 0.2)).toEqual([{ name: 'second-bulk', intervalMs: 6.25, toleranceMs: 43.75 }]);
    expect(bucketsOf(rate, 'bulk', 0)).toEqual([{ name: 'second', intervalMs: 5, toleranceMs: 45 }]);
    expect(bucketsOf(rate, 'express', 0)).toEqual(bucketsOf(rate, 'bulk', 0));
  });

  it('lets an hourly budget go at once, then one per interval', () => {
    expect(bucketsOf({ perSecond: 0, perHour: 10_000 }, 'bulk', 0.2)).toEqual([{ name: 'hour', intervalMs: 360, toleranceMs: 3_599_640 }]);
  });

  it('never bursts less than one message, even below 20 a second', () => {
    expect(bucketsOf({ perSecond: 2, perHour: 0 }, 'express', 0)).toEqual([{ name: 'second', intervalMs: 500, toleranceMs: 0 }]);
  });

  it('plans each answer: now at its provider, at its booked slot, or staggered from the first free slot past the horizon', () => {
    const commands = ['a', 'b', 'c', 'd', 'e'].map((deliveryId) => ({ deliveryId }) as DeliveryCommand);
    const beyond = -(BOOKING_HORIZON_MS + 500);
    const plan = planSlots(commands, [1, 0, 2, 120, 0, beyond, 0, beyond, 2, 0], 1_000, 6.25);
    expect(plan.toSend.map((c) => c.deliveryId)).toEqual(['a', 'e']);
    expect([...plan.providerAt]).toEqual([['a', 0], ['e', 1]]);
    expect(plan.later.map((l) => [l.command.deliveryId, l.dueAt])).toEqual([['b', 1_120], ['c', 1_000 + BOOKING_HORIZON_MS + 500], ['d', 1_007 + BOOKING_HORIZON_MS + 500]]);
  });
});
