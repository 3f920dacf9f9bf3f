import { createRenderer } from '../rendering/render';
import { channelsFor, decideNotification, sendWindowFor } from './decide';
import type { Client, NotificationRequested, Template } from '../../schemas/types';

const client = (over: Partial<Client> = {}): Client => ({
  id: 'c1', phone: '79001234567', operatorCode: '900', tags: [], timezone: 'Europe/Moscow', email: 'a@example.com',
  emailConfirmed: true, name: 'Ann', locale: 'en', deviceTokens: [],
  preferences: { promo: true, channels: {}, quietHours: null }, subscriptions: [], updatedAt: 1, ...over,
});
const request = (over: Partial<NotificationRequested> = {}): NotificationRequested => ({
  requestId: 'r1', occurredAt: 1, templateId: 't1', userIds: ['c1'], segmentTags: [], contextJson: '{"film":"Solaris"}',
  priority: 'bulk', promo: false, channels: [], notBefore: null, expiresAt: null, recurrence: null, requestedBy: null, ...over,
});
const template: Template = {
  id: 't1', name: null, defaultLocale: 'en', contextProvider: null, updatedAt: 0,
  variants: {
    en: { email: { subject: 'New: {{film}}', text: 'Hi {{name}}, {{film}} is out', html: null }, sms: '{{film}} is out', push: { title: '{{film}}', body: 'Watch now' }, inapp: null },
  },
};
const renderer = createRenderer();

describe('channelsFor', () => {
  it.each([
    ['the requested channels', request({ channels: ['sms', 'email', 'sms'] }), client(), ['sms', 'email']],
    ['push for a client with a device', request(), client({ deviceTokens: ['t'] }), ['push']],
    ['email when push is switched off', request(), client({ deviceTokens: ['t'], preferences: { promo: true, channels: { push: false }, quietHours: null } }), ['email']],
    ['email without a device', request(), client(), ['email']],
    ['sms without device or email', request(), client({ email: null }), ['sms']],
  ])('%s', (_name, r, c, expected) => {
    expect(channelsFor(r, c)).toEqual(expected);
  });
});

describe('sendWindowFor', () => {
  const quiet = client({ preferences: { promo: true, channels: {}, quietHours: { from: '22:00', to: '08:00' } } });
  it('turns quiet hours into the window between them', () => {
    expect(sendWindowFor(request(), quiet)).toEqual({ from: '08:00', to: '22:00' });
  });
  it('lets express messages through quiet hours', () => {
    expect(sendWindowFor(request({ priority: 'express' }), quiet)).toBeNull();
  });
});

describe('decideNotification', () => {
  it('renders the template with the request context and the client', () => {
    const [decision] = decideNotification(request(), client(), template, renderer, 5);
    expect(decision).toMatchObject({ kind: 'deliver', command: { channel: 'email', address: 'a@example.com', content: { subject: 'New: Solaris', text: 'Hi Ann, Solaris is out' } } });
  });

  it('pushes with an email fallback when it chose push itself', () => {
    const [decision] = decideNotification(request(), client({ deviceTokens: ['t1'] }), template, renderer, 5);
    expect(decision).toMatchObject({ kind: 'deliver', command: { channel: 'push', deviceTokens: ['t1'], fallback: { channel: 'email', address: 'a@example.com' } } });
  });

  it.each([
    ['promo opt-out', request({ promo: true }), client({ preferences: { promo: false, channels: {}, quietHours: null } }), 'promo opt-out'],
    ['a channel opt-out', request({ channels: ['sms'] }), client({ preferences: { promo: true, channels: { sms: false }, quietHours: null } }), 'sms opt-out'],
    ['no address', request({ channels: ['email'] }), client({ email: null }), 'no email address'],
  ])('suppresses on %s', (_name, r, c, reason) => {
    expect(decideNotification(r, c, template, renderer, 5)).toEqual([
      { kind: 'skip', status: expect.objectContaining({ status: 'suppressed', reason }) },
    ]);
  });

  it('records failed (and sends nothing) when the template has no part for the channel', () => {
    const [decision] = decideNotification(request({ channels: ['inapp'] }), client(), template, renderer, 5);
    expect(decision).toMatchObject({ kind: 'skip', status: { status: 'failed' } });
  });

  it('gives the same delivery id on a replay', () => {
    const a = decideNotification(request(), client(), template, renderer, 5)[0];
    const b = decideNotification(request(), client(), template, renderer, 9)[0];
    expect(a?.status.deliveryId).toBe(b?.status.deliveryId);
  });
});

describe('decideNotification with a context provider', () => {
  const digestTemplate: Template = {
    ...template, contextProvider: 'monthly-digest',
    variants: { en: { email: { subject: '{{film}} and more', text: '{{name}} loves {{monthlyDigest.favouriteGenre}}', html: null }, sms: null, push: null, inapp: null } },
  };

  it('renders the recipient\'s provided context beside the request context', () => {
    const [decision] = decideNotification(request(), client(), digestTemplate, renderer, 5, undefined, undefined, { monthlyDigest: { favouriteGenre: 'drama' } });
    expect(decision).toMatchObject({ kind: 'deliver', command: { content: { subject: 'Solaris and more', text: 'Ann loves drama' } } });
  });

  it('fails (and sends nothing) for a recipient the service gave no context for', () => {
    const decisions = decideNotification(request({ channels: ['email', 'sms'] }), client(), digestTemplate, renderer, 5, undefined, undefined, null);
    expect(decisions.map((d) => [d.kind, d.status.channel, d.status.status, d.status.reason])).toEqual([
      ['skip', 'email', 'failed', 'no context from user-data service'],
      ['skip', 'sms', 'failed', 'no context from user-data service'],
    ]);
  });

  it('still reports an opt-out as suppressed rather than failed', () => {
    const [decision] = decideNotification(request({ promo: true }), client({ preferences: { promo: false, channels: {}, quietHours: null } }), digestTemplate, renderer, 5, undefined, undefined, null);
    expect(decision?.status).toMatchObject({ status: 'suppressed', reason: 'promo opt-out' });
  });
});
