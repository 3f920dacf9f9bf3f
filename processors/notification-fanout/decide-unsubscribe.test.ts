import type { Client, NotificationRequested, Template } from '../../schemas/types';
import { createRenderer } from '../rendering/render';
import { decideNotification, parseContext } from './decide';

/** Promo notifications carry the unsubscribe link; others do not. */
const client = (over: Partial<Client> = {}): Client => ({
  id: 'c1', phone: '79001234567', operatorCode: '900', tags: [], timezone: 'UTC', email: 'a@example.com',
  emailConfirmed: true, name: 'Ann', locale: 'en', deviceTokens: [],
  preferences: { promo: true, channels: {}, quietHours: null }, subscriptions: [], updatedAt: 1, ...over,
});
const request = (over: Partial<NotificationRequested> = {}): NotificationRequested => ({
  requestId: 'r1', occurredAt: 1, templateId: 't1', userIds: ['c1'], segmentTags: [], contextJson: '{}',
  priority: 'bulk', promo: true, channels: ['email'], notBefore: null, expiresAt: null, recurrence: null, requestedBy: null, ...over,
});
const template = (email: { subject: string; text: string; html: string | null }): Template => ({
  id: 't1', name: null, defaultLocale: 'en', contextProvider: null, updatedAt: 0,
  variants: { en: { email, sms: 'Sale', push: { title: 'Sale', body: 'Now' }, inapp: null } },
});
const plain = template({ subject: 'Sale', text: 'Hi {{name}}', html: '<p>Hi {{name}}</p>' });
const renderer = createRenderer();
const link = (clientId: string) => `https://v.example/u/${clientId}.sig`;
const decide = (r: NotificationRequested, c: Client, t: Template = plain) =>
  decideNotification(r, c, t, renderer, 5, parseContext(r.contextJson), link);
const commandOf = (decisions: ReturnType<typeof decide>, index = 0) => {
  const decision = decisions[index];
  if (decision?.kind !== 'deliver') throw new Error(`expected a command, got ${JSON.stringify(decision)}`);
  return decision.command;
};

describe('promo notifications and the unsubscribe link', () => {
  it('gives a promo email the List-Unsubscribe headers and a footer link', () => {
    const { content } = commandOf(decide(request(), client()));
    expect(content.headers).toEqual({
      'List-Unsubscribe': '<https://v.example/u/c1.sig>', 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    });
    expect(content.text).toContain('Hi Ann\n\n--\nUnsubscribe from promotional messages: https://v.example/u/c1.sig');
    expect(content.html).toContain('<a href="https://v.example/u/c1.sig">');
  });

  it('lets the template place {{unsubscribeUrl}} itself (no footer then)', () => {
    const placed = template({ subject: 'Sale', text: 'Hi. Stop: {{unsubscribeUrl}}', html: null });
    const { content } = commandOf(decide(request(), client(), placed));
    expect(content.text).toBe('Hi. Stop: https://v.example/u/c1.sig');
    expect(content.headers['List-Unsubscribe']).toBe('<https://v.example/u/c1.sig>');
  });

  it('adds nothing to a non-promo email', () => {
    const { content } = commandOf(decide(request({ promo: false }), client()));
    expect(content.headers).toEqual({});
    expect(content.text).toBe('Hi Ann');
  });

  it('adds nothing to a promo SMS', () => {
    const { content } = commandOf(decide(request({ channels: ['sms'] }), client()));
    expect(content).toMatchObject({ text: 'Sale', headers: {} });
  });

  it('gives a promo push that may fall back to email the headers only (the fallback email inherits them)', () => {
    const command = commandOf(decide(request({ channels: [] }), client({ deviceTokens: ['t'] })));
    expect(command.channel).toBe('push');
    expect(command.fallback).toEqual({ channel: 'email', address: 'a@example.com' });
    expect(command.content).toMatchObject({ text: 'Now', headers: { 'List-Unsubscribe': '<https://v.example/u/c1.sig>' } });
  });

  it('still suppresses a promo for a client who opted out (nothing rendered, no link)', () => {
    const [decision] = decide(request(), client({ preferences: { promo: false, channels: {}, quietHours: null } }));
    expect(decision).toMatchObject({ kind: 'skip', status: { status: 'suppressed', reason: 'promo opt-out' } });
  });

  it('adds nothing when no link builder is given (callers that do not send promo mail)', () => {
    const [decision] = decideNotification(request(), client(), plain, renderer, 5);
    expect(decision).toMatchObject({ kind: 'deliver', command: { content: { headers: {}, text: 'Hi Ann' } } });
  });
});
