import { IANAZone } from 'luxon';

/**
 * Whether `zone` is an IANA time zone this runtime knows. luxon's IANAZone.isValidZone builds an
 * Intl.DateTimeFormat on every call: one check per command was a quarter of the bulk sender's CPU in the
 * benchmark. Clients use a few hundred zones, so the answers are kept; bounded, so zone names from bad
 * input cannot grow the map without end (past the bound they are checked every time).
 */
const answers = new Map<string, boolean>();
const MAX_REMEMBERED = 2_048;

export function isKnownTimeZone(zone: string): boolean {
  let known = answers.get(zone);
  if (known === undefined) {
    known = IANAZone.isValidZone(zone);
    if (answers.size < MAX_REMEMBERED) answers.set(zone, known);
  }
  return known;
}
