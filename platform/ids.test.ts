import fc from 'fast-check';
import { v5 as uuidPackageV5, validate, version } from 'uuid';
import { deliveryIdOf, newId, statusIdOf, uuidv5, VESTNIK_NAMESPACE } from './ids';

describe('uuidv5', () => {
  it('gives the uuid package\'s v5 id for any text (so ids already issued stay the same)', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (name) => {
      expect(uuidv5(name)).toBe(uuidPackageV5(name, VESTNIK_NAMESPACE));
    }), { numRuns: 2_000 });
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
