import { deliveryIdOf, statusIdOf } from '../../platform/ids';
import type { Client, Template, UserActivity } from '../../schemas/types';
import { INAPP_URL_HEADER } from '../../domain/deliveries/headers';
import { createRenderer } from '../rendering/render';
import { decideActivity } from './decide';
import { builtinActivityTemplate } from './template';

const NOW = Date.parse('2030-01-01T00:00:00Z');
const renderer = createRenderer();
const event = (overrides: Partial<UserActivity> = {}): UserActivity => ({
  eventId: 'evt-1', occurredAt: NOW - 1000, userId: 'u-1', actorId: 'u-2', actorName: 'Bob', kind: 'like', objectId: 'p-1',
  objectTitle: 'Summer photos', url: 'https://app.test/p/1', ...overrides,
});
const client = (overrides: Partial<Client> = {}): Client => ({
  id: 'u-1', phone: '79001234567', operatorCode: '900', tags: [], timezone: 'Europe/Moscow', email: null, emailConfirmed: false,
  name: 'Ann', locale: 'en', deviceTokens: [], preferences: { promo: true, channels: {}, quietHours: null }, subscriptions: [],
  updatedAt: 0, ...overrides,
});
const decide = (e: UserActivity, c: Client | null, override: Template | null = null) => decideActivity(e, { client: c, override, renderer, now: NOW });
const textOf = (e: UserActivity, c: Client = client(), override: Template | null = null) => {
  const decision = decide(e, c, override);
  if (decision.kind !== 'deliver') throw new Error(`expected a command, got ${decision.status.status}`);
  return decision.command.content;
};

