import { historyItemsOf } from './inbox';

const body = (id: string) => JSON.stringify({ id, title: null, text: `text ${id}`, url: null, createdAt: 1 });

describe('historyItemsOf', () => {
  it('joins bodies with their read flags in order', () => {
    expect(historyItemsOf([body('b'), body('a')], [null, '1700'])).toEqual([
      { id: 'b', title: null, text: 'text b', url: null, createdAt: 1, read: false, readAt: null },
      { id: 'a', title: null, text: 'text a', url: null, createdAt: 1, read: true, readAt: 1700 },
    ]);
  });

  it('skips missing and malformed bodies without shifting the flags', () => {
    expect(historyItemsOf([null, '{bad', body('c')], ['5', '6', '7']).map((i) => [i.id, i.readAt])).toEqual([['c', 7]]);
  });
});
