/**
 * The two framings a Vestnik record value may carry. The first byte tells them apart:
 * Confluent starts with 0x00 (then a 4-byte big-endian schema id), single-object encoding with
 * 0xC3 0x01 (then the 8-byte little-endian CRC-64-AVRO fingerprint of the writer schema).
 */
export const SINGLE_OBJECT_MAGIC: Readonly<Buffer> = Buffer.from([0xc3, 0x01]);
export const SINGLE_OBJECT_HEADER_LENGTH = 10;
export const CONFLUENT_MAGIC = 0x00;
export const CONFLUENT_HEADER_LENGTH = 5;

export type WireFormat = 'single-object' | 'confluent' | 'unknown';

/** Which framing a buffer carries; 'unknown' for anything else, including a too-short buffer. */
export function detectWireFormat(buffer: Buffer): WireFormat {
  if (buffer.length >= SINGLE_OBJECT_HEADER_LENGTH && buffer[0] === 0xc3 && buffer[1] === 0x01) return 'single-object';
  if (buffer.length >= CONFLUENT_HEADER_LENGTH && buffer[0] === CONFLUENT_MAGIC) return 'confluent';
  return 'unknown';
}

/** Splits a Confluent frame; the caller has checked the format. */
export function readConfluentFrame(buffer: Buffer): { schemaId: number; body: Buffer } {
  return { schemaId: buffer.readUInt32BE(1), body: buffer.subarray(CONFLUENT_HEADER_LENGTH) };
}

/** 0x00 + schema id (big-endian) + Avro body. */
export function writeConfluentFrame(schemaId: number, body: Buffer): Buffer {
  const header = Buffer.alloc(CONFLUENT_HEADER_LENGTH);
  header.writeUInt8(CONFLUENT_MAGIC, 0);
  header.writeUInt32BE(schemaId, 1);
  return Buffer.concat([header, body]);
}

/** Splits a single-object frame; the caller has checked the format. */
export function readSingleObjectFrame(buffer: Buffer): { fingerprint: bigint; body: Buffer } {
  return { fingerprint: buffer.readBigUInt64LE(2), body: buffer.subarray(SINGLE_OBJECT_HEADER_LENGTH) };
}

/** C3 01 + fingerprint (8 bytes, little-endian) + Avro body. */
export function writeSingleObjectFrame(fingerprintBytes: Buffer, body: Buffer): Buffer {
  return Buffer.concat([SINGLE_OBJECT_MAGIC, fingerprintBytes, body]);
}
