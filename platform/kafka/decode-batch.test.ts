import { decodeHeaders } from './decode-batch';

describe('decodeHeaders', () => {
  it('turns buffers into UTF-8 strings and keeps the last of repeated values', () => {
    expect(decodeHeaders({ a: Buffer.from('één'), b: 'plain', c: [Buffer.from('1'), Buffer.from('2')], d: undefined })).toEqual({
      a: 'één', b: 'plain', c: '2',
    });
  });

  it('is empty for records without headers (old message format)', () => {
    expect(decodeHeaders(undefined)).toEqual({});
  });
});
