/**
 * CRC-64-AVRO, the Rabin fingerprint the Avro spec prescribes for schema fingerprints
 * (https://avro.apache.org/docs/current/specification/#schema-fingerprints). avsc only offers
 * md5/sha256, and single-object encoding needs this one, so it lives here: table-driven, BigInt,
 * computed once per schema at load time (never on the hot path).
 */
const EMPTY = 0xc15d213aa4d7a795n;
const MASK_64 = 0xffffffffffffffffn;

const TABLE: readonly bigint[] = buildTable();

function buildTable(): bigint[] {
  const table: bigint[] = [];
  for (let i = 0; i < 256; i += 1) {
    let fp = BigInt(i);
    for (let j = 0; j < 8; j += 1) {
      fp = (fp >> 1n) ^ (EMPTY & -(fp & 1n) & MASK_64);
    }
    table.push(fp);
  }
  return table;
}

/** The 64-bit CRC-64-AVRO fingerprint of some bytes (a string is taken as UTF-8). */
export function crc64Avro(data: Uint8Array | string): bigint {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let fp = EMPTY;
  for (const byte of bytes) {
    fp = (fp >> 8n) ^ (TABLE[Number((fp ^ BigInt(byte)) & 0xffn)] as bigint);
  }
  return fp;
}

/** The fingerprint as single-object encoding writes it: 8 bytes, little-endian. */
export function fingerprintToBytes(fingerprint: bigint): Buffer {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64LE(fingerprint);
  return bytes;
}

/** Hex of the 8 little-endian bytes: the form used in logs, errors and test vectors. */
export function fingerprintToHex(fingerprint: bigint): string {
  return fingerprintToBytes(fingerprint).toString('hex');
}
