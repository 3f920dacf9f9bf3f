import { deliveryIdOf, statusIdOf } from '../../platform/ids';
import type { DeliveryCommand } from '../../schemas/types';
import { ambiguous, permanent, retriable, sent, type SendResult } from '../policy/send-result';
import { deadlineOf, decideOutcome, precheck, waitingReason, type AmbiguousPolicy, type RetryPolicy } from './outcome';

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0); // 15:00 in Moscow
const HOUR = 3_600_000;

const command = (overrides: Partial<DeliveryCommand> = {}): DeliveryCommand => ({
  deliveryId: deliveryIdOf('mailing', 'm-1', 'c-1', 'push'), sourceType: 'mailing', sourceId: 'm-1', clientId: 'c-1',
  channel: 'push', priority: 'bulk', address: 'device', deviceTokens: ['t1'],
  content: { text: 'hello', subject: null, html: null, title: null, headers: {} }, fallback: null, promo: false,
  timezone: 'Europe/Moscow', sendWindow: null, notBefore: null, expiresAt: null, attempt: 0, createdAt: 0, ...overrides,
});

const policy = (random = 0.5, actions: Partial<AmbiguousPolicy['actions']> = {}): RetryPolicy => ({
  maxAttempts: 5, baseMs: 1_000, maxMs: 60_000, random: () => random,
  ambiguous: { actions: { sms: 'fail', push: 'resend', email: 'resend', inapp: 'resend', webhook: 'resend', ...actions }, resendDelayFactor: 5 },
});

