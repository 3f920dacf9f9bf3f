import * as net from 'net';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { VestnikError } from '../../platform/errors';
import { createCodec, SCHEMA_NAMES, subjectOf } from '../../platform/codec';
import { loadFixtures } from '../vectors/vectors';
import { waitFor } from '../support/wait-for';

/**
 * The Confluent wire format against a real registry: Apicurio Registry's Confluent-compatible API,
 * started by `bash infra/registry.sh` (SCHEMA_REGISTRY_URL overrides the address).
 */
jest.setTimeout(60_000);

const REGISTRY_URL = process.env.SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8081/apis/ccompat/v7';

async function caught(promise: Promise<unknown>): Promise<VestnikError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(VestnikError);
  return error as VestnikError;
}

/** A loopback port nothing listens on: bound, read, released. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  await waitFor(
    async () => (await fetch(`${REGISTRY_URL}/subjects`)).ok,
    { timeoutMs: 15_000, intervalMs: 250, description: `schema registry at ${REGISTRY_URL} (start it: bash infra/registry.sh)` },
  );
});

describe('codec with a real schema registry', () => {
  it.each(SCHEMA_NAMES)('%s: registers, frames with the registry id, and round-trips', async (schema) => {
    const writer = createCodec({ registryUrl: REGISTRY_URL });
    const value = loadFixtures(schema).full;
    const bytes = await writer.encode(schema, value);
    const latestId = await new SchemaRegistry({ host: REGISTRY_URL }).getLatestSchemaId(subjectOf(schema));
    expect(bytes[0]).toBe(0);
    expect(bytes.readUInt32BE(1)).toBe(latestId);
    // A fresh codec has nothing cached: it must fetch the writer schema by id from the registry.
    expect(await createCodec({ registryUrl: REGISTRY_URL }).decode(schema, bytes)).toEqual(value);
  });

  it('registering the same schema again yields the same id', async () => {
    const value = loadFixtures('deliveries.status').full;
    const first = await createCodec({ registryUrl: REGISTRY_URL }).encode('deliveries.status', value);
    const second = await createCodec({ registryUrl: REGISTRY_URL }).encode('deliveries.status', value);
    expect(second.subarray(0, 5)).toEqual(first.subarray(0, 5));
  });

  it('a registry-less codec rejects Confluent bytes with a clear UNKNOWN_SCHEMA', async () => {
    const bytes = await createCodec({ registryUrl: REGISTRY_URL }).encode('events.user-activity', loadFixtures('events.user-activity').full);
    const error = await caught(createCodec().decode('events.user-activity', bytes));
    expect(error).toMatchObject({ code: 'UNKNOWN_SCHEMA', retriable: false, details: { format: 'confluent', schemaId: bytes.readUInt32BE(1) } });
    expect(error.message).toContain('no schema registry is configured');
  });

  it('a registry codec reads single-object bytes written without a registry', async () => {
    const value = loadFixtures('deliveries.command').full;
    const bytes = await createCodec().encode('deliveries.command', value);
    expect(await createCodec({ registryUrl: REGISTRY_URL }).decode('deliveries.command', bytes)).toEqual(value);
  });

  it('a schema id the registry never issued: UNKNOWN_SCHEMA', async () => {
    const body = Buffer.from([0]);
    const error = await caught(createCodec({ registryUrl: REGISTRY_URL }).decode('events.mailing-started', Buffer.concat([Buffer.from([0, 0x7f, 0xff, 0xff, 0xf0]), body])));
    expect(error).toMatchObject({ code: 'UNKNOWN_SCHEMA', retriable: false });
  });

  it('an unreachable registry: DEPENDENCY_UNAVAILABLE, retriable', async () => {
    const registry = new SchemaRegistry({ host: `http://127.0.0.1:${await closedPort()}`, retry: { retries: 0 } });
    const error = await caught(createCodec({ registry }).encode('events.mailing-started', loadFixtures('events.mailing-started').full));
    expect(error).toMatchObject({ code: 'DEPENDENCY_UNAVAILABLE', retriable: true });
  });
});
