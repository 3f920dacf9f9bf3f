import { Resolver, Type } from 'avsc';
import { VestnikError } from '../errors';
import { SchemaName } from './codec';

/**
 * The Avro body shared by both wire formats: validate-then-write, and read with error mapping.
 * Framing lives elsewhere; this file only knows avsc types.
 */

/** Throws VALIDATION_FAILED naming every field path that does not match the schema. */
export function assertValid(schema: SchemaName, type: Type, value: unknown): void {
  const paths: string[] = [];
  const valid = type.isValid(value, {
    errorHook: (path: string[]) => {
      paths.push(path.length > 0 ? path.join('.') : '(root)');
    },
  });
  if (valid) return;
  const unique = [...new Set(paths)];
  throw new VestnikError('VALIDATION_FAILED', `${schema}: invalid value at ${unique.join(', ')}`, { details: unique });
}

/** Validates, then writes the Avro binary body (no framing). */
export function writeBody(schema: SchemaName, type: Type, value: unknown): Buffer {
  assertValid(schema, type, value);
  try {
    return type.toBuffer(value);
  } catch (error) {
    // isValid passed, so this is a value avsc cannot write (e.g. a long beyond 2^53).
    throw new VestnikError('VALIDATION_FAILED', `${schema}: cannot encode value: ${(error as Error).message}`, { cause: error });
  }
}

/** Reads an Avro body written with the writer schema the resolver was made from (or the reader's own). */
export function readBody(schema: SchemaName, reader: Type, body: Buffer, resolver?: Resolver): unknown {
  try {
    return reader.fromBuffer(body, resolver);
  } catch (error) {
    // Truncated, trailing or otherwise malformed bytes: retrying cannot help.
    throw new VestnikError('DECODE_FAILED', `${schema}: malformed Avro body: ${(error as Error).message}`, { cause: error });
  }
}

/** A resolver from a writer type into the reader type; DECODE_FAILED when they are incompatible. */
export function createResolver(schema: SchemaName, reader: Type, writer: Type, writerLabel: string): Resolver {
  try {
    return reader.createResolver(writer);
  } catch (error) {
    throw new VestnikError('DECODE_FAILED', `${schema}: writer schema ${writerLabel} cannot be read as the current schema`, {
      cause: error,
      details: { writer: writerLabel },
    });
  }
}
