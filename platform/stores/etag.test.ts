import { canonicalJson, etagOf, ifMatchSatisfied } from './etag';

describe('etagOf', () => {
  it('depends on the content, not on the order fields were written in', () => {
    expect(etagOf({ a: 1, b: { c: [1, 2], d: null } })).toBe(etagOf({ b: { d: null, c: [1, 2] }, a: 1 }));
    expect(canonicalJson({ b: 1, a: { d: 2, c: 3 } })).toBe('{"a":{"c":3,"d":2},"b":1}');
  });

  it.each([
    ['a nested field', { a: 1, b: { promo: false } }],
    ['array order', { a: 1, b: { promo: true }, t: ['y', 'x'] }],
    ['a type', { a: '1', b: { promo: true } }],
  ])('changes with %s', (_what, other) => {
    expect(etagOf({ a: 1, b: { promo: true }, t: ['x', 'y'] })).not.toBe(etagOf(other));
  });

  it('is a quoted strong tag', () => {
    expect(etagOf({ id: 'c-1' })).toMatch(/^"[A-Za-z0-9_-]{22}"$/);
  });
});

describe('ifMatchSatisfied (strong comparison)', () => {
  const tag = etagOf({ id: 'c-1' });
  it.each<[string, string, string | null, boolean]>([
    ['the same tag', tag, tag, true],
    ['one of a list', `"other", ${tag}`, tag, true],
    ['* on an existing record', '*', tag, true],
    ['another tag', '"other"', tag, false],
    ['the weak form of the tag', `W/${tag}`, tag, false],
    ['the tag without quotes', tag.slice(1, -1), tag, false],
    ['* on an absent record', '*', null, false],
    ['a tag on an absent record', tag, null, false],
  ])('%s → %s', (_what, header, current, expected) => {
    expect(ifMatchSatisfied(header, current)).toBe(expected);
  });
});
