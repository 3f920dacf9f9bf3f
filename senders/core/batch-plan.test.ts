import type { DeliveryCommand, Mailing } from '../../schemas/types';
import {
  cancelledMailings, commandTopicOf, delayIdOf, mailingIdsOf, planPrechecks, planSettle, readClaim, recheckLater,
  sendingClaim, type SenderTopics,
} from './batch-plan';
import { statusOf } from '../../domain/deliveries/build';
import type { Outcome } from './outcome';

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const TOPICS: SenderTopics = { status: 'st', statusPages: 'sp', retry: 'rt', express: 'ex', bulk: 'bk' };

const command = (overrides: Partial<DeliveryCommand> = {}): DeliveryCommand => ({
  deliveryId: 'd-1', sourceType: 'mailing', sourceId: 'm-1', clientId: 'c-1', channel: 'sms', priority: 'bulk',
  address: '79001234567', deviceTokens: [], content: { text: 'hi', subject: null, html: null, title: null, headers: {} },
  fallback: null, promo: false, timezone: 'UTC', sendWindow: null, notBefore: null, expiresAt: null, attempt: 0, createdAt: 0,
  ...overrides,
});

const mailingDoc = (status: Mailing['status']): Pick<Mailing, 'status'> => ({ status });

describe('cancellation lookup', () => {
  it('asks only about distinct mailing sources', () => {
    const commands = [
      command({ sourceId: 'm-1' }), command({ sourceId: 'm-1' }), command({ sourceId: 'm-2' }),
      command({ sourceType: 'notification', sourceId: 'n-1' }),
    ];
    expect(mailingIdsOf(commands)).toEqual(['m-1', 'm-2']);
  });

  it.each([
    { doc: null, cancelled: true, why: 'a deleted mailing' },
    { doc: mailingDoc('cancelled'), cancelled: true, why: 'a cancelled mailing' },
    { doc: mailingDoc('running'), cancelled: false, why: 'a running mailing' },
    { doc: mailingDoc('finished'), cancelled: false, why: 'a finished mailing (its last deliveries still go)' },
  ])('$why → cancelled: $cancelled', ({ doc, cancelled }) => {
    expect(cancelledMailings(['m-1'], [doc]).has('m-1')).toBe(cancelled);
  });
});

describe('planPrechecks', () => {
  const route = { sourceTopic: 'bk', topics: TOPICS };

  it('splits a batch into sends, ended deliveries and deferrals', () => {
    const plan = planPrechecks(
      [
        command({ deliveryId: 'send' }),
        command({ deliveryId: 'expired', expiresAt: NOW - 1 }),
        command({ deliveryId: 'cancelled', sourceId: 'm-gone' }),
        command({ deliveryId: 'later', notBefore: NOW + 1_000 }),
        command({ deliveryId: 'not-a-mailing', sourceType: 'welcome', sourceId: 'm-gone' }),
      ],
      NOW, new Set(['m-gone']), route,
    );
    expect(plan.toSend.map((c) => c.deliveryId)).toEqual(['send', 'not-a-mailing']);
    expect(plan.statuses.map((s) => [s.deliveryId, s.status])).toEqual([['expired', 'expired'], ['cancelled', 'expired'], ['later', 'waiting']]);
    expect(plan.deferred).toEqual([{ topic: 'bk', key: 'c-1', id: 'later:0', dueAt: NOW + 1_000, command: command({ deliveryId: 'later', notBefore: NOW + 1_000 }) }]);
  });

  it('defers an express command to the express topic whatever it came from', () => {
    const [deferred] = planPrechecks([command({ priority: 'express', notBefore: NOW + 5 })], NOW, new Set(), { sourceTopic: 'rt', topics: TOPICS }).deferred;
    expect(deferred).toMatchObject({ topic: 'ex', key: 'c-1' });
  });

  it('keys a deferral back onto the retry topic by delivery id', () => {
    expect(recheckLater(command({ attempt: 2 }), NOW, { sourceTopic: 'rt', topics: TOPICS })).toMatchObject({ topic: 'rt', key: 'd-1', id: 'd-1:2' });
  });
});

