import { decodeEnvelope, encodeEnvelope, memberOf } from './delay-queue';

describe('delay queue envelope', () => {
  it.each([
    { key: 'client-1', payload: Buffer.from([0xc3, 0x01, 0, 1, 2, 255]) },
    { key: '', payload: Buffer.alloc(0) },
    { key: 'ключ|с юникодом', payload: Buffer.from('value') },
  ])('round-trips key $key', ({ key, payload }) => {
    const decoded = decodeEnvelope(encodeEnvelope(key, payload));
    expect(decoded.key).toBe(key);
    expect(decoded.payload.equals(payload)).toBe(true);
  });

  it.each([
    { name: 'too short', bytes: Buffer.from([0, 0]) },
    { name: 'a key longer than the envelope', bytes: Buffer.from([0, 0, 0, 9, 65]) },
  ])('rejects an envelope that is $name', ({ bytes }) => {
    expect(() => decodeEnvelope(bytes)).toThrow(expect.objectContaining({ code: 'DECODE_FAILED' }));
  });
});

describe('memberOf', () => {
  it('joins topic and id', () => expect(memberOf('deliveries.retry', 'd-1:2')).toBe('deliveries.retry|d-1:2'));
  it('refuses a topic that would make the member ambiguous', () => expect(() => memberOf('a|b', 'x')).toThrow(RangeError));
});
