import { NO_PROVIDED_CONTEXT, contextKeyOf, recipientContextOf } from './merge';

describe('contextKeyOf', () => {
  it.each([
    ['monthly-digest', 'monthlyDigest'],
    ['digest', 'digest'],
    ['Monthly_Digest', 'monthlyDigest'],
    ['user.profile.v2', 'userProfileV2'],
    ['watch-history-30d', 'watchHistory30d'],
    ['---', '---'],
  ])('%s → %s', (kind, key) => {
    expect(contextKeyOf(kind)).toBe(key);
  });
});

describe('recipientContextOf', () => {
  const contexts = new Map([['u-1', { favouriteGenre: 'drama' }]]);

  it('puts the answered context under the kind\'s key', () => {
    expect(recipientContextOf('monthly-digest', contexts, 'u-1')).toEqual({ monthlyDigest: { favouriteGenre: 'drama' } });
  });
  it('is null for a recipient the service left out', () => {
    expect(recipientContextOf('monthly-digest', contexts, 'ghost-1')).toBeNull();
  });
  it('a kind named like a prototype key gives an ordinary own key', () => {
    expect(Object.keys(recipientContextOf('__proto__', contexts, 'u-1') as object)).toEqual(['proto']);
    const value = recipientContextOf('constructor', contexts, 'u-1') as Record<string, unknown>;
    expect(Object.prototype.hasOwnProperty.call(value, 'constructor')).toBe(true);
  });
  it('without a provider every recipient has an empty context', () => {
    expect(NO_PROVIDED_CONTEXT('anyone')).toEqual({});
  });
});
