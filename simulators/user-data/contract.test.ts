import { MAX_USER_IDS_PER_REQUEST, matchContextPath, validateContextRequest } from './contract';

describe('matchContextPath', () => {
  it.each([
    ['/v1/context/monthly-digest', 'monthly-digest'],
    ['/v1/context/a%20b', 'a b'],
  ])('finds the kind of %s', (path, kind) => {
    expect(matchContextPath(path)).toBe(kind);
  });
  it.each(['/v1/context/', '/v1/context/a/b', '/v1/contexts/a', '/v2/context/a', '/v1/context/%E0%A4%A'])('no kind in %s', (path) => {
    expect(matchContextPath(path)).toBeNull();
  });
});

describe('validateContextRequest', () => {
  it('accepts 1 to 1000 user ids', () => {
    expect(validateContextRequest('{"userIds":["u-1","u-2"]}')).toEqual({ ok: true, userIds: ['u-1', 'u-2'] });
    const most = Array.from({ length: MAX_USER_IDS_PER_REQUEST }, (_, i) => `u-${i}`);
    expect(validateContextRequest(JSON.stringify({ userIds: most }))).toMatchObject({ ok: true });
  });
  it.each([
    ['not JSON', '{'],
    ['no userIds', '{}'],
    ['userIds not an array', '{"userIds":"u-1"}'],
    ['an empty list', '{"userIds":[]}'],
    ['too many ids', JSON.stringify({ userIds: Array.from({ length: MAX_USER_IDS_PER_REQUEST + 1 }, (_, i) => `u-${i}`) })],
    ['a numeric id', '{"userIds":[1]}'],
    ['an empty id', '{"userIds":[""]}'],
    ['an over-long id', JSON.stringify({ userIds: ['x'.repeat(129)] })],
    ['a null body', 'null'],
  ])('refuses %s', (_name, raw) => {
    expect(validateContextRequest(raw)).toMatchObject({ ok: false });
  });
});