describe('decideActivity', () => {
  it('makes one express in-app command to the user with a deterministic delivery id, and its queued status', () => {
    const decision = decide(event(), client());
    const deliveryId = deliveryIdOf('activity', 'evt-1', 'u-1', 'inapp');
    expect(decision.kind).toBe('deliver');
    if (decision.kind !== 'deliver') return;
    expect(decision.command).toMatchObject({
      deliveryId, sourceType: 'activity', sourceId: 'evt-1', clientId: 'u-1', channel: 'inapp', priority: 'express', address: 'u-1',
      deviceTokens: [], fallback: null, promo: false, timezone: 'Europe/Moscow', sendWindow: null, notBefore: null, expiresAt: null,
      attempt: 0, createdAt: NOW,
    });
    expect(decision.command.content).toEqual({
      text: 'Bob liked your Summer photos', title: 'New like', subject: null, html: null, headers: { [INAPP_URL_HEADER]: 'https://app.test/p/1' },
    });
    expect(decision.status).toEqual({
      statusId: statusIdOf(deliveryId, 'queued', 0), deliveryId, sourceType: 'activity', sourceId: 'evt-1', clientId: 'u-1',
      channel: 'inapp', priority: 'express', status: 'queued', attempt: 0, reason: null, providerMessageId: null, provider: null,
      // Stamped at the event's time (never later than now), so a replay writes the same row.
      occurredAt: NOW - 1000,
    });
  });

  it('is the same decision for a replayed event, another delivery for another event', () => {
    expect(decide(event(), client())).toEqual(decide(event(), client()));
    expect(decide(event({ eventId: 'evt-2' }), client()).status.deliveryId).not.toBe(decide(event(), client()).status.deliveryId);
  });

  it.each([
    ['like', 'en', 'Bob liked your Summer photos', 'New like'],
    ['LIKE', 'en', 'Bob liked your Summer photos', 'New like'],
    ['comment', 'en', 'Bob commented on your Summer photos', 'New comment'],
    ['follow', 'en', 'Bob started following you', 'New follower'],
    ['share', 'en', 'Bob (share) on your Summer photos', 'New activity'],
    ['like', 'ru', 'Bob оценил(а) «Summer photos»', 'Новая оценка'],
    ['like', 'ru-RU', 'Bob оценил(а) «Summer photos»', 'Новая оценка'],
    ['comment', 'ru', 'Bob прокомментировал(а) «Summer photos»', 'Новый комментарий'],
    ['follow', 'ru', 'Bob подписался(-ась) на вас', 'Новый подписчик'],
    ['repost', 'ru', 'Bob (repost): «Summer photos»', 'Новое событие'],
    ['like', 'de', 'Bob liked your Summer photos', 'New like'],
  ])('kind %s in locale %s reads "%s"', (kind, locale, text, title) => {
    expect(textOf(event({ kind }), client({ locale }))).toMatchObject({ text, title });
  });

  it('names the object generically when the event has no title, and carries no url header without a url', () => {
    const content = textOf(event({ objectTitle: null, url: null }));
    expect(content.text).toBe('Bob liked your post');
    expect(content.headers).toEqual({});
    expect(textOf(event({ objectTitle: null }), client({ locale: 'ru' })).text).toBe('Bob оценил(а) вашу публикацию');
  });

  it('does not HTML-escape names (an in-app text is plain text)', () => {
    expect(textOf(event({ actorName: 'Tom & <Jerry>' })).text).toBe('Tom & <Jerry> liked your Summer photos');
  });

  describe('the admin template "user-activity"', () => {
    const override: Template = {
      id: 'user-activity', name: null, defaultLocale: 'en', contextProvider: null, updatedAt: 1,
      variants: {
        en: { email: null, sms: null, push: { title: 'Hey {{name}}', body: '' }, inapp: '{{actorName}} did {{kind}} on {{objectTitle}}' },
        fr: { email: null, sms: 'x', push: null, inapp: null },
      },
    };

    it('overrides the built-in text and title', () => {
      expect(textOf(event(), client(), override)).toMatchObject({ text: 'Bob did like on Summer photos', title: 'Hey Ann' });
    });

    it('falls back to its default locale, and has no title without a push title', () => {
      const noTitle: Template = { ...override, variants: { en: { email: null, sms: null, push: null, inapp: '{{actorName}}!' } } };
      expect(textOf(event(), client({ locale: 'ru' }), noTitle)).toMatchObject({ text: 'Bob!', title: null });
    });

    it('is skipped for a locale whose variant has no in-app text (the built-in text is used)', () => {
      expect(textOf(event(), client({ locale: 'fr' }), override).text).toBe('Bob liked your Summer photos');
    });

    it('that cannot render gives a failed status, no command', () => {
      const broken: Template = { ...override, variants: { en: { email: null, sms: null, push: null, inapp: '{{#if}}' } } };
      const decision = decide(event(), client(), broken);
      expect(decision.kind).toBe('skip');
      expect(decision.status).toMatchObject({ status: 'failed', channel: 'inapp', reason: expect.stringContaining('template failed') });
    });
  });

  describe('suppressed', () => {
    it.each([
      ['the user is not in the directory', null, 'unknown client'],
      ['the user opted out of in-app', client({ preferences: { promo: true, channels: { inapp: false }, quietHours: null } }), 'inapp opt-out'],
    ])('when %s', (_case, recipient, reason) => {
      const decision = decide(event(), recipient);
      expect(decision.kind).toBe('skip');
      expect(decision.status).toMatchObject({
        status: 'suppressed', reason, clientId: 'u-1', channel: 'inapp', sourceType: 'activity', sourceId: 'evt-1',
        deliveryId: deliveryIdOf('activity', 'evt-1', 'u-1', 'inapp'),
      });
    });

    it('not when other channels are opted out', () => {
      const other = client({ preferences: { promo: false, channels: { email: false, inapp: true }, quietHours: null } });
      expect(decide(event(), other).kind).toBe('deliver');
    });
  });
});

describe('builtinActivityTemplate', () => {
  it('has en and ru variants with an in-app text and title for every kind', () => {
    for (const kind of ['like', 'comment', 'follow', 'anything']) {
      const template = builtinActivityTemplate(kind);
      for (const locale of ['en', 'ru']) {
        expect(template.variants[locale]?.inapp).toBeTruthy();
        expect(template.variants[locale]?.push?.title).toBeTruthy();
      }
    }
    expect(builtinActivityTemplate('anything').id).toBe('builtin:user-activity:generic');
  });
});
