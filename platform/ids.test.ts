import fc from 'fast-check';
import { v5 as uuidPackageV5, validate, version } from 'uuid';
import { deliveryIdOf, newId, statusIdOf, uuidv5, VESTNIK_NAMESPACE } from './ids';

describe('uuidv5', () => {
  it('gives the uuid package\'s v5 id for any text (so ids already issued stay the same)', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (name) => {
      expect(uuidv5(name)).toBe(uuidPackageV5(name, VESTNIK_NAMESPACE));
    }), { numRuns: 2_000 });
  });

  it('gives the same ids for names around and past the length hashed in place (a buffer of its own then)', () => {
    // 341 UTF-16 units always fit the in-place buffer; multi-byte text near and past it takes either path.
    fc.assert(fc.property(fc.string({ unit: 'binary', minLength: 300, maxLength: 1_500 }), (name) => {
      expect(uuidv5(name)).toBe(uuidPackageV5(name, VESTNIK_NAMESPACE));
    }), { numRuns: 300 });
    expect(uuidv5('ж'.repeat(341))).toBe(uuidPackageV5('ж'.repeat(341), VESTNIK_NAMESPACE));
    expect(uuidv5('😀'.repeat(600))).toBe(uuidPackageV5('😀'.repeat(600), VESTNIK_NAMESPACE));
  });

  it('is a version 5 RFC 4122 id', () => {
    const id = deliveryIdOf('mailing', 'm1', 'c1', 'sms');
    expect(validate(id)).toBe(true);
    expect(version(id)).toBe(5);
    // A value fixed once: a change of the namespace or the name's layout would re-key every delivery in flight.
    expect(id).toBe('408d0ec2-9381-5f84-831f-411beb62839c');
    expect(statusIdOf(id, 'sent', 1)).toBe(uuidPackageV5(`${id}:sent:1`, VESTNIK_NAMESPACE));
  });

  it('newId is a random version 4 id', () => {
    const [a, b] = [newId(), newId()];
    expect(version(a)).toBe(4);
    expect(a).not.toBe(b);
  });
});
