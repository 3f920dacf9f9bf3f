import { crc64Avro, fingerprintToBytes, fingerprintToHex } from './crc64-avro';

describe('crc64Avro', () => {
  // Values from the Avro implementations' own tests (Ruby test_fingerprints.rb, goavro), which
  // take them from the Java reference implementation.
  it.each([
    ['"int"', 0x7275d51a3f395c8fn],
    ['"string"', 0x8f014872634503c7n],
  ])('fingerprints the canonical schema %s as the reference implementation does', (schema, expected) => {
    expect(crc64Avro(schema)).toBe(expected);
  });

  it('fingerprints nothing as the empty value of the spec', () => {
    expect(crc64Avro(new Uint8Array())).toBe(0xc15d213aa4d7a795n);
  });

  it('takes a string as UTF-8, the same as its bytes', () => {
    const text = '{"name":"Тест","type":"record","fields":[]}';
    expect(crc64Avro(text)).toBe(crc64Avro(Buffer.from(text, 'utf8')));
  });

  it('writes the single-object header bytes of "int" as the spec example does', () => {
    const header = Buffer.concat([Buffer.from([0xc3, 0x01]), fingerprintToBytes(crc64Avro('"int"'))]);
    expect([...header]).toEqual([0xc3, 0x01, 0x8f, 0x5c, 0x39, 0x3f, 0x1a, 0xd5, 0x75, 0x72]);
    expect(fingerprintToHex(crc64Avro('"int"'))).toBe('8f5c393f1ad57572');
  });

  it('tells apart inputs that differ in one byte', () => {
    expect(crc64Avro('"long"')).not.toBe(crc64Avro('"lonh"'));
  });
});
