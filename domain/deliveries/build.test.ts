import { deliveryIdOf, statusIdOf } from '../../platform/ids';
import { commandOf, deliver, deliveryOf, eventStamp, resendOf, resendReason, skip, statusOf } from './build';

const origin = { sourceType: 'mailing', sourceId: 'm1', clientId: 'c1', channel: 'sms', priority: 'bulk' } as const;
const content = { text: 'hi', subject: null, html: null, title: null, headers: {} };

describe('deliveryOf', () => {
  it('is deterministic in source, client and channel', () => {
    expect(deliveryOf(origin).deliveryId).toBe(deliveryIdOf('mailing', 'm1', 'c1', 'sms'));
    expect(deliveryOf({ ...origin, channel: 'email' }).deliveryId).not.toBe(deliveryOf(origin).deliveryId);
  });
});

describe('eventStamp', () => {
  it.each([[100, 200, 100], [300, 200, 200], [200, 200, 200]])('event %i, now %i → %i', (eventAt, now, stamp) => {
    expect(eventStamp(eventAt, now)).toBe(stamp);
  });
});

describe('statusOf', () => {
  it('carries the delivery, the attempt and a status id deterministic in (delivery, status, attempt)', () => {
    const delivery = { ...deliveryOf(origin), attempt: 2 };
    const status = statusOf(delivery, 'retrying', 5, 'http 503');
    expect(status).toEqual({
      statusId: statusIdOf(delivery.deliveryId, 'retrying', 2), deliveryId: delivery.deliveryId, sourceType: 'mailing', sourceId: 'm1',
      clientId: 'c1', channel: 'sms', priority: 'bulk', status: 'retrying', attempt: 2, reason: 'http 503', providerMessageId: null, provider: null,
      occurredAt: 5,
    });
  });

  it('counts attempt 0 for a delivery no provider was called for yet', () => {
    expect(statusOf(deliveryOf(origin), 'suppressed', 1, 'sms opt-out').attempt).toBe(0);
  });
});

describe('commandOf, deliver, skip', () => {
  it('defaults what a flow leaves out to "none" and starts at attempt 0', () => {
    const command = commandOf(deliveryOf(origin), { address: '79001234567', content, timezone: 'UTC' }, 7);
    expect(command).toMatchObject({
      deviceTokens: [], fallback: null, promo: false, sendWindow: null, notBefore: null, expiresAt: null, attempt: 0, createdAt: 7,
    });
  });

  it('deliver pairs the command with its queued status at the stamp; skip says why nothing is sent', () => {
    const command = commandOf(deliveryOf(origin), { address: 'x', content, timezone: 'UTC' }, 7);
    expect(deliver(command, 3)).toMatchObject({ kind: 'deliver', command, status: { status: 'queued', occurredAt: 3, deliveryId: command.deliveryId } });
    expect(skip(deliveryOf(origin), 'failed', 'template failed: x', 3)).toMatchObject({
      kind: 'skip', status: { status: 'failed', reason: 'template failed: x', occurredAt: 3 },
    });
  });
});

describe('resendOf', () => {
  const original = deliveryOf(origin);

  it('is a new delivery of the same origin, the same for the same round and new for the next', () => {
    const first = resendOf(original, 1);
    expect(first).toMatchObject({ sourceType: 'mailing', sourceId: 'm1', clientId: 'c1', channel: 'sms', priority: 'bulk' });
    expect(first.deliveryId).not.toBe(original.deliveryId);
    expect(resendOf(original, 1).deliveryId).toBe(first.deliveryId);
    expect(resendOf(original, 2).deliveryId).not.toBe(first.deliveryId);
    expect(resendOf(deliveryOf({ ...origin, clientId: 'c2' }), 1).deliveryId).not.toBe(first.deliveryId);
  });

  it('starts its attempts afresh and refuses round 0', () => {
    expect(resendOf({ ...original, attempt: 8 }, 1).attempt).toBeUndefined();
    expect(() => resendOf(original, 0)).toThrow(RangeError);
  });

  it('links its queued status to the original through the reason', () => {
    const command = commandOf(resendOf(original, 2), { address: '79001234567', content, timezone: 'UTC' }, 7);
    const decision = deliver(command, 7, resendReason(original.deliveryId, 2));
    expect(decision.status).toMatchObject({ status: 'queued', reason: `resend of ${original.deliveryId} (round 2)` });
  });
});
