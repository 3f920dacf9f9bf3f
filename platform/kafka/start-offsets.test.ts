import { partitionsToPin } from './start-offsets';

describe('partitionsToPin', () => {
  const ends = [
    { topic: 'a', partitions: [{ partition: 0, offset: '10' }, { partition: 1, offset: '20' }, { partition: 2, offset: '0' }] },
    { topic: 'b', partitions: [{ partition: 0, offset: '5' }] },
  ];

  it.each<{ what: string; assignment: Record<string, number[]>; committed: { topic: string; partitions: { partition: number; offset: string }[] }[]; expected: unknown[] }>([
    {
      what: 'a new group: every assigned partition at its end',
      assignment: { a: [0, 1, 2] },
      committed: [{ topic: 'a', partitions: [{ partition: 0, offset: '-1' }, { partition: 1, offset: '-1' }, { partition: 2, offset: '-1' }] }],
      expected: [{ topic: 'a', partition: 0, offset: '10' }, { topic: 'a', partition: 1, offset: '20' }, { topic: 'a', partition: 2, offset: '0' }],
    },
    {
      what: 'only the partitions without a commit (a commit at 0 counts)',
      assignment: { a: [0, 1], b: [0] },
      committed: [
        { topic: 'a', partitions: [{ partition: 0, offset: '7' }, { partition: 1, offset: '-1' }] },
        { topic: 'b', partitions: [{ partition: 0, offset: '0' }] },
      ],
      expected: [{ topic: 'a', partition: 1, offset: '20' }],
    },
    {
      what: 'only assigned partitions, never another member\'s',
      assignment: { a: [2] },
      committed: [{ topic: 'a', partitions: [{ partition: 0, offset: '-1' }, { partition: 2, offset: '-1' }] }],
      expected: [{ topic: 'a', partition: 2, offset: '0' }],
    },
    { what: 'nothing for an empty assignment', assignment: {}, committed: [], expected: [] },
    { what: 'nothing for a partition whose end is unknown', assignment: { c: [0] }, committed: [], expected: [] },
  ])('$what', ({ assignment, committed, expected }) => {
    expect(partitionsToPin(assignment, committed, ends)).toEqual(expected);
  });
});
