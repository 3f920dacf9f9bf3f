/**
 * Where a page of a source's deliveries can stop reading, by delivery id.
 *
 * `delivery_status` is ordered by source and then delivery id, so a read bounded by delivery id touches
 * only the index granules in that range. ClickHouse 18.16 cannot stop an `ORDER BY deliveryId LIMIT n`
 * early by itself: it reads every id of the source to find the first n (about 140 ms at a million,
 * `npm run bench:stats`). Delivery ids are UUIDs (v5, from SHA-1), spread evenly over their hex space, so
 * a range of it from the page's start that should hold a few times the page holds it almost always; when
 * it does not, the caller asks again with a range eight times as wide, and then with none (so ids that are
 * not spread so, or the source's last page, cost at most two more reads).
 */

/** A source this much larger than the page is worth a bounded read; a smaller one is read whole. */
const WORTH_BOUNDING = 20;
/** The range is sized for this many times the ids the page needs (a miss then takes a very uneven spread). */
const MARGIN = 4;
/** How much wider each try's range is than the one before. */
const WIDENING = 8;
/** Tries before reading to the end. */
const TRIES = 3;
/** The id's leading 8 hex digits: the part of the space the range is drawn on. */
const PREFIX_DIGITS = 8;
const SPACE = 2 ** (PREFIX_DIGITS * 4);
const HEX_PREFIX = /^[0-9a-f]{8}/;

/**
 * The exclusive upper bound (8 hex digits, compared as text with the ids) of a range from `after` (the last
 * id of the page before, or null at the start) meant to hold `want` of the source's about `total` ids, on
 * the `attempt`-th try (0, 1, 2: each range eight times the one before, the last unbounded). Null: read to
 * the end (a small source, an id that is not hex, the last try, or a range past the end of the space).
 */
export function idWindowEnd(after: string | null, want: number, total: number, attempt: number): string | null {
  if (total <= want * WORTH_BOUNDING || attempt >= TRIES - 1) return null;
  let start = 0;
  if (after !== null) {
    const prefix = HEX_PREFIX.exec(after)?.[0];
    if (prefix === undefined) return null;
    start = Number.parseInt(prefix, 16);
  }
  const width = Math.ceil((want * MARGIN * WIDENING ** attempt * SPACE) / total);
  const end = start + Math.max(1, width);
  if (end >= SPACE) return null;
  return end.toString(16).padStart(PREFIX_DIGITS, '0');
}
