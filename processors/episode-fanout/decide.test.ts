import { deliveryIdOf, statusIdOf } from '../../platform/ids';
import type { Client, EpisodeReleased, Template } from '../../schemas/types';
import { createRenderer } from '../rendering/render';
import { decideEpisode, isSubscriber } from './decide';
import { EPISODE_TEMPLATE } from './template';

const NOW = Date.parse('2030-01-01T12:00:00Z');
const renderer = createRenderer();

const event = (over: Partial<EpisodeReleased> = {}): EpisodeReleased => ({
  eventId: 'evt-1', occurredAt: NOW - 5_000, seriesId: 'dark', seriesTitle: 'Dark', episodeId: 'ep-3', episodeTitle: 'Past & Present',
  seasonNumber: 1, episodeNumber: 3, url: 'https://films.test/dark/1/3?utm=mail&x=1', ...over,
});

const client = (over: Partial<Client> = {}): Client => ({
  id: 'c-1', phone: '79001234567', operatorCode: '900', tags: [], timezone: 'Europe/Moscow', email: 'ann@example.test',
  emailConfirmed: true, name: 'Ann <Lee>', locale: 'en', deviceTokens: [],
  preferences: { promo: true, channels: {}, quietHours: null }, subscriptions: ['dark'], updatedAt: 1, ...over,
});

const decide = (e = event(), c = client(), template: Template = EPISODE_TEMPLATE) => decideEpisode(e, c, template, renderer, NOW);

describe('decideEpisode: a subscriber with an email', () => {
  it('gets one bulk email command with a deterministic delivery id, and its queued status', () => {
    const decision = decide();
    const deliveryId = deliveryIdOf('episode', 'evt-1', 'c-1', 'email');
    expect(decision.kind).toBe('deliver');
    if (decision.kind !== 'deliver') return;
    expect(decision.command).toMatchObject({
      deliveryId, sourceType: 'episode', sourceId: 'evt-1', clientId: 'c-1', channel: 'email', priority: 'bulk',
      address: 'ann@example.test', deviceTokens: [], fallback: null, promo: false, timezone: 'Europe/Moscow', sendWindow: null,
      notBefore: null, expiresAt: null, attempt: 0, createdAt: NOW,
    });
    expect(decision.status).toEqual({
      statusId: statusIdOf(deliveryId, 'queued', 0), deliveryId, sourceType: 'episode', sourceId: 'evt-1', clientId: 'c-1',
      channel: 'email', priority: 'bulk', status: 'queued', attempt: 0, reason: null, providerMessageId: null, provider: null, occurredAt: NOW - 5_000,
    });
  });

  it('renders name, series, season/episode numbers, title and link; text as is, html escaped', () => {
    const decision = decide();
    if (decision.kind !== 'deliver') throw new Error('expected a delivery');
    const { subject, text, html } = decision.command.content;
    expect(subject).toBe('New episode of Dark: Past & Present');
    expect(text).toContain('Hello Ann <Lee>,');
    expect(text).toContain('a new episode of Dark is out: season 1, episode 3, "Past & Present".');
    expect(text).toContain('Watch it here: https://films.test/dark/1/3?utm=mail&x=1');
    expect(html).toContain('Hello Ann &lt;Lee&gt;,');
    expect(html).toContain('Past &amp; Present');
    expect(html).toContain('href="https://films.test/dark/1/3?utm&#x3D;mail&amp;x&#x3D;1"');
    expect(html).not.toContain('<Lee>');
  });

  it.each([
    ['no season and no episode number', { seasonNumber: null, episodeNumber: null }, 'is out: "Past & Present"'],
    ['an episode number only', { seasonNumber: null, episodeNumber: 7 }, 'is out: episode 7, "Past & Present"'],
    ['season 0 (specials)', { seasonNumber: 0, episodeNumber: 1 }, 'is out: season 0, episode 1, "Past & Present"'],
  ])('shows only the numbers present: %s', (_name, over, expected) => {
    const decision = decide(event(over));
    expect(decision.kind === 'deliver' && decision.command.content.text).toContain(expected);
  });

  it('greets without a name when the client has none', () => {
    const decision = decide(event(), client({ name: null }));
    expect(decision.kind === 'deliver' && decision.command.content.text).toMatch(/^Hello,\n/);
  });

  it.each([
    ['ru', 'Здравствуйте, Ann <Lee>!', 'Новая серия «Dark»: Past & Present'],
    ['ru-RU', 'Здравствуйте, Ann <Lee>!', 'Новая серия «Dark»: Past & Present'],
    ['de', 'Hello Ann <Lee>,', 'New episode of Dark: Past & Present'],
  ])('locale %s picks its variant, else the default (en)', (locale, greeting, subject) => {
    const decision = decide(event(), client({ locale }));
    if (decision.kind !== 'deliver') throw new Error('expected a delivery');
    expect(decision.command.content.text).toContain(greeting);
    expect(decision.command.content.subject).toBe(subject);
  });

  it('uses the template it is given (an admin-stored override)', () => {
    const custom: Template = {
      ...EPISODE_TEMPLATE, id: 'episode-released',
      variants: { en: { email: { subject: '{{seriesTitle}} S{{seasonNumber}}E{{episodeNumber}}', text: 'Hi {{name}}: {{url}}', html: null }, sms: null, push: null, inapp: null } },
    };
    const decision = decide(event(), client(), custom);
    if (decision.kind !== 'deliver') throw new Error('expected a delivery');
    expect(decision.command.content).toMatchObject({ subject: 'Dark S1E3', text: 'Hi Ann <Lee>: https://films.test/dark/1/3?utm=mail&x=1', html: null });
  });
});

