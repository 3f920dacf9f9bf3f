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

describe('delay queue envelope with record headers', () => {
  const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

  it('round-trips headers with the key and payload', () => {
    const decoded = decodeEnvelope(encodeEnvelope('client-1', Buffer.from([1, 2, 3]), { traceparent, tracestate: 'v=1' }));
    expect(decoded).toEqual({ key: 'client-1', payload: Buffer.from([1, 2, 3]), headers: { traceparent, tracestate: 'v=1' } });
  });

  it('writes no headers (the old layout, byte for byte) when there are none', () => {
    const old = Buffer.concat([Buffer.from([0, 0, 0, 1]), Buffer.from('k'), Buffer.from([9])]);
    expect(encodeEnvelope('k', Buffer.from([9]), {}).equals(old)).toBe(true);
    expect(encodeEnvelope('k', Buffer.from([9])).equals(old)).toBe(true);
    expect(decodeEnvelope(old)).toEqual({ key: 'k', payload: Buffer.from([9]) });
  });

  it.each([
    { name: 'headers longer than the envelope', bytes: Buffer.from([0x80, 0, 0, 1, 0, 0, 0, 50, 65]) },
    { name: 'a flag but no header length', bytes: Buffer.from([0x80, 0, 0, 0, 0]) },
    { name: 'headers that are not JSON', bytes: Buffer.concat([Buffer.from([0x80, 0, 0, 0, 0, 0, 0, 2]), Buffer.from('{x')]) },
    { name: 'headers that are not a string map', bytes: Buffer.concat([Buffer.from([0x80, 0, 0, 0, 0, 0, 0, 7]), Buffer.from('{"a":1}')]) },
  ])('rejects an envelope with $name', ({ bytes }) => {
    expect(() => decodeEnvelope(bytes)).toThrow(expect.objectContaining({ code: 'DECODE_FAILED' }));
  });
});
