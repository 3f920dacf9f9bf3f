import { Resolver, Type } from 'avsc';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { ConfluentSchemaRegistryCompatibilityError } from '@kafkajs/confluent-schema-registry/dist/errors';
import { VestnikError } from '../errors';
import { Logger } from '../logger';
import { SchemaName } from './codec';
import { SchemaSet } from './schema-set';
import { createResolver, readBody, writeBody } from './avro-body';
import { readConfluentFrame, writeConfluentFrame } from './wire-format';

/** The Confluent wire format (0x00 + 4-byte schema id + body) backed by a schema registry. */
export interface RegistryFormat {
  /** Validates, registers the local schema on first use (id cached), writes the frame. */
  encode(schema: SchemaName, value: unknown): Promise<Buffer>;
  /** Fetches the writer schema by id (cached by the client) and resolves it into the local schema. */
  decode(schema: SchemaName, buffer: Buffer): Promise<unknown>;
}

export interface RegistryFormatDeps {
  registry: SchemaRegistry;
  schemaSet: SchemaSet;
  logger: Logger;
}

/**
 * Subject naming: `<schema>-value`. For events.*, state.*, deliveries.status and
 * deliveries.dead-letter this is Confluent's TopicNameStrategy, since topic and schema share a name;
 * deliveries.express/bulk/retry share one subject, deliveries.command-value, as they share the schema.
 */
export function subjectOf(schema: SchemaName): string {
  return `${schema}-value`;
}

export function createRegistryFormat({ registry, schemaSet, logger }: RegistryFormatDeps): RegistryFormat {
  const schemaIds = new Map<SchemaName, Promise<number>>();
  const resolvers = new Map<string, Promise<Resolver>>();

  function schemaIdOf(schema: SchemaName): Promise<number> {
    let id = schemaIds.get(schema);
    if (!id) {
      const subject = subjectOf(schema);
      const source = JSON.stringify(schemaSet.current(schema).raw);
      id = registry.register({ type: SchemaType.AVRO, schema: source }, { subject }).then(
        ({ id: schemaId }) => {
          logger.info({ schema, subject, schemaId }, 'schema registered');
          return schemaId;
        },
        (error: unknown) => {
          schemaIds.delete(schema); // a registry outage must not poison the cache
          throw registryError(error, `registering ${subject}`);
        },
      );
      schemaIds.set(schema, id);
    }
    return id;
  }

  function resolverFor(schema: SchemaName, schemaId: number): Promise<Resolver> {
    const key = `${schema}/${schemaId}`;
    let resolver = resolvers.get(key);
    if (!resolver) {
      resolver = registry.getSchema(schemaId).then(
        (writer) => {
          if (!Type.isType(writer)) {
            throw new VestnikError('DECODE_FAILED', `${schema}: registry schema id ${schemaId} is not an Avro schema`);
          }
          return createResolver(schema, schemaSet.current(schema).type, writer as unknown as Type, `registry id ${schemaId}`);
        },
        (error: unknown) => {
          throw registryError(error, `fetching schema id ${schemaId}`);
        },
      );
      resolver.catch(() => resolvers.delete(key));
      resolvers.set(key, resolver);
    }
    return resolver;
  }

  return {
    async encode(schema, value) {
      const body = writeBody(schema, schemaSet.current(schema).type, value); // validate before any network call
      return writeConfluentFrame(await schemaIdOf(schema), body);
    },
    async decode(schema, buffer) {
      const { schemaId, body } = readConfluentFrame(buffer);
      const resolver = await resolverFor(schema, schemaId);
      return readBody(schema, schemaSet.current(schema).type, body, resolver);
    },
  };
}

/**
 * Classifies registry failures by HTTP status. The client (mappersmith) reports transport failures
 * (refused, reset, timeout) as status 400 with no real response, and a registry never answers 400 to
 * these calls, so 400 counts as unavailable together with 5xx.
 */
function registryError(error: unknown, action: string): VestnikError {
  if (error instanceof VestnikError) return error;
  if (error instanceof ConfluentSchemaRegistryCompatibilityError) {
    // The subject's compatibility level differs from the one the client asks for: an operator decision.
    return new VestnikError('CONFLICT', `schema registry: ${action} failed: ${error.message}`, { cause: error });
  }
  const status = typeof error === 'object' && error !== null && 'status' in error ? Number(error.status) : undefined;
  const message = `schema registry: ${action} failed${status ? ` (HTTP ${status})` : ''}`;
  if (status === 404) return new VestnikError('UNKNOWN_SCHEMA', message, { cause: error, details: { status } });
  if (status === 409 || status === 422) return new VestnikError('CONFLICT', message, { cause: error, details: { status } });
  if (status === undefined || status === 400 || status >= 500) {
    return new VestnikError('DEPENDENCY_UNAVAILABLE', message, { cause: error, retriable: status !== undefined, details: { status } });
  }
  return new VestnikError('DEPENDENCY_UNAVAILABLE', message, { cause: error, details: { status } });
}
