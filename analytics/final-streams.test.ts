import fc from 'fast-check';
import { MAX_FINAL_STREAMS, finalInStreams, keyRanges, streamsForMaxThreads } from './final-streams';
import { sql, sqlIdentifier } from './sql-escape';

const UINT64_END = 2n ** 64n;

/** The range of keyRanges(streams) that holds `key`, by the same bounds the SQL uses. */
const rangesHolding = (streams: number, key: bigint) =>
  keyRanges(streams).filter(({ from, to }) => key >= from && (to === null || key < to));

describe('keyRanges', () => {
  it('is one unbounded range for one stream', () => {
    expect(keyRanges(1)).toEqual([{ from: 0n, to: null }]);
  });

  it('puts every UInt64 in exactly one range, whatever the count', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: MAX_FINAL_STREAMS }),
      fc.bigInt({ min: 0n, max: UINT64_END - 1n }),
      (streams, key) => rangesHolding(streams, key).length === 1,
    ));
    for (const streams of [2, 3, 7, MAX_FINAL_STREAMS]) {
      for (const edge of [0n, UINT64_END - 1n, ...keyRanges(streams).map((r) => r.from)]) {
        expect(rangesHolding(streams, edge)).toHaveLength(1);
      }
    }
  });

  it('splits the space into ranges of equal width', () => {
    const widths = keyRanges(3).map(({ from, to }) => (to ?? UINT64_END) - from);
    expect(Math.max(...widths.map(Number)) - Math.min(...widths.map(Number))).toBeLessThanOrEqual(1);
  });

  it.each([0, -1, 1.5, MAX_FINAL_STREAMS + 1])('refuses %p streams', (streams) => {
    expect(() => keyRanges(streams)).toThrow(RangeError);
  });
});

describe('finalInStreams', () => {
  const table = sqlIdentifier('v.delivery_current');

  it('is the plain FINAL read for one stream', () => {
    expect(finalInStreams(table, sql`status`, sql`sourceId = ${'m'}`, 1).text)
      .toBe("SELECT status FROM `v`.`delivery_current` FINAL WHERE (sourceId = 'm')");
  });

  it('is a UNION ALL of one bounded read per range', () => {
    const text = finalInStreams(table, sql`status`, sql`sourceId = ${'m'}`, 2).text;
    expect(text.split(' UNION ALL ')).toEqual([
      "SELECT status FROM `v`.`delivery_current` FINAL WHERE (sourceId = 'm') AND messageHigh < 9223372036854775808",
      "SELECT status FROM `v`.`delivery_current` FINAL WHERE (sourceId = 'm') AND messageHigh >= 9223372036854775808",
    ]);
  });
});

describe('streamsForMaxThreads', () => {
  it.each([
    ['2', 2], ["auto(8)", 8], ['0', 1], ['', 1], ['64', MAX_FINAL_STREAMS],
  ])('reads %p as %p streams', (value, streams) => {
    expect(streamsForMaxThreads(value)).toBe(streams);
  });
});