describe('decideOutcome', () => {
  describe('a sent result', () => {
    it('is final: status sent with the provider id, claim done, nothing more', () => {
      const outcome = decideOutcome(command(), sent('42'), NOW, policy());
      expect(outcome).toEqual({ status: expect.objectContaining({ status: 'sent', providerMessageId: '42', attempt: 1 }), claim: 'done' });
      expect(outcome.status.statusId).toBe(statusIdOf(command().deliveryId, 'sent', 1));
    });
  });

  describe('a retriable result', () => {
    it.each([
      { attempt: 0, random: 0, cap: 1_000 },
      { attempt: 0, random: 0.999, cap: 1_000 },
      { attempt: 2, random: 0.5, cap: 4_000 },
      { attempt: 3, random: 0.999, cap: 8_000 },
    ])('below max attempts (attempt $attempt, draw $random): retrying, retry with attempt+1 due in [now, now+$cap)', ({ attempt, random, cap }) => {
      const outcome = decideOutcome(command({ attempt }), retriable('PROVIDER_UNAVAILABLE', 'http 500'), NOW, policy(random));
      expect(outcome.status).toMatchObject({ status: 'retrying', attempt: attempt + 1, reason: 'PROVIDER_UNAVAILABLE: http 500' });
      expect(outcome.claim).toBe('release');
      expect(outcome.retry?.command).toEqual(command({ attempt: attempt + 1 }));
      expect(outcome.retry?.dueAt).toBeGreaterThanOrEqual(NOW);
      expect(outcome.retry?.dueAt).toBeLessThan(NOW + cap);
      expect(outcome.fallback).toBeUndefined();
    });

    it('waits at least the Retry-After the provider asked for, capped at maxMs', () => {
      const asked = decideOutcome(command(), retriable('PROVIDER_UNAVAILABLE', '429', 30_000), NOW, policy(0));
      expect(asked.retry?.dueAt).toBe(NOW + 30_000);
      const tooLong = decideOutcome(command(), retriable('PROVIDER_UNAVAILABLE', '429', 3_600_000), NOW, policy(0));
      expect(tooLong.retry?.dueAt).toBe(NOW + 60_000);
    });

    it('past the attempt budget but before its expiry: still retrying (a deadline bounds it instead)', () => {
      const outcome = decideOutcome(command({ attempt: 9, expiresAt: NOW + 3_600_000 }), retriable('PROVIDER_UNAVAILABLE', 'http 503'), NOW, policy());
      expect(outcome.status.status).toBe('retrying');
      expect(outcome.retry?.command.attempt).toBe(10);
    });

    it('at the last allowed attempt: failed, claim done, no retry', () => {
      const outcome = decideOutcome(command({ attempt: 4 }), retriable('PROVIDER_UNAVAILABLE', 'http 503'), NOW, policy());
      expect(outcome.status.status).toBe('failed');
      expect(outcome.status.reason).toContain('gave up after 5 attempts');
      expect(outcome.claim).toBe('done');
      expect(outcome.retry).toBeUndefined();
    });

    it('when the retry would be due after expiresAt: expired, claim done, no retry', () => {
      const outcome = decideOutcome(command({ expiresAt: NOW + 100 }), retriable('PROVIDER_UNAVAILABLE', 'x'), NOW, policy(0.5));
      expect(outcome.status.status).toBe('expired');
      expect(outcome.claim).toBe('done');
      expect(outcome.retry).toBeUndefined();
    });
  });

  describe('an ambiguous result (written, no answer: the provider may have sent it)', () => {
    const noAnswer = ambiguous('PROVIDER_UNAVAILABLE', 'no answer within 5000 ms after the request was sent');
    const sms = (overrides: Partial<DeliveryCommand> = {}) => command({ channel: 'sms', address: '79001234567', deviceTokens: [], ...overrides });

    it('policy fail: failed at once, reason `ambiguous: …`, claim done, no retry', () => {
      const outcome = decideOutcome(sms(), noAnswer, NOW, policy());
      expect(outcome).toEqual({
        status: expect.objectContaining({
          status: 'failed', attempt: 1,
          reason: 'ambiguous: PROVIDER_UNAVAILABLE: no answer within 5000 ms after the request was sent; not sent again (policy fail)',
        }),
        claim: 'done', ambiguous: 'fail',
      });
    });

    it('policy fail does not hand it to the fallback channel: the person may have it already', () => {
      const outcome = decideOutcome(command({ fallback: { channel: 'email', address: 'a@example.com' } }), noAnswer, NOW, policy(0.5, { push: 'fail' }));
      expect(outcome.status.status).toBe('failed');
      expect(outcome.fallback).toBeUndefined();
    });

    it('policy fail holds even with attempts and time left (a deadline far away changes nothing)', () => {
      const outcome = decideOutcome(sms({ expiresAt: NOW + 24 * HOUR }), noAnswer, NOW, policy());
      expect(outcome).toMatchObject({ status: { status: 'failed' }, ambiguous: 'fail' });
    });

    it.each([
      { attempt: 0, random: 0, from: 5 * 1_000, to: 5 * 1_000 },
      { attempt: 0, random: 0.999, from: 5 * 1_000, to: 6 * 1_000 },
      { attempt: 2, random: 0.5, from: 5 * 4_000, to: 6 * 4_000 },
    ])('policy resend (attempt $attempt, draw $random): retrying after 5× the retry cap plus a jittered delay, in [$from, $to]', ({ attempt, random, from, to }) => {
      const outcome = decideOutcome(sms({ attempt }), noAnswer, NOW, policy(random, { sms: 'resend' }));
      expect(outcome.status).toMatchObject({ status: 'retrying', attempt: attempt + 1, reason: expect.stringMatching(/^ambiguous: PROVIDER_UNAVAILABLE: .*; sent again after a longer wait$/) });
      expect(outcome).toMatchObject({ claim: 'release', ambiguous: 'resend' });
      expect(outcome.retry?.command).toEqual(sms({ attempt: attempt + 1 }));
      expect(outcome.retry!.dueAt - NOW).toBeGreaterThanOrEqual(from);
      expect(outcome.retry!.dueAt - NOW).toBeLessThanOrEqual(to);
    });

    it('policy resend waits longer than a plain retriable result with the same draw', () => {
      const plain = decideOutcome(command({ attempt: 1 }), retriable('PROVIDER_UNAVAILABLE', 'x'), NOW, policy(0.999));
      const unsure = decideOutcome(command({ attempt: 1 }), noAnswer, NOW, policy(0.999));
      expect(unsure.retry!.dueAt - NOW).toBeGreaterThan(5 * (plain.retry!.dueAt - NOW));
    });

    it('policy resend at the last allowed attempt: failed (ambiguous, action fail)', () => {
      const outcome = decideOutcome(command({ attempt: 4 }), noAnswer, NOW, policy());
      expect(outcome).toMatchObject({ status: { status: 'failed', reason: expect.stringMatching(/^gave up after 5 attempts; last: ambiguous: /) }, ambiguous: 'fail' });
    });

    it('policy resend when the longer wait passes the expiry: expired (ambiguous, action expire)', () => {
      // A plain retriable result would still be retried: its wait (< 1 s) is before the expiry.
      const expiresAt = NOW + 2_000;
      expect(decideOutcome(command({ expiresAt }), retriable('PROVIDER_UNAVAILABLE', 'x'), NOW, policy()).status.status).toBe('retrying');
      const outcome = decideOutcome(command({ expiresAt }), noAnswer, NOW, policy());
      expect(outcome).toMatchObject({ status: { status: 'expired', reason: expect.stringContaining('ambiguous: ') }, claim: 'done', ambiguous: 'expire' });
    });

    it('a plain retriable result carries no ambiguous action', () => {
      expect(decideOutcome(sms(), retriable('PROVIDER_UNAVAILABLE', 'ECONNREFUSED: connection refused'), NOW, policy()).ambiguous).toBeUndefined();
    });
  });

  describe('a permanent result', () => {
    it('without a fallback: failed, claim done', () => {
      const outcome = decideOutcome(command(), permanent('PROVIDER_REJECTED', 'http 400'), NOW, policy());
      expect(outcome).toEqual({ status: expect.objectContaining({ status: 'failed', reason: 'PROVIDER_REJECTED: http 400' }), claim: 'done' });
    });

    it('with a fallback: fallback status and a new command on the fallback channel with a deterministic id', () => {
      const original = command({ attempt: 2, fallback: { channel: 'email', address: 'a@example.com' } });
      const outcome = decideOutcome(original, permanent('PROVIDER_REJECTED', 'token gone'), NOW, policy());
      expect(outcome.status).toMatchObject({ status: 'fallback', deliveryId: original.deliveryId, channel: 'push' });
      expect(outcome.claim).toBe('done');
      expect(outcome.fallback).toMatchObject({
        channel: 'email', address: 'a@example.com', fallback: null, attempt: 0, deviceTokens: [], createdAt: NOW,
        deliveryId: deliveryIdOf('mailing', 'm-1', 'c-1', 'email'), clientId: 'c-1', sourceId: 'm-1',
      });
      expect(outcome.fallback?.deliveryId).not.toBe(original.deliveryId);
      const again = decideOutcome(original, permanent('PROVIDER_REJECTED', 'token gone'), NOW + 5, policy());
      expect(again.fallback?.deliveryId).toBe(outcome.fallback?.deliveryId);
    });

    it('after retries ran out, with a fallback: fallback too', () => {
      const original = command({ attempt: 4, fallback: { channel: 'email', address: 'a@example.com' } });
      const outcome = decideOutcome(original, retriable('PROVIDER_UNAVAILABLE', 'x'), NOW, policy());
      expect(outcome.status.status).toBe('fallback');
      expect(outcome.fallback?.channel).toBe('email');
    });
  });

  // The statistics' `attempts` is the max attempt over a delivery's statuses: it must count the provider calls made.
  describe('the status attempt counts the provider calls made, this one included', () => {
    const withFallback = { fallback: { channel: 'email' as const, address: 'a@example.com' } };
    it.each([
      { name: 'sent on the first call', over: {}, result: sent('1'), status: 'sent', attempt: 1 },
      { name: 'failed permanently on the first call', over: {}, result: permanent('PROVIDER_REJECTED', 'http 400'), status: 'failed', attempt: 1 },
      { name: 'retrying after the first call', over: {}, result: retriable('PROVIDER_UNAVAILABLE', 'http 500'), status: 'retrying', attempt: 1 },
      { name: 'expired after the first call', over: { expiresAt: NOW + 1 }, result: retriable('PROVIDER_UNAVAILABLE', 'x'), status: 'expired', attempt: 1 },
      { name: 'fell back after the first call', over: withFallback, result: permanent('PROVIDER_REJECTED', 'token gone'), status: 'fallback', attempt: 1 },
      { name: 'sent on the third call', over: { attempt: 2 }, result: sent('1'), status: 'sent', attempt: 3 },
      { name: 'failed permanently on the third call', over: { attempt: 2 }, result: permanent('PROVIDER_REJECTED', 'x'), status: 'failed', attempt: 3 },
      { name: 'gave up on the fifth (last) call', over: { attempt: 4 }, result: retriable('PROVIDER_UNAVAILABLE', 'x'), status: 'failed', attempt: 5 },
    ] as { name: string; over: Partial<DeliveryCommand>; result: SendResult; status: string; attempt: number }[])(
      '$name: $status with attempt $attempt', ({ over, result, status, attempt }) => {
        const outcome = decideOutcome(command(over), result, NOW, policy());
        expect(outcome.status).toMatchObject({ status, attempt });
        expect(outcome.status.statusId).toBe(statusIdOf(command().deliveryId, outcome.status.status, attempt));
      });

    it('a retried command carries the calls made, so its next outcome counts one more', () => {
      const first = decideOutcome(command(), retriable('PROVIDER_UNAVAILABLE', 'x'), NOW, policy());
      const second = decideOutcome(first.retry!.command, permanent('PROVIDER_REJECTED', 'y'), NOW, policy());
      expect([first.status.attempt, second.status.attempt]).toEqual([1, 2]);
      expect(second.status.statusId).not.toBe(first.status.statusId);
    });

    it('a status decided before any call (precheck) keeps the calls made so far', () => {
      expect(precheck(command({ expiresAt: NOW - 1 }), NOW, false)).toMatchObject({ status: { status: 'expired', attempt: 0 } });
      expect(precheck(command({ attempt: 2 }), NOW, true)).toMatchObject({ status: { status: 'expired', attempt: 2 } });
    });
  });

  it('every result kind gives a status of the command it came from', () => {
    const results: SendResult[] = [sent(), retriable('PROVIDER_UNAVAILABLE', 'x'), permanent('PROVIDER_REJECTED', 'y')];
    for (const result of results) {
      expect(decideOutcome(command(), result, NOW, policy()).status).toMatchObject({
        deliveryId: command().deliveryId, clientId: 'c-1', sourceType: 'mailing', sourceId: 'm-1', occurredAt: NOW,
      });
    }
  });
});

