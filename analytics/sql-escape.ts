/**
 * The one place where values become ClickHouse SQL. Our CI server (18.16) has no server-side query
 * parameters, so every value is bound client-side here, by type, and nowhere else: the client only
 * runs `SqlFragment`s, which only this module builds. The output is plain SQL that 18.16 and current
 * releases read the same way (quoted string literals with backslash escapes, `toDateTime(seconds, 'UTC')`).
 */
import { VestnikError } from '../platform/errors';

// Set once by SqlFragment's static block: the only way to build a fragment, and it never leaves this module.
let trusted: (text: string) => SqlFragment;

/** A piece of SQL whose every value was escaped by this module (build it with `sql` and the helpers below). */
export class SqlFragment {
  readonly #text: string;

  private constructor(text: string) {
    this.#text = text;
  }

  static {
    trusted = (text) => new SqlFragment(text);
  }

  get text(): string {
    return this.#text;
  }

  toString(): string {
    return this.#text;
  }
}

/** A value the `sql` template binds; arrays become ClickHouse array literals. */
export type SqlScalar = string | number | bigint | boolean | Date | null;
export type SqlValue = SqlScalar | readonly SqlScalar[] | SqlFragment;

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
// A UTF-16 surrogate without its partner has no UTF-8 form: it would reach the server as U+FFFD.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// Quote and backslash must be escaped; control characters are escaped so a query stays one readable
// line in logs and NUL never reaches the server raw.
const NEEDS_ESCAPE = /[\\'\u0000-\u001f\u007f]/g;
const NAMED_ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\\\', "'": "\\'", '\0': '\\0', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t',
};
const MAX_DATETIME_SECONDS = 4294967295; // DateTime is UInt32 seconds since the epoch

/** A quoted ClickHouse string literal: `'it\'s'`. Rejects strings that have no UTF-8 form. */
export function sqlString(value: string): string {
  if (typeof value !== 'string') throw new TypeError(`sqlString expects a string, got ${typeof value}`);
  if (LONE_SURROGATE.test(value)) {
    throw new VestnikError('VALIDATION_FAILED', 'string contains an unpaired UTF-16 surrogate');
  }
  const escaped = value.replace(NEEDS_ESCAPE, (ch) => NAMED_ESCAPES[ch] ?? `\\x${hex2(ch.charCodeAt(0))}`);
  return `'${escaped}'`;
}

/** A numeric literal; only finite numbers and bigints. */
export function sqlNumber(value: number | bigint): string {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value !== 'number') throw new TypeError(`sqlNumber expects a number, got ${typeof value}`);
  if (!Number.isFinite(value)) throw new VestnikError('VALIDATION_FAILED', `not a finite number: ${value}`);
  return Object.is(value, -0) ? '0' : String(value);
}

/** A DateTime expression (whole seconds, UTC) from a Date or epoch milliseconds. */
export function sqlDateTime(value: Date | number): string {
  const ms = value instanceof Date ? value.getTime() : value;
  if (typeof ms !== 'number' || !Number.isFinite(ms)) {
    throw new VestnikError('VALIDATION_FAILED', 'not a valid date');
  }
  const seconds = Math.floor(ms / 1000);
  if (seconds < 0 || seconds > MAX_DATETIME_SECONDS) {
    throw new VestnikError('VALIDATION_FAILED', `date outside the DateTime range: ${new Date(ms).toISOString()}`);
  }
  return `toDateTime(${seconds}, 'UTC')`;
}

/**
 * A quoted identifier (`db`, or `db.table` part by part), whitelisted to [A-Za-z_][A-Za-z0-9_]*:
 * names come from config and code, never from requests, so anything else is a programmer error.
 */
export function sqlIdentifier(name: string): SqlFragment {
  const parts = typeof name === 'string' ? name.split('.') : [];
  if (parts.length < 1 || parts.length > 2 || !parts.every((p) => IDENTIFIER.test(p))) {
    throw new TypeError(`not an allowed SQL identifier: ${JSON.stringify(name)}`);
  }
  return trusted(parts.map((p) => `\`${p}\``).join('.'));
}

/** `(v1, v2, …)` for `IN`; an empty list has no SQL form, so callers must handle it first. */
export function sqlList(values: readonly SqlScalar[]): SqlFragment {
  if (values.length === 0) throw new RangeError('sqlList needs at least one value');
  return trusted(`(${values.map(sqlScalar).join(', ')})`);
}

/** `[v1, v2, …]`: a ClickHouse array literal. */
export function sqlArray(values: readonly SqlScalar[]): SqlFragment {
  return trusted(`[${values.map(sqlScalar).join(', ')}]`);
}

/** Joins fragments with a separator fragment (e.g. AND-ed conditions). */
export function sqlJoin(fragments: readonly SqlFragment[], separator: string): SqlFragment {
  if (!/^[\s,A-Z]*$/.test(separator)) throw new TypeError(`not an allowed separator: ${JSON.stringify(separator)}`);
  return trusted(fragments.map((f) => f.text).join(separator));
}

/**
 * Tagged template: `sql\`SELECT * FROM ${sqlIdentifier(t)} WHERE id = ${id}\``. Each value is escaped
 * by its type; fragments are inserted as they are; `undefined` and objects are refused.
 */
export function sql(strings: TemplateStringsArray, ...values: readonly SqlValue[]): SqlFragment {
  let text = strings[0] ?? '';
  values.forEach((value, i) => {
    text += sqlValue(value) + (strings[i + 1] ?? '');
  });
  return trusted(text);
}

function sqlValue(value: SqlValue): string {
  if (value instanceof SqlFragment) return value.text;
  if (Array.isArray(value)) return sqlArray(value).text;
  return sqlScalar(value as SqlScalar);
}

function sqlScalar(value: SqlScalar): string {
  if (value === null) return 'NULL';
  if (value instanceof Date) return sqlDateTime(value);
  switch (typeof value) {
    case 'string': return sqlString(value);
    case 'number':
    case 'bigint': return sqlNumber(value);
    case 'boolean': return value ? '1' : '0';
    default: throw new TypeError(`cannot bind a value of type ${typeof value} into SQL`);
  }
}

function hex2(code: number): string {
  return code.toString(16).padStart(2, '0');
}
