import { deliveryIdOf, statusIdOf } from '../../platform/ids';
import type { UserRegistered } from '../../schemas/types';
import { confirmUrlOf, decideWelcome } from './decide';

const NOW = Date.parse('2030-01-01T00:00:00Z');
const event = (overrides: Partial<UserRegistered> = {}): UserRegistered => ({
  eventId: 'evt-1', occurredAt: NOW - 1000, userId: 'user-7', email: 'ann@example.test', name: 'Ann <Lee>',
  locale: 'en', timezone: 'Europe/Berlin', ...overrides,
});
const lookups = { linkCode: 'Abc_123-xyz', baseUrl: 'https://vestnik.test/', now: NOW, ttlMs: 48 * 3_600_000 };

describe('decideWelcome', () => {
  it('makes one express email command to the user, with a deterministic delivery id, and its queued status', () => {
    const { command, status } = decideWelcome(event(), lookups);
    const deliveryId = deliveryIdOf('welcome', 'evt-1', 'user-7', 'email');
    expect(command).toMatchObject({
      deliveryId, sourceType: 'welcome', sourceId: 'evt-1', clientId: 'user-7', channel: 'email', priority: 'express',
      address: 'ann@example.test', expiresAt: null, notBefore: null, attempt: 0, createdAt: NOW, timezone: 'Europe/Berlin',
      fallback: null, promo: false,
    });
    expect(status).toEqual({
      statusId: statusIdOf(deliveryId, 'queued', 0), deliveryId, sourceType: 'welcome', sourceId: 'evt-1', clientId: 'user-7',
      channel: 'email', priority: 'express', status: 'queued', attempt: 0, reason: null, providerMessageId: null, provider: null,
      // Stamped at the event's time (never later than now), so a replay writes the same row.
      occurredAt: NOW - 1000,
    });
  });

  it('renders the name and the confirmation link into subject, text and (escaped) html', () => {
    const { content } = decideWelcome(event(), lookups).command;
    expect(content.subject).toBe('Welcome, Ann <Lee>! Please confirm your email');
    expect(content.text).toContain('Hello Ann <Lee>,');
    expect(content.text).toContain('https://vestnik.test/l/Abc_123-xyz');
    expect(content.text).toContain('expires in 48 hours');
    expect(content.html).toContain('Hello Ann &lt;Lee&gt;');
    expect(content.html).toContain('href="https://vestnik.test/l/Abc_123-xyz"');
  });

  it('is the same decision for a replayed event (idempotent), another for another event', () => {
    expect(decideWelcome(event(), lookups)).toEqual(decideWelcome(event(), lookups));
    expect(decideWelcome(event({ eventId: 'evt-2' }), lookups).command.deliveryId).not.toBe(decideWelcome(event(), lookups).command.deliveryId);
  });

  it.each([
    ['ru', 'Здравствуйте, Ann <Lee>!'],
    ['ru-RU', 'Здравствуйте, Ann <Lee>!'],
    ['de', 'Hello Ann <Lee>,'],
  ])('locale %s picks its variant, else the default', (locale, greeting) => {
    expect(decideWelcome(event({ locale }), lookups).command.content.text).toContain(greeting);
  });

  it('falls back to UTC when the user has no timezone', () => {
    expect(decideWelcome(event({ timezone: null }), lookups).command.timezone).toBe('UTC');
  });
});

describe('confirmUrlOf', () => {
  it('joins base and code with one slash and encodes the code', () => {
    expect(confirmUrlOf('http://127.0.0.1:8080', 'abc')).toBe('http://127.0.0.1:8080/l/abc');
    expect(confirmUrlOf('http://x.test//', 'a/b')).toBe('http://x.test/l/a%2Fb');
  });
});
