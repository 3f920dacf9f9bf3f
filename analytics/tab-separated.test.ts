import { tsvField } from './tab-separated';

/** What ClickHouse's reader makes of a field: its escapes undone (the writer's side is tsvField). */
const unescape = (field: string) => field.replace(/\\(.)/g, (_, c: string) => ({ t: '\t', n: '\n', r: '\r' })[c] ?? c);

describe('tsvField', () => {
  it('leaves a value with nothing to escape as it is', () => {
    expect(tsvField('d-1 sent: 200 OK, "quoted" \'too\' ü')).toBe('d-1 sent: 200 OK, "quoted" \'too\' ü');
  });

  it('escapes what the reader would take as a field end, a row end or an escape', () => {
    expect(tsvField('a\tb\nc\rd\\e')).toBe('a\\tb\\nc\\rd\\\\e');
  });

  it('never leaves a raw tab, newline or carriage return, and reads back as the value', () => {
    const alphabet = ['a', '\\', '\t', '\n', '\r', 't', 'n', ' ', 'ж'];
    for (let seed = 1; seed < 2_000; seed++) {
      let value = '';
      for (let n = seed; n > 0; n = Math.floor(n / alphabet.length)) value += alphabet[n % alphabet.length];
      const field = tsvField(value);
      expect(field).not.toMatch(/[\t\n\r]/);
      expect(unescape(field)).toBe(value);
    }
  });
});
