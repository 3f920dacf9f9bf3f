import { encodeWake, parseWake } from './wake';

const message = { id: 'd-1', title: null, text: 'hi', url: null, createdAt: 1 };

describe('wake signals', () => {
  it('round-trip', () => {
    expect(parseWake(encodeWake({ t: 'wake', u: 'u-1' }))).toEqual({ t: 'wake', u: 'u-1' });
    const items = { t: 'items' as const, u: 'u-1', origin: 'g-1', items: [message] };
    expect(parseWake(encodeWake(items))).toEqual(items);
  });

  it.each([
    ['not JSON', 'wake'],
    ['no user', '{"t":"wake"}'],
    ['an empty user', '{"t":"wake","u":""}'],
    ['an unknown kind', '{"t":"sleep","u":"u-1"}'],
    ['items without origin', JSON.stringify({ t: 'items', u: 'u-1', items: [message] })],
    ['items that are not messages', JSON.stringify({ t: 'items', u: 'u-1', origin: 'g', items: [{ id: 1 }] })],
    ['items not a list', JSON.stringify({ t: 'items', u: 'u-1', origin: 'g', items: message })],
  ])('ignore %s', (_case, raw) => {
    expect(parseWake(raw)).toBeNull();
  });
});
