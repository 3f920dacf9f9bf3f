import { deliveryIdOf } from '../../platform/ids';
import type { DeliveryCommand } from '../../schemas/types';
import { decideOutcome, type RetryPolicy } from '../core/outcome';
import { permanent } from '../policy/send-result';
import { combineTokenOutcomes } from './classify';

/** A push whose every token is dead hands the delivery to its email fallback (pure: no I/O). */
const NOW = 1_700_000_000_000;
const policy: RetryPolicy = { maxAttempts: 5, baseMs: 1000, maxMs: 60_000, random: () => 0.5, ambiguous: { actions: { sms: 'fail', push: 'resend', email: 'resend', inapp: 'resend', webhook: 'resend' }, resendDelayFactor: 5 } };

const pushCommand: DeliveryCommand = {
  deliveryId: deliveryIdOf('notification', 'n-1', 'c-1', 'push'), sourceType: 'notification', sourceId: 'n-1', clientId: 'c-1',
  channel: 'push', priority: 'express', address: '', deviceTokens: ['dead-1', 'dead-2'],
  content: { text: 'Новая серия', subject: 'Новая серия', html: null, title: 'Сериал', headers: {} },
  fallback: { channel: 'email', address: 'user@example.com' }, promo: false, timezone: 'Europe/Moscow', sendWindow: null,
  notBefore: null, expiresAt: null, attempt: 0, createdAt: NOW - 1000,
};

describe('push → email fallback', () => {
  const { result, invalidTokens } = combineTokenOutcomes([
    { token: 'dead-1', outcome: { kind: 'invalid-token', errorCode: 'UNREGISTERED' } },
    { token: 'dead-2', outcome: { kind: 'invalid-token', errorCode: 'INVALID_ARGUMENT' } },
  ]);

  it('every token dead is a permanent PROVIDER_REJECTED', () => {
    expect(result).toMatchObject({ kind: 'permanent', code: 'PROVIDER_REJECTED' });
    expect(invalidTokens).toEqual(['dead-1', 'dead-2']);
  });

  it('yields a fallback status for the push and an email command for the same client', () => {
    const outcome = decideOutcome(pushCommand, result, NOW, policy);
    expect(outcome.status).toMatchObject({ deliveryId: pushCommand.deliveryId, channel: 'push', status: 'fallback', reason: expect.stringContaining('PROVIDER_REJECTED') });
    expect(outcome.claim).toBe('done');
    expect(outcome.retry).toBeUndefined();
    expect(outcome.fallback).toMatchObject({
      channel: 'email', address: 'user@example.com', clientId: 'c-1', fallback: null, deviceTokens: [], attempt: 0, createdAt: NOW,
      deliveryId: deliveryIdOf('notification', 'n-1', 'c-1', 'email'), content: pushCommand.content,
    });
    expect(outcome.fallback?.deliveryId).not.toBe(pushCommand.deliveryId);
  });

  it('without a fallback the push simply fails', () => {
    expect(decideOutcome({ ...pushCommand, fallback: null }, result, NOW, policy)).toMatchObject({ status: { status: 'failed' }, claim: 'done' });
    expect(decideOutcome({ ...pushCommand, fallback: null }, result, NOW, policy).fallback).toBeUndefined();
  });
});

describe('the fallback email carries the same message', () => {
  it('uses the push title as its subject and the push body as its text', () => {
    const push: DeliveryCommand = {
      deliveryId: 'd1', sourceType: 'notification', sourceId: 'r1', clientId: 'c1', channel: 'push', priority: 'bulk',
      address: 'c1', deviceTokens: ['t1'], content: { text: 'Dark is back', subject: null, html: null, title: 'New episode', headers: {} },
      fallback: { channel: 'email', address: 'bob@example.com' }, promo: false, timezone: 'UTC', sendWindow: null,
      notBefore: null, expiresAt: null, attempt: 0, createdAt: 0,
    };
    const outcome = decideOutcome(push, permanent('PROVIDER_REJECTED', 'all tokens unregistered'), 10, { ...policy, maxAttempts: 3, baseMs: 1, maxMs: 2, random: () => 0 });
    expect(outcome.fallback?.content).toMatchObject({ subject: 'New episode', text: 'Dark is back' });
    expect(outcome.fallback).toMatchObject({ channel: 'email', address: 'bob@example.com', deviceTokens: [] });
  });
});
