import type { DeliveryCommand } from '../../schemas/types';
import { failoverChannel, movesToNextProvider } from './failover-channel';
import { guardedChannel, unconfiguredChannel } from './guarded-channel';
import { ambiguous, permanent, retriable, sent, type SendResult } from './send-result';

const command = { deliveryId: 'd1', channel: 'sms' } as DeliveryCommand;

/** A provider that answers from a script, and counts its calls. */
function scripted(name: string, answers: SendResult[]) {
  const calls: string[] = [];
  const channel = guardedChannel('sms', {
    deliver: async (c) => (calls.push(c.deliveryId), answers.shift() ?? sent()),
    close: async () => undefined,
  }, { provider: name, consecutiveFailures: 2, halfOpenAfterMs: 60_000 });
  return { channel, calls };
}

describe('failover between providers of a channel', () => {
  it('sends through the first provider while it takes messages, and names it', async () => {
    const [a, b] = [scripted('a', [sent('x')]), scripted('b', [])];
    const result = await failoverChannel('sms', [a.channel, b.channel]).deliver(command);
    expect(result).toEqual({ kind: 'sent', providerMessageId: 'x', provider: 'a' });
    expect(b.calls).toEqual([]);
  });

  it('moves to the next provider on a retriable answer that reached no one, at once', async () => {
    const [a, b] = [scripted('a', [retriable('PROVIDER_UNAVAILABLE', 'http 503')]), scripted('b', [sent()])];
    expect(await failoverChannel('sms', [a.channel, b.channel]).deliver(command)).toMatchObject({ kind: 'sent', provider: 'b' });
  });

  it('moves on without calling a provider whose circuit is open', async () => {
    const down = [retriable('PROVIDER_UNAVAILABLE', 'refused'), retriable('PROVIDER_UNAVAILABLE', 'refused')];
    const [a, b] = [scripted('a', down), scripted('b', [sent(), sent(), sent()])];
    const sms = failoverChannel('sms', [a.channel, b.channel]);
    for (let i = 0; i < 3; i++) expect(await sms.deliver(command)).toMatchObject({ kind: 'sent', provider: 'b' });
    expect(a.calls).toHaveLength(2); // the third went straight to b: a's circuit opened after two failures
  });

  it.each([
    ['an ambiguous call (it may have been sent)', ambiguous('PROVIDER_UNAVAILABLE', 'no answer after the request was sent')],
    ['a permanent refusal (no provider would take it)', permanent('PROVIDER_REJECTED', 'http 400')],
  ])('keeps %s with the provider that gave it', async (_name, answer) => {
    const [a, b] = [scripted('a', [answer]), scripted('b', [sent()])];
    expect(await failoverChannel('sms', [a.channel, b.channel]).deliver(command)).toMatchObject({ kind: answer.kind, provider: 'a' });
    expect(b.calls).toEqual([]);
  });

  it('returns the last provider\'s answer when none took the message', async () => {
    const [a, b] = [scripted('a', [retriable('PROVIDER_UNAVAILABLE', 'http 500')]), scripted('b', [retriable('RATE_LIMITED', 'http 429', 3000)])];
    expect(await failoverChannel('sms', [a.channel, b.channel]).deliver(command)).toEqual({ kind: 'retriable', code: 'RATE_LIMITED', reason: 'http 429', retryAfterMs: 3000, provider: 'b' });
  });

  it('starts at the provider the rate step routed the command to', async () => {
    const [a, b] = [scripted('a', []), scripted('b', [sent('y')])];
    expect(await failoverChannel('sms', [a.channel, b.channel]).deliver(command, { from: 'b', lane: 'bulk' })).toMatchObject({ kind: 'sent', provider: 'b' });
    expect(a.calls).toEqual([]);
  });

  it('fails over only to a provider whose rate has a slot now, else keeps the answer it has', async () => {
    const asked: string[] = [];
    const [a, b] = [scripted('a', [retriable('PROVIDER_UNAVAILABLE', 'http 503'), retriable('PROVIDER_UNAVAILABLE', 'http 503')]), scripted('b', [sent()])];
    let slots = 1;
    const sms = failoverChannel('sms', [a.channel, b.channel], { slotNow: async (provider, _c, lane) => (asked.push(`${provider}/${lane}`), slots-- > 0) });
    expect(await sms.deliver(command, { lane: 'express' })).toMatchObject({ kind: 'sent', provider: 'b' });
    expect(await sms.deliver(command, { lane: 'express' })).toMatchObject({ kind: 'retriable', code: 'PROVIDER_UNAVAILABLE', provider: 'a' });
    expect(b.calls).toHaveLength(1);
    // The first provider's slot is the rate step's: only the ones failed over to are asked here.
    expect(asked).toEqual(['b/express', 'b/express']);
  });

  it('a channel without a provider fails each message for good, saying how to configure one', async () => {
    const none = unconfiguredChannel('webhook');
    expect(await none.deliver(command)).toEqual({
      kind: 'permanent', code: 'PROVIDER_REJECTED', reason: 'no webhook provider is configured (HTTP_PROVIDERS with "channel": "webhook")', provider: 'unconfigured',
    });
    expect(none.breaker.state()).toBe('closed');
  });

  it('tells which results move on', () => {
    expect(movesToNextProvider(retriable('PROVIDER_UNAVAILABLE', 'x'))).toBe(true);
    expect(movesToNextProvider(ambiguous('PROVIDER_UNAVAILABLE', 'x'))).toBe(false);
    expect(movesToNextProvider(sent())).toBe(false);
  });
});
