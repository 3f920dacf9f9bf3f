import { Resolver } from 'avsc';
import { VestnikError } from '../errors';
import { SchemaName } from './codec';
import { fingerprintToHex } from './crc64-avro';
import { SchemaSet } from './schema-set';
import { createResolver, readBody, writeBody } from './avro-body';
import { readSingleObjectFrame, writeSingleObjectFrame } from './wire-format';

/** Avro single-object encoding against the local schema set: no server involved. */
export interface SingleObjectFormat {
  /** Validates and writes C3 01 + fingerprint + body with the current schema. */
  encode(schema: SchemaName, value: unknown): Buffer;
  /** Finds the writer schema by fingerprint and resolves it into the current schema. */
  decode(schema: SchemaName, buffer: Buffer): unknown;
}

export function createSingleObjectFormat(schemaSet: SchemaSet): SingleObjectFormat {
  // One resolver per older writer version, built on first use: createResolver is costly.
  const resolvers = new Map<bigint, Resolver>();

  function resolverFor(schema: SchemaName, fingerprint: bigint): Resolver | undefined {
    const writer = schemaSet.byFingerprint(fingerprint);
    if (!writer) {
      throw new VestnikError('UNKNOWN_SCHEMA', `${schema}: no local schema has fingerprint ${fingerprintToHex(fingerprint)}`, {
        details: { format: 'single-object', fingerprint: fingerprintToHex(fingerprint) },
      });
    }
    if (writer.name !== schema) {
      throw new VestnikError('DECODE_FAILED', `expected a ${schema} record, got one written as ${writer.name}`, {
        details: { format: 'single-object', writtenAs: writer.name },
      });
    }
    if (writer.current) return undefined;
    let resolver = resolvers.get(fingerprint);
    if (!resolver) {
      const reader = schemaSet.current(schema).type;
      resolver = createResolver(schema, reader, writer.type, `fingerprint ${fingerprintToHex(fingerprint)}`);
      resolvers.set(fingerprint, resolver);
    }
    return resolver;
  }

  return {
    encode(schema, value) {
      const version = schemaSet.current(schema);
      return writeSingleObjectFrame(version.fingerprintBytes, writeBody(schema, version.type, value));
    },
    decode(schema, buffer) {
      const { fingerprint, body } = readSingleObjectFrame(buffer);
      const resolver = resolverFor(schema, fingerprint);
      return readBody(schema, schemaSet.current(schema).type, body, resolver);
    },
  };
}
