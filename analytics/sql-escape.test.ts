import fc from 'fast-check';
import { VestnikError } from '../platform/errors';
import {
  SqlFragment, sql, sqlArray, sqlDateTime, sqlIdentifier, sqlJoin, sqlList, sqlNumber, sqlString,
} from './sql-escape';

/**
 * How ClickHouse reads a quoted literal (the escapes both 18.16 and current releases accept): returns
 * the value and where the literal ended, so a test can tell an early closing quote from the real one.
 */
function readClickHouseLiteral(literal: string): { value: string; end: number } {
  if (literal[0] !== "'") throw new Error('literal must start with a quote');
  const simple: Record<string, string> = { '0': '\0', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', a: '\x07', v: '\v' };
  let value = '';
  for (let i = 1; i < literal.length; i++) {
    const ch = literal[i]!;
    if (ch === "'") return { value, end: i };
    if (ch !== '\\') { value += ch; continue; }
    const next = literal[++i]!;
    if (next === 'x') {
      value += String.fromCharCode(parseInt(literal.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      value += simple[next] ?? next;
    }
  }
  throw new Error('unterminated literal');
}

const hostile = fc.oneof(
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary-ascii' }),
  fc.array(fc.constantFrom("'", '\\', '\0', '\n', "'; DROP TABLE t; --", '\\\'', '😀', 'é', '\u2028', '\x7f', '"', '`'))
    .map((parts) => parts.join('')),
);

describe('sqlString', () => {
  it.each([
    ['plain', "'plain'"],
    ["it's", "'it\\'s'"],
    ['back\\slash', "'back\\\\slash'"],
    ['nul\0byte', "'nul\\0byte'"],
    ['line\nbreak\ttab\rret', "'line\\nbreak\\ttab\\rret'"],
    ['bell\x07del\x7f', "'bell\\x07del\\x7f'"],
    ["'; DROP TABLE t; --", "'\\'; DROP TABLE t; --'"],
    ['юникод 😀', "'юникод 😀'"],
    ['', "''"],
  ])('escapes %j', (input, expected) => {
    expect(sqlString(input)).toBe(expected);
  });

  it('refuses a lone surrogate (it has no UTF-8 form)', () => {
    expect(() => sqlString('a\uD800b')).toThrow(VestnikError);
    expect(() => sqlString('\uDC00')).toThrow(VestnikError);
  });

  it('round-trips any string through the ClickHouse literal grammar, ending only at its last quote', () => {
    fc.assert(
      fc.property(hostile, (s) => {
        const literal = sqlString(s);
        const read = readClickHouseLiteral(literal);
        expect(read.value).toBe(s);
        expect(read.end).toBe(literal.length - 1);
        expect(literal).not.toMatch(/[\u0000-\u001f\u007f]/);
      }),
      { numRuns: 1000 },
    );
  });

  it('on arbitrary UTF-16 either round-trips or refuses (only strings that are not well-formed)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const wellFormed = Buffer.from(s, 'utf8').toString('utf8') === s;
        if (wellFormed) expect(readClickHouseLiteral(sqlString(s)).value).toBe(s);
        else expect(() => sqlString(s)).toThrow(VestnikError);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('sqlNumber', () => {
  it.each([
    [42, '42'], [-7, '-7'], [0.5, '0.5'], [-0, '0'], [1e21, '1e+21'], [12345678901234567890n, '12345678901234567890'],
  ])('renders %p', (n, expected) => {
    expect(sqlNumber(n)).toBe(expected);
  });

  it.each([NaN, Infinity, -Infinity])('refuses %p', (n) => {
    expect(() => sqlNumber(n)).toThrow(VestnikError);
  });

  it('refuses a numeric string', () => {
    expect(() => sqlNumber('1; DROP' as unknown as number)).toThrow(TypeError);
  });
});

describe('sqlDateTime', () => {
  it('renders whole UTC seconds from a Date or epoch ms', () => {
    expect(sqlDateTime(new Date('2024-03-01T10:00:00.999Z'))).toBe("toDateTime(1709287200, 'UTC')");
    expect(sqlDateTime(1709287200999)).toBe("toDateTime(1709287200, 'UTC')");
  });

  it.each([new Date('invalid'), -1000, 4294967296 * 1000, NaN])('refuses %p', (value) => {
    expect(() => sqlDateTime(value)).toThrow(VestnikError);
  });
});

describe('sqlIdentifier', () => {
  it.each([['vestnik', '`vestnik`'], ['db_1.delivery_status', '`db_1`.`delivery_status`']])('quotes %s', (name, expected) => {
    expect(sqlIdentifier(name).text).toBe(expected);
  });

  it.each(['', '1abc', 'a-b', 'a.b.c', 'a`b', 'x; DROP TABLE y', 'a b', '.a', 'a.'])('refuses %j', (name) => {
    expect(() => sqlIdentifier(name)).toThrow(TypeError);
  });
});

describe('sql template', () => {
  it('escapes every interpolated value by its type', () => {
    const q = sql`SELECT ${'x\'y'}, ${5}, ${true}, ${null}, ${new Date(0)}, ${['a', 1]}, ${7n}`;
    expect(q.text).toBe("SELECT 'x\\'y', 5, 1, NULL, toDateTime(0, 'UTC'), ['a', 1], 7");
  });

  it('inserts fragments as they are, so queries compose', () => {
    const where = sql`id = ${"o'k"}`;
    expect(sql`SELECT * FROM ${sqlIdentifier('db.t')} WHERE ${where}`.text).toBe("SELECT * FROM `db`.`t` WHERE id = 'o\\'k'");
  });

  it('refuses undefined and objects instead of printing them', () => {
    expect(() => sql`${undefined as unknown as string}`).toThrow(TypeError);
    expect(() => sql`${{ a: 1 } as unknown as string}`).toThrow(TypeError);
  });

  it('returns an SqlFragment, the only statement type the client runs', () => {
    expect(sql`SELECT 1`).toBeInstanceOf(SqlFragment);
    expect(String(sql`SELECT ${1}`)).toBe('SELECT 1');
  });
});

describe('lists and joins', () => {
  it('renders IN lists and arrays', () => {
    expect(sqlList(['a', "b'"]).text).toBe("('a', 'b\\'')");
    expect(sqlArray([]).text).toBe('[]');
  });

  it('refuses an empty IN list', () => {
    expect(() => sqlList([])).toThrow(RangeError);
  });

  it('joins fragments with keyword separators only', () => {
    expect(sqlJoin([sql`a = ${1}`, sql`b = ${'2'}`], ' AND ').text).toBe("a = 1 AND b = '2'");
    expect(() => sqlJoin([sql`a`], "'; DROP")).toThrow(TypeError);
  });
});
