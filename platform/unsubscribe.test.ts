import { createUnsubscribeLinks, createUnsubscribeTokens, deriveUnsubscribeSecret } from './unsubscribe';

const SECRET = 'unit-test-unsubscribe-secret';
const tokens = createUnsubscribeTokens(SECRET);

describe('unsubscribe tokens', () => {
  it.each(['c-42', 'user:7.a_b', 'ü-unicode', 'x'.repeat(128)])('verify(sign(%p)) gives the client id back', (id) => {
    const token = tokens.sign(id);
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(tokens.verify(token)).toBe(id);
  });

  it('is deterministic per client and differs between clients', () => {
    expect(tokens.sign('c-1')).toBe(tokens.sign('c-1'));
    expect(tokens.sign('c-1')).not.toBe(tokens.sign('c-2'));
  });

  it("refuses a token signed with another secret", () => {
    const other = createUnsubscribeTokens('another-secret-of-16+chars');
    expect(tokens.verify(other.sign('c-1'))).toBeNull();
  });

  it('refuses one client\'s MAC under another client id', () => {
    const [, mac] = tokens.sign('c-1').split('.');
    const forged = `${Buffer.from('c-2').toString('base64url')}.${mac}`;
    expect(tokens.verify(forged)).toBeNull();
  });

  it('refuses a token with any single character changed', () => {
    const token = tokens.sign('c-42');
    for (let i = 0; i < token.length; i += 1) {
      if (token[i] === '.') continue;
      const flipped = token[i] === 'A' ? 'B' : 'A';
      expect(tokens.verify(token.slice(0, i) + flipped + token.slice(i + 1))).toBeNull();
    }
  });

  it.each([
    ['empty', ''],
    ['no dot', 'abc'],
    ['truncated MAC', tokens.sign('c-1').slice(0, -1)],
    ['extra character', `${tokens.sign('c-1')}A`],
    ['empty id', `.${tokens.sign('c-1').split('.')[1]}`],
    ['padding', `${tokens.sign('c-1')}=`],
    ['path characters', '../etc.passwd'],
  ])('refuses a malformed token (%s)', (_name, token) => {
    expect(tokens.verify(token)).toBeNull();
  });

  it('refuses a non-canonical id encoding (same bytes, other spelling)', () => {
    const token = tokens.sign('ab'); // "YWI": the last character carries unused bits
    const [id, mac] = token.split('.') as [string, string];
    const respelled = `${id.slice(0, -1)}J.${mac}`; // "YWJ" decodes to the same "ab"
    expect(Buffer.from(`${id.slice(0, -1)}J`, 'base64url').toString()).toBe('ab');
    expect(tokens.verify(respelled)).toBeNull();
  });

  it('refuses a MAC respelled in the unused bits of its last character', () => {
    const token = tokens.sign('c-42');
    const last = token.at(-1) as string;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const sibling = alphabet[alphabet.indexOf(last) ^ 1] as string; // differs only in the lowest (unused) bit
    const respelled = token.slice(0, -1) + sibling;
    expect(Buffer.from(respelled.split('.')[1] as string, 'base64url')).toEqual(Buffer.from(token.split('.')[1] as string, 'base64url'));
    expect(tokens.verify(respelled)).toBeNull();
  });

  it('needs a secret of at least 16 characters and an id', () => {
    expect(() => createUnsubscribeTokens('short')).toThrow(RangeError);
    expect(() => tokens.sign('')).toThrow(RangeError);
  });
});

describe('deriveUnsubscribeSecret', () => {
  it('is stable, long enough, and not the JWT secret itself', () => {
    const derived = deriveUnsubscribeSecret('dev-only-secret-change-me-please');
    expect(derived).toBe(deriveUnsubscribeSecret('dev-only-secret-change-me-please'));
    expect(derived).toHaveLength(64);
    expect(derived).not.toContain('dev-only');
    expect(derived).not.toBe(deriveUnsubscribeSecret('another-jwt-secret-value'));
  });
});

describe('createUnsubscribeLinks', () => {
  it('builds {base}/u/{token} whose token verifies, whatever trailing slashes the base has', () => {
    const link = createUnsubscribeLinks({ baseUrl: 'https://news.example.com/', secret: SECRET });
    const url = link('c-42');
    expect(url).toMatch(/^https:\/\/news\.example\.com\/u\/[A-Za-z0-9_.-]+$/);
    expect(tokens.verify(url.split('/u/')[1] as string)).toBe('c-42');
  });
});
