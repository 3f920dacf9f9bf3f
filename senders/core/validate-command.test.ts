import type { DeliveryCommand } from '../../schemas/types';
import { commandProblems } from './validate-command';

const command = (over: Partial<DeliveryCommand> = {}): DeliveryCommand => ({
  deliveryId: 'd1', sourceType: 'mailing', sourceId: 'm1', clientId: 'c1', channel: 'sms', priority: 'bulk',
  address: '79001234567', deviceTokens: [], content: { text: 'hi', subject: null, html: null, title: null, headers: {} },
  fallback: null, promo: false, timezone: 'Europe/Moscow', sendWindow: { from: '09:00', to: '21:00' }, notBefore: null,
  expiresAt: 2_000_000_000_000, attempt: 0, createdAt: 1, ...over,
});

describe('commandProblems', () => {
  it('accepts a command as the fan-outs write it', () => {
    expect(commandProblems(command())).toEqual([]);
    expect(commandProblems(command({ channel: 'push', fallback: { channel: 'email', address: 'a@b.c' } }))).toEqual([]);
  });

  it.each<[string, Partial<DeliveryCommand>, RegExp]>([
    ['an unknown time zone', { timezone: 'Mars/Olympus' }, /^timezone:/],
    ['a send window past 24:00', { sendWindow: { from: '25:00', to: '21:00' } }, /^sendWindow\.from:/],
    ['an empty delivery id', { deliveryId: '' }, /^deliveryId:/],
    ['a negative attempt', { attempt: -1 }, /^attempt:/],
    ['a negative creation time', { createdAt: -100 }, /^createdAt:/],
    ['a notBefore past what a DateTime holds', { notBefore: 2 ** 33 * 1000 }, /^notBefore:/],
    ['a fallback to the same channel', { fallback: { channel: 'sms', address: '79001234567' } }, /^fallback:/],
  ])('refuses %s', (_name, over, expected) => {
    expect(commandProblems(command(over))).toEqual([expect.stringMatching(expected)]);
  });

  it('leaves address checks to the channel, which reports them as a failed status', () => {
    expect(commandProblems(command({ address: 'abc' }))).toEqual([]);
  });
});
