import fc from 'fast-check';
import { uuidv5 } from '../platform/ids';
import { idWindowEnd } from './id-window';

describe('the id range a page of deliveries is read from', () => {
  it('reads a source not much larger than the page whole', () => {
    expect(idWindowEnd(null, 101, 2_020, 0)).toBeNull();
    expect(idWindowEnd(null, 101, 2_021, 0)).not.toBeNull();
  });

  it('draws a range from the page\'s start sized for four times the page, eight times wider on the second try', () => {
    // 1M ids, a page of 101: a range for 404 of them, about 1,735,167 of the 2^32 prefixes.
    const first = idWindowEnd(null, 101, 1_000_000, 0)!;
    expect(first).toMatch(/^[0-9a-f]{8}$/);
    expect(Number.parseInt(first, 16)).toBe(Math.ceil((404 * 2 ** 32) / 1_000_000));
    expect(Number.parseInt(idWindowEnd(null, 101, 1_000_000, 1)!, 16)).toBe(Math.ceil((404 * 8 * 2 ** 32) / 1_000_000));
    const after = 'abcdef12-0000-5000-8000-000000000000';
    expect(Number.parseInt(idWindowEnd(after, 101, 1_000_000, 0)!, 16)).toBe(0xabcdef12 + Math.ceil((404 * 2 ** 32) / 1_000_000));
  });

  it('reads to the end on the third try, past the end of the space, or after an id that is not hex', () => {
    expect(idWindowEnd(null, 101, 1_000_000, 2)).toBeNull();
    expect(idWindowEnd('ffffff00-0000-5000-8000-000000000000', 101, 1_000_000, 0)).toBeNull();
    expect(idWindowEnd('not-an-id', 101, 1_000_000, 0)).toBeNull();
  });

  it('holds the page at the first try for real delivery ids, at the start and after any of them', () => {
    const ids = Array.from({ length: 20_000 }, (_, i) => uuidv5(`mailing:m:client-${i}:sms`)).sort();
    fc.assert(fc.property(fc.integer({ min: -1, max: ids.length - 1 }), (at) => {
      const after = at < 0 ? null : ids[at]!;
      const end = idWindowEnd(after, 101, ids.length, 0);
      const rest = ids.length - at - 1;
      const inRange = ids.filter((id) => (after === null || id > after) && (end === null || id < end)).length;
      // Far from the end the range holds the page; near it, what is left (or the caller widens to the end).
      if (end !== null && rest > 2_000) expect(inRange).toBeGreaterThanOrEqual(101);
      expect(inRange).toBeLessThanOrEqual(rest);
    }), { numRuns: 100 });
  });
});