describe('decideEpisode: a replay', () => {
  it('is the same decision, even decided later (same ids, same status time)', () => {
    const first = decideEpisode(event(), client(), EPISODE_TEMPLATE, renderer, NOW);
    const replay = decideEpisode(event(), client(), EPISODE_TEMPLATE, renderer, NOW + 3_600_000);
    expect(replay.status).toEqual(first.status);
    expect(replay.kind === 'deliver' && replay.command.deliveryId).toBe(first.kind === 'deliver' && first.command.deliveryId);
  });

  it('another event or another client is another delivery', () => {
    const id = (e: EpisodeReleased, c: Client) => decide(e, c).status.deliveryId;
    expect(id(event({ eventId: 'evt-2' }), client())).not.toBe(id(event(), client()));
    expect(id(event(), client({ id: 'c-2' }))).not.toBe(id(event(), client()));
  });

  it('stamps statuses at now when the event claims a future time', () => {
    expect(decide(event({ occurredAt: NOW + 60_000 })).status.occurredAt).toBe(NOW);
  });
});

describe('decideEpisode: no email is sent', () => {
  it.each([
    ['email opt-out', client({ preferences: { promo: true, channels: { email: false }, quietHours: null } }), 'email opt-out'],
    ['no email address', client({ email: null }), 'no email address'],
    ['opt-out and no address: the opt-out is the reason', client({ email: null, preferences: { promo: true, channels: { email: false }, quietHours: null } }), 'email opt-out'],
  ])('%s → suppressed with the reason', (_name, who, reason) => {
    const decision = decide(event(), who);
    expect(decision).toEqual({ kind: 'skip', status: expect.objectContaining({ status: 'suppressed', reason, channel: 'email', sourceType: 'episode' }) });
  });

  it('a promo opt-out or an SMS opt-out does not stop the episode email', () => {
    expect(decide(event(), client({ preferences: { promo: false, channels: { sms: false }, quietHours: null } })).kind).toBe('deliver');
  });

  it.each([
    ['no email part', { en: { email: null, sms: 'x', push: null, inapp: null } }, /template failed: template episode-released has no email part/],
    ['an unknown helper', { en: { email: { subject: '{{nope name}}', text: 't', html: null }, sms: null, push: null, inapp: null } }, /template failed: template failed to render: Missing helper: "nope"/],
    ['a syntax error', { en: { email: { subject: 'ok', text: '{{#if name}}never closed', html: null }, sms: null, push: null, inapp: null } }, /template failed: template failed to render: Parse error/],
  ])('a template with %s → failed with the reason, no command', (_name, variants, reason) => {
    const broken: Template = { ...EPISODE_TEMPLATE, id: 'episode-released', variants };
    const decision = decide(event(), client(), broken);
    expect(decision.kind).toBe('skip');
    expect(decision.status).toMatchObject({ status: 'failed', reason: expect.stringMatching(reason) });
  });
});

describe('isSubscriber', () => {
  it('is true only when the client doc lists the series', () => {
    expect(isSubscriber(client({ subscriptions: ['a', 'dark'] }), 'dark')).toBe(true);
    expect(isSubscriber(client({ subscriptions: ['a'] }), 'dark')).toBe(false);
    expect(isSubscriber(client({ subscriptions: [] }), 'dark')).toBe(false);
  });
});
