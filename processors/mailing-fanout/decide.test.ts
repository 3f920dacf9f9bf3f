import { decideForClient } from './decide';
import type { Client, Mailing } from '../../schemas/types';

const client = (over: Partial<Client> = {}): Client => ({
  id: 'c1', phone: '79001234567', operatorCode: '900', tags: [], timezone: 'Europe/Moscow', email: null,
  emailConfirmed: false, name: 'Ann', locale: 'en', deviceTokens: [],
  preferences: { promo: true, channels: {}, quietHours: null }, subscriptions: [], updatedAt: 1, ...over,
});
const mailing = (over: Partial<Mailing> = {}): Mailing => ({
  id: 'm1', text: 'hi', templateId: null, startAt: 1000, endAt: 5000, filter: { operatorCodes: [], tags: [] },
  channel: 'sms', sendWindow: null, promo: false, priority: 'bulk', status: 'running', createdAt: 1, updatedAt: 1, ...over,
});
const content = { text: 'hi', subject: null, html: null, title: null, headers: {} };

describe('decideForClient', () => {
  it('builds an sms command to the phone, expiring at endAt, with a deterministic id', () => {
    const a = decideForClient(mailing(), client(), () => content, 2000);
    const b = decideForClient(mailing(), client(), () => content, 3000);
    expect(a.kind).toBe('deliver');
    if (a.kind !== 'deliver' || b.kind !== 'deliver') throw new Error('expected deliver');
    expect(a.command).toMatchObject({ address: '79001234567', expiresAt: 5000, timezone: 'Europe/Moscow', channel: 'sms' });
    expect(a.command.deliveryId).toBe(b.command.deliveryId);
    expect(a.status).toMatchObject({ status: 'queued', deliveryId: a.command.deliveryId });
  });

  it.each([
    [mailing({ promo: true }), client({ preferences: { promo: false, channels: {}, quietHours: null } }), 'promo opt-out'],
    [mailing(), client({ preferences: { promo: true, channels: { sms: false }, quietHours: null } }), 'sms opt-out'],
    [mailing({ channel: 'email' }), client({ email: null }), 'no email address'],
    [mailing({ channel: 'push' }), client({ deviceTokens: [] }), 'no push address'],
  ])('%#: suppressed with reason %s', (m, c, reason) => {
    const decision = decideForClient(m, c, () => content, 2000);
    expect(decision).toMatchObject({ kind: 'skip', status: { status: 'suppressed', reason } });
  });

  it('stamps every status at the mailing start, so a replay later writes identical rows', () => {
    const first = decideForClient(mailing(), client(), () => content, 2000, 1500);
    const replay = decideForClient(mailing(), client(), () => content, 9000, 1500);
    expect(first.status).toEqual(replay.status);
    expect(first.status.occurredAt).toBe(1500);
    if (first.kind !== 'deliver') throw new Error('expected deliver');
    expect(first.command.createdAt).toBe(2000);
  });

  it('fails a client the context provider left out, and never renders for them', () => {
    expect(decideForClient(mailing(), client(), null, 2000)).toMatchObject({
      kind: 'skip', status: { status: 'failed', reason: 'no context from user-data service' },
    });
  });

  it('fails a client whose template cannot render, with the reason, and renders only for deliverable clients', () => {
    const render = jest.fn(() => { throw new Error('missing helper'); });
    expect(decideForClient(mailing(), client(), render, 2000)).toMatchObject({
      kind: 'skip', status: { status: 'failed', reason: 'template failed: missing helper' },
    });
    const optedOut = client({ preferences: { promo: true, channels: { sms: false }, quietHours: null } });
    const untouched = jest.fn(() => content);
    decideForClient(mailing(), optedOut, untouched, 2000);
    expect(untouched).not.toHaveBeenCalled();
  });
});
