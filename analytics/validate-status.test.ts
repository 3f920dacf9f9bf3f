import type { DeliveryStatus } from '../schemas/types';
import { statusProblems } from './validate-status';

const status = (over: Partial<DeliveryStatus> = {}): DeliveryStatus => ({
  statusId: 's1', deliveryId: 'd1', sourceType: 'mailing', sourceId: 'm1', clientId: 'c1', channel: 'sms', priority: 'bulk',
  status: 'sent', attempt: 1, reason: null, providerMessageId: null, provider: null, occurredAt: 1_700_000_000_000, ...over,
});

describe('statusProblems', () => {
  it('accepts a status as the senders write it', () => {
    expect(statusProblems(status())).toEqual([]);
  });

  it.each<[string, Partial<DeliveryStatus>, RegExp]>([
    ['a negative time', { occurredAt: -1 }, /^occurredAt:/],
    ['a time past 2106', { occurredAt: 2 ** 32 * 1000 }, /^occurredAt:/],
    ['a negative attempt', { attempt: -3 }, /^attempt:/],
    ['an empty status id', { statusId: '' }, /^statusId:/],
    ['an empty delivery id', { deliveryId: ' ' }, /^deliveryId:/],
  ])('refuses %s', (_name, over, expected) => {
    expect(statusProblems(status(over))).toEqual([expect.stringMatching(expected)]);
  });
});
