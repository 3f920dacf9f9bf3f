import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { VestnikError } from '../errors';
import { Logger, silentLogger } from '../logger';
import { Codec, SchemaName } from './codec';
import { createRegistryFormat, RegistryFormat } from './registry-codec';
import { loadSchemaSet, SchemaSet } from './schema-set';
import { createSingleObjectFormat } from './single-object';
import { detectWireFormat, readConfluentFrame } from './wire-format';

export * from './codec';
export { loadSchemaSet, createSchemaSet, defaultSchemaDir } from './schema-set';
export type { SchemaSet, SchemaVersion, SchemaDefinition, SchemaDefinitions } from './schema-set';
export { subjectOf } from './registry-codec';
export { detectWireFormat } from './wire-format';
export type { WireFormat } from './wire-format';
export { crc64Avro, fingerprintToHex } from './crc64-avro';

export interface CodecOptions {
  /** With a registry, writes the Confluent format; without, Avro single-object encoding. */
  registryUrl?: string;
  logger?: Logger;
  /** Test seam: schemas other than schemas/*.avsc (e.g. an evolved version). */
  schemaSet?: SchemaSet;
  /** Test seam: a preconfigured registry client (retries, auth); takes precedence over registryUrl. */
  registry?: SchemaRegistry;
}

/**
 * The codec of every Kafka record value. The writer format follows the configuration; the reader
 * looks at the first byte and accepts both, so a fleet can switch formats one process at a time.
 */
export function createCodec(options: CodecOptions = {}): Codec {
  const logger = (options.logger ?? silentLogger).child({ module: 'codec' });
  const schemaSet = options.schemaSet ?? loadSchemaSet();
  const singleObject = createSingleObjectFormat(schemaSet);
  const registry = options.registry ?? (options.registryUrl ? new SchemaRegistry({ host: options.registryUrl }) : undefined);
  const confluent = registry ? createRegistryFormat({ registry, schemaSet, logger }) : undefined;

  return {
    async encode(schema, value) {
      return confluent ? confluent.encode(schema, value) : singleObject.encode(schema, value);
    },
    async decode(schema, buffer) {
      if (!Buffer.isBuffer(buffer)) {
        throw new VestnikError('DECODE_FAILED', `${schema}: expected a Buffer, got ${buffer === null ? 'null' : typeof buffer}`);
      }
      switch (detectWireFormat(buffer)) {
        case 'single-object':
          return singleObject.decode(schema, buffer);
        case 'confluent':
          return decodeConfluent(confluent, schema, buffer);
        case 'unknown':
          throw new VestnikError('DECODE_FAILED', `${schema}: neither single-object (C3 01) nor Confluent (00) framing`, {
            details: { format: 'unknown', length: buffer.length, firstByte: buffer[0] ?? null },
          });
      }
    },
  };
}

/**
 * A Confluent frame needs a registry to find its writer schema by id. A registry-less process that
 * receives one (a producer elsewhere has SCHEMA_REGISTRY_URL set) fails this message clearly so the
 * consumer can dead-letter it, instead of misreading the bytes.
 */
export function decodeConfluent(confluent: RegistryFormat | undefined, schema: SchemaName, buffer: Buffer): Promise<unknown> {
  if (confluent) return confluent.decode(schema, buffer);
  const { schemaId } = readConfluentFrame(buffer);
  return Promise.reject(
    new VestnikError(
      'UNKNOWN_SCHEMA',
      `${schema}: message is in Confluent format (schema id ${schemaId}) but no schema registry is configured (SCHEMA_REGISTRY_URL)`,
      { details: { format: 'confluent', schemaId } },
    ),
  );
}
