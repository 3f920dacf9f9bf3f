/**
 * A source's key in delivery_current: numbers, not its text. The table was first ordered by (sourceType, sourceId),
 * and FINAL read both strings and compared them on every row it folded, though a mailing's counts ask for one
 * source whose rows all share them: at a million messages just inserted, about half of the read. Ordered by hashes
 * of them instead, the same read takes 78–96 ms against 164–191, and 21–24 against 36–38 merged (scratch tables,
 * 2026-12-06, in the README's "Statistics at scale").
 *
 * `typeHash` comes first, so that a read of one source type (every mailing's counts) reads only its rows;
 * then 128 bits of the source (`sourceHigh`, `sourceLow`), which two sources share with a probability of about
 * n² / 2¹²⁹, as unlikely as two equal random UUIDs: one source is read by its key alone, no text compared. A list
 * of sources is found by the key's first half and kept exact by its ids, which the list's counts group by anyway.
 * cityHash64 and sipHash64 give the same numbers on 18.16 and on current releases.
 */
import type { SourceType } from '../schemas/types';
import { SqlFragment, sql, sqlJoin, sqlList } from './sql-escape';

/** The key's columns, computed from a delivery_status row (the view that feeds delivery_current, migrations.ts). */
export const SOURCE_KEY_COLUMNS = sql`cityHash64(sourceType) AS typeHash, cityHash64(sourceType, sourceId) AS sourceHigh, sipHash64(sourceType, sourceId) AS sourceLow`;

/** Which sources a read of delivery_current is about; empty: all of them. */
export interface SourceSelection {
  sourceType?: SourceType;
  /** One or more of the type's sources (or of any type, when no type is given). */
  sourceIds?: readonly string[];
  /** Types left out (the operators' own messages). */
  excludedTypes?: readonly string[];
}

/** The selection as conditions on delivery_current's key, so that a read touches only its sources' granules. */
export function currentSourceConditions(selection: SourceSelection): SqlFragment[] {
  const { sourceType, sourceIds, excludedTypes } = selection;
  const conditions: SqlFragment[] = [];
  if (sourceType !== undefined) conditions.push(sql`typeHash = cityHash64(${sourceType})`);
  if (excludedTypes !== undefined && excludedTypes.length > 0) {
    conditions.push(sql`typeHash NOT IN (${sqlJoin(excludedTypes.map((type) => sql`cityHash64(${type})`), ', ')})`);
  }
  if (sourceIds === undefined) return conditions;
  if (sourceIds.length === 0) {
    conditions.push(sql`0`);
  } else if (sourceType === undefined) {
    // No type, no key: the ids' text, over every row.
    conditions.push(sql`sourceId IN ${sqlList(sourceIds)}`);
  } else if (sourceIds.length === 1) {
    const id = sourceIds[0]!;
    conditions.push(sql`sourceHigh = cityHash64(${sourceType}, ${id})`, sql`sourceLow = sipHash64(${sourceType}, ${id})`);
  } else {
    const highs = sqlJoin(sourceIds.map((id) => sql`cityHash64(${sourceType}, ${id})`), ', ');
    conditions.push(sql`sourceHigh IN (${highs})`, sql`sourceId IN ${sqlList(sourceIds)}`);
  }
  return conditions;
}