describe('claims', () => {
  it.each([
    { value: 'done:sent', meaning: 'replay' },
    { value: 'done:failed', meaning: 'replay' },
    { value: 'sending:owner-2:0', meaning: 'leased' },
    { value: null, meaning: 'leased' },
  ])('an existing claim $value means $meaning', ({ value, meaning }) => {
    expect(readClaim(value)).toBe(meaning);
  });

  it('a lease names its owner and attempt', () => {
    expect(sendingClaim('owner-1', command({ attempt: 3 }))).toBe('sending:owner-1:3');
  });

  it('a delay id differs per attempt of a delivery', () => {
    expect(delayIdOf(command({ attempt: 1 }))).not.toBe(delayIdOf(command({ attempt: 2 })));
  });
});

describe('planSettle', () => {
  const outcome = (c: DeliveryCommand, o: Partial<Outcome> & Pick<Outcome, 'claim'>, status = 'sent' as const): Outcome => ({
    status: statusOf(c, status, NOW), ...o,
  });

  it('final outcomes keep the claim as done:<status>, retries release it and queue the next attempt', () => {
    const sent = command({ deliveryId: 'a' });
    const bulkRetry = command({ deliveryId: 'b' });
    const expressRetry = command({ deliveryId: 'c', priority: 'express' });
    const next = (c: DeliveryCommand) => ({ command: { ...c, attempt: 1 }, dueAt: NOW + 10 });
    const plan = planSettle([
      { command: sent, outcome: outcome(sent, { claim: 'done' }) },
      { command: bulkRetry, outcome: { status: statusOf(bulkRetry, 'retrying', NOW), claim: 'release', retry: next(bulkRetry) } },
      { command: expressRetry, outcome: { status: statusOf(expressRetry, 'retrying', NOW), claim: 'release', retry: next(expressRetry) } },
    ], TOPICS);
    expect(plan.done).toEqual([{ deliveryId: 'a', claim: 'done:sent' }]);
    expect(plan.release).toEqual(['b', 'c']);
    expect(plan.statuses.map((s) => s.status)).toEqual(['sent', 'retrying', 'retrying']);
    expect(plan.delayed.map((d) => [d.topic, d.key, d.id, d.dueAt])).toEqual([['rt', 'b', 'b:1', NOW + 10], ['ex', 'c-1', 'c:1', NOW + 10]]);
  });

  it('lists the ambiguous outcomes with their channel and action, and nothing for the others', () => {
    const failed = command({ deliveryId: 'a' });
    const resent = command({ deliveryId: 'b', channel: 'push' });
    const plan = planSettle([
      { command: failed, outcome: { status: statusOf(failed, 'failed', NOW, 'ambiguous: x'), claim: 'done', ambiguous: 'fail' } },
      { command: resent, outcome: { status: statusOf(resent, 'retrying', NOW), claim: 'release', retry: { command: resent, dueAt: NOW + 10 }, ambiguous: 'resend' } },
      { command: command({ deliveryId: 'c' }), outcome: outcome(command({ deliveryId: 'c' }), { claim: 'done' }) },
    ], TOPICS);
    expect(plan.ambiguous).toEqual([{ channel: 'sms', action: 'fail' }, { channel: 'push', action: 'resend' }]);
  });

  it('collects fallback commands, routed by priority', () => {
    const fallback = command({ deliveryId: 'fb', channel: 'email' });
    const plan = planSettle([{ command: command(), outcome: { status: statusOf(command(), 'fallback', NOW), claim: 'done', fallback } }], TOPICS);
    expect(plan.fallbacks).toEqual([fallback]);
    expect(plan.done).toEqual([{ deliveryId: 'd-1', claim: 'done:fallback' }]);
    expect(commandTopicOf(fallback, TOPICS)).toBe('bk');
    expect(commandTopicOf({ ...fallback, priority: 'express' }, TOPICS)).toBe('ex');
  });
});