describe('precheck', () => {
  it.each([
    { name: 'a plain command', overrides: {}, cancelled: false, kind: 'send' },
    { name: 'a cancelled source', overrides: {}, cancelled: true, kind: 'expire' },
    { name: 'a past expiresAt', overrides: { expiresAt: NOW - 1 }, cancelled: false, kind: 'expire' },
    { name: 'expiresAt exactly now', overrides: { expiresAt: NOW }, cancelled: false, kind: 'expire' },
    { name: 'a future expiresAt', overrides: { expiresAt: NOW + HOUR }, cancelled: false, kind: 'send' },
    { name: 'a future notBefore', overrides: { notBefore: NOW + HOUR }, cancelled: false, kind: 'defer' },
    { name: 'inside the send window', overrides: { sendWindow: { from: '09:00', to: '21:00' } }, cancelled: false, kind: 'send' },
    { name: 'outside the send window', overrides: { sendWindow: { from: '18:00', to: '21:00' } }, cancelled: false, kind: 'defer' },
    {
      name: 'outside a window that opens only after expiry',
      overrides: { sendWindow: { from: '18:00', to: '21:00' }, expiresAt: NOW + HOUR },
      cancelled: false, kind: 'expire',
    },
  ] as { name: string; overrides: Partial<DeliveryCommand>; cancelled: boolean; kind: string }[])(
    '$name → $kind', ({ overrides, cancelled, kind }) => {
      expect(precheck(command(overrides), NOW, cancelled).kind).toBe(kind);
    });

  it('a cancelled source expires with its reason, even when it could be sent', () => {
    const decision = precheck(command(), NOW, true);
    expect(decision).toEqual({ kind: 'expire', status: expect.objectContaining({ status: 'expired', reason: 'source cancelled' }) });
  });

  it('defers outside the window to the window opening (18:00 Moscow = 15:00 UTC)', () => {
    const decision = precheck(command({ sendWindow: { from: '18:00', to: '21:00' } }), NOW, false);
    expect(decision).toMatchObject({ kind: 'defer', until: Date.UTC(2026, 0, 15, 15, 0, 0) });
    // The waiting status says why, in the recipient's own clock.
    expect(decision.kind === 'defer' && decision.status).toMatchObject({
      status: 'waiting', occurredAt: NOW, reason: 'outside its send window 18:00–21:00: held until 2026-01-15 18:00 Europe/Moscow',
    });
  });

  it('defers before notBefore to notBefore', () => {
    const decision = precheck(command({ notBefore: NOW + HOUR }), NOW, false);
    expect(decision).toMatchObject({ kind: 'defer', until: NOW + HOUR, status: { status: 'waiting', reason: expect.stringMatching(/^scheduled: not before 2026-01-15 \d\d:\d\d Europe\/Moscow$/) } });
  });
});

