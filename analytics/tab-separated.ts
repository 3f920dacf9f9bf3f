/**
 * ClickHouse's TabSeparated text, the cheapest way to hand it rows from Node: a line per row, fields in the
 * INSERT's column order, no key per field. The analytics insert wrote JSONEachRow, and encoding each row as
 * a JSON object was a fifth of that process's CPU (issue 15); a line of escaped fields costs a string concat.
 * The escapes are the ones ClickHouse's TabSeparated reader undoes: backslash, tab, newline, carriage return.
 */

/** Any character the reader would take as a field or row end, or as an escape. */
const NEEDS_ESCAPE = /[\\\t\n\r]/;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** A String value as one TabSeparated field. Almost every value has nothing to escape and is returned as it is. */
export function tsvField(value: string): string {
  return NEEDS_ESCAPE.test(value) ? value.replace(/[\\\t\n\r]/g, (c) => ESCAPES[c] as string) : value;
}
