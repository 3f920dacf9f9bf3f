import type { Client, Mailing } from '../../schemas/types';
import { createRenderer } from '../rendering/render';
import { withUnsubscribeLink } from '../rendering/unsubscribe-link';
import { decideForClient, mailingContext, unsubscribeUrlFor } from './decide';

const client = (over: Partial<Client> = {}): Client => ({
  id: 'c1', phone: '79001234567', operatorCode: '900', tags: [], timezone: 'UTC', email: 'a@example.com',
  emailConfirmed: true, name: 'Ann', locale: 'en', deviceTokens: [],
  preferences: { promo: true, channels: {}, quietHours: null }, subscriptions: [], updatedAt: 1, ...over,
});
const mailing = (over: Partial<Mailing> = {}): Mailing => ({
  id: 'm1', text: 'Sale, {{name}}', templateId: null, startAt: 1000, endAt: 5000, filter: { operatorCodes: [], tags: [] },
  channel: 'email', sendWindow: null, promo: true, priority: 'bulk', status: 'running', createdAt: 1, updatedAt: 1, ...over,
});
const link = (clientId: string) => `https://v.example/u/${clientId}.sig`;

describe('unsubscribeUrlFor', () => {
  it.each([
    ['a promo email mailing', mailing(), link, 'https://v.example/u/c1.sig'],
    ['a non-promo email mailing', mailing({ promo: false }), link, null],
    ['a promo SMS mailing', mailing({ channel: 'sms' }), link, null],
    ['no link builder', mailing(), undefined, null],
  ])('%s → %p', (_name, m, builder, expected) => {
    expect(unsubscribeUrlFor(m, client(), builder)).toBe(expected);
  });
});

describe('mailingContext', () => {
  it('carries unsubscribeUrl only when given', () => {
    expect(mailingContext(mailing(), client(), 'https://v.example/u/x')).toMatchObject({ unsubscribeUrl: 'https://v.example/u/x' });
    expect(mailingContext(mailing(), client())).not.toHaveProperty('unsubscribeUrl');
  });

  it('lets a mailing text place the link itself', () => {
    const url = unsubscribeUrlFor(mailing(), client(), link) as string;
    const text = createRenderer().render('Sale! Stop: {{unsubscribeUrl}}', mailingContext(mailing(), client(), url));
    expect(text).toBe('Sale! Stop: https://v.example/u/c1.sig');
  });
});

describe('a promo email mailing command', () => {
  it('keeps the link headers and footer the fan-out put in its content', () => {
    const url = link('c1');
    const content = withUnsubscribeLink({ text: 'Sale, Ann', subject: null, html: null, title: null, headers: {} }, url);
    const decision = decideForClient(mailing(), client(), () => content, 10);
    expect(decision).toMatchObject({
      kind: 'deliver',
      command: { promo: true, content: { headers: { 'List-Unsubscribe': `<${url}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' } } },
    });
  });

  it('is suppressed for a client who opted out of promo', () => {
    const optedOut = client({ preferences: { promo: false, channels: {}, quietHours: null } });
    expect(decideForClient(mailing(), optedOut, () => withUnsubscribeLink({ text: 'x', subject: null, html: null, title: null, headers: {} }, link('c1')), 10))
      .toMatchObject({ kind: 'skip', status: { status: 'suppressed', reason: 'promo opt-out' } });
  });
});