describe('waitingReason', () => {
  const at = Date.UTC(2026, 0, 15, 6, 0, 0);
  it.each([
    [{ notBefore: at, sendWindow: null, timezone: 'Asia/Kolkata' }, 'scheduled: not before 2026-01-15 11:30 Asia/Kolkata'],
    [{ notBefore: null, sendWindow: { from: '09:00', to: '21:00' }, timezone: 'Europe/Moscow' }, 'outside its send window 09:00–21:00: held until 2026-01-15 09:00 Europe/Moscow'],
    [{ notBefore: null, sendWindow: null, timezone: 'Not/AZone' }, 'held until 2026-01-15 06:00 UTC'],
  ])('%j → %s', (command, reason) => {
    expect(waitingReason(command, at)).toBe(reason);
  });
});

describe('default expiry per priority', () => {
  const ttl = { express: 10 * 60_000, bulk: 24 * HOUR };

  it.each([
    { name: 'bulk, created 23 h ago', overrides: { createdAt: NOW - 23 * HOUR }, kind: 'send' },
    { name: 'bulk, created 25 h ago', overrides: { createdAt: NOW - 25 * HOUR }, kind: 'expire' },
    { name: 'express, created 9 min ago', overrides: { priority: 'express', createdAt: NOW - 9 * 60_000 }, kind: 'send' },
    { name: 'express, created 11 min ago', overrides: { priority: 'express', createdAt: NOW - 11 * 60_000 }, kind: 'expire' },
    { name: 'express created long ago, due at a notBefore 5 min ago', overrides: { priority: 'express', createdAt: NOW - 5 * HOUR, notBefore: NOW - 5 * 60_000 }, kind: 'send' },
    { name: 'bulk with an endAt sooner than its TTL, passed', overrides: { createdAt: NOW - HOUR, expiresAt: NOW - 1 }, kind: 'expire' },
    { name: 'bulk 25 h old with a later endAt (the TTL comes first)', overrides: { createdAt: NOW - 25 * HOUR, expiresAt: NOW + HOUR }, kind: 'expire' },
  ] as { name: string; overrides: Partial<DeliveryCommand>; kind: string }[])('$name → $kind', ({ overrides, kind }) => {
    expect(precheck(command(overrides), NOW, false, ttl).kind).toBe(kind);
  });

  it('says which deadline passed', () => {
    expect(precheck(command({ createdAt: NOW - 25 * HOUR }), NOW, false, ttl))
      .toMatchObject({ status: { status: 'expired', reason: 'stale: not sent within the bulk TTL of 1440 min' } });
    expect(precheck(command({ createdAt: NOW - HOUR, expiresAt: NOW - 1 }), NOW, false, ttl))
      .toMatchObject({ status: { reason: 'expired before it could be sent' } });
  });

  it('expires a deferral whose window opens only after the TTL', () => {
    // Outside 18:00–21:00 Moscow at NOW; the window opens 3 h later, past an express TTL.
    expect(precheck(command({ priority: 'express', createdAt: NOW, sendWindow: { from: '18:00', to: '21:00' } }), NOW, false, ttl).kind).toBe('expire');
  });

  it('without a TTL, only the command\'s own deadline counts', () => {
    expect(precheck(command({ createdAt: NOW - 1000 * HOUR }), NOW, false).kind).toBe('send');
    expect(deadlineOf(command({ expiresAt: 5 }), undefined)).toEqual({ at: 5, byTtl: false });
  });
});
