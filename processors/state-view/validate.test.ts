import { createCodec } from '../../platform/codec';
import { TOPICS } from '../../platform/topics';
import type { Client, Mailing, Template } from '../../schemas/types';
import { stateRecordProblems } from './validate';

const client = (over: Partial<Client> = {}): Client => ({
  id: 'c1', phone: '79001234567', operatorCode: '900', tags: ['vip'], timezone: 'Europe/Moscow', email: 'ann@example.com',
  emailConfirmed: false, name: 'Ann', locale: 'en', deviceTokens: [],
  preferences: { promo: true, channels: { sms: true }, quietHours: { from: '22:00', to: '08:00' } }, subscriptions: [], updatedAt: 1, ...over,
});

const mailing = (over: Partial<Mailing> = {}): Mailing => ({
  id: 'm1', text: 'Hello {{name}}', templateId: null, startAt: 1000, endAt: 2000, filter: { operatorCodes: ['900'], tags: [] },
  channel: 'sms', sendWindow: { from: '09:00', to: '21:00' }, promo: false, priority: 'bulk', status: 'scheduled',
  createdAt: 1, updatedAt: 1, ...over,
});

const template = (over: Partial<Template> = {}): Template => ({
  id: 't1', name: null, defaultLocale: 'en', contextProvider: null, updatedAt: 1,
  variants: { en: { email: null, sms: 'Hi {{name}}', push: null, inapp: null } }, ...over,
});

describe('stateRecordProblems: what the directory view accepts', () => {
  it.each([
    ['a client', TOPICS.clients, client()],
    ['a mailing', TOPICS.mailings, mailing()],
    ['a template mailing', TOPICS.mailings, mailing({ text: null, templateId: 't1' })],
    ['a template', TOPICS.templates, template()],
  ])('accepts %s as the API writes it', (_name, topic, value) => {
    expect(stateRecordProblems(topic, value.id, value)).toEqual([]);
  });

  // Decoded records are avsc class instances with prototype methods: they must not count as unknown fields.
  it.each([
    ['client', TOPICS.clients, 'state.clients', client()],
    ['mailing', TOPICS.mailings, 'state.mailings', mailing()],
    ['template', TOPICS.templates, 'state.templates', template()],
  ] as const)('accepts a %s as the codec decodes it', async (_name, topic, schema, value) => {
    const codec = createCodec();
    const decoded = (await codec.decode(schema, await codec.encode(schema, value))) as Client | Mailing | Template;
    expect(stateRecordProblems(topic, value.id, decoded)).toEqual([]);
  });

  it('accepts a tombstone under a valid key', () => {
    expect(stateRecordProblems(TOPICS.clients, 'c1', null)).toEqual([]);
  });

  it.each<[string, string, string | null, Client | Mailing | Template, string]>([
    ['no key', TOPICS.clients, null, client(), 'key:'],
    ['a key that is not an id', TOPICS.clients, 'a b', client({ id: 'a b' }), 'key:'],
    ['an id other than the key', TOPICS.clients, 'c2', client(), 'id:'],
    ['a phone that is not a phone', TOPICS.clients, 'c1', client({ phone: 'abc' }), 'phone:'],
    ['an unknown time zone', TOPICS.clients, 'c1', client({ timezone: 'Mars/Olympus' }), 'timezone:'],
    ['a malformed email', TOPICS.clients, 'c1', client({ email: 'not-an-email' }), 'email:'],
    ['an operator code of letters', TOPICS.clients, 'c1', client({ operatorCode: 'abc' }), 'operatorCode:'],
    ['quiet hours past 24:00', TOPICS.clients, 'c1', client({ preferences: { promo: true, channels: {}, quietHours: { from: '25:00', to: '08:00' } } }), 'preferences.quietHours.from:'],
    ['a negative updatedAt', TOPICS.clients, 'c1', client({ updatedAt: -5 }), 'updatedAt:'],
    ['a mailing ending before it starts', TOPICS.mailings, 'm1', mailing({ endAt: 500 }), 'endAt:'],
    ['a mailing with neither text nor template', TOPICS.mailings, 'm1', mailing({ text: null }), 'text:'],
    ['a mailing text that does not compile', TOPICS.mailings, 'm1', mailing({ text: '{{7*7}}' }), 'text: template does not compile'],
    ['a mailing with a negative start', TOPICS.mailings, 'm1', mailing({ startAt: -1 }), 'startAt:'],
    ['a template whose default locale has no variant', TOPICS.templates, 't1', template({ defaultLocale: 'ru' }), 'defaultLocale:'],
    ['a template that does not compile', TOPICS.templates, 't1', template({ variants: { en: { email: null, sms: '{{#each}}', push: null, inapp: null } } }), 'variants.en.sms:'],
  ])('refuses %s', (_name, topic, key, value, expected) => {
    const problems = stateRecordProblems(topic, key, value);
    expect(problems.some((p) => p.startsWith(expected))).toBe(true);
  });

  it('reports a mailing with bad times together with its other problems', () => {
    const problems = stateRecordProblems(TOPICS.mailings, 'm1', mailing({ startAt: -1, sendWindow: { from: '9', to: '21:00' } }));
    expect(problems).toEqual(expect.arrayContaining([expect.stringMatching(/^startAt:/), expect.stringMatching(/^sendWindow\.from:/)]));
  });
});
