import { Type } from 'avsc';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { VestnikError } from '../errors';
import { silentLogger } from '../logger';
import { loadFixtures } from '../../tests/vectors/vectors';
import { createCodec, loadSchemaSet } from './index';
import { subjectOf } from './registry-codec';

/**
 * The registry path against an in-memory stand-in for the registry client (passed through the
 * factory, no module patching). The real registry is exercised in tests/integration/codec-registry.
 */
interface FakeRegistry {
  registered: Array<{ subject: string; schema: string }>;
  failNext: Array<{ status: number }>;
  client: SchemaRegistry;
}

function fakeRegistry(): FakeRegistry {
  const bySource = new Map<string, number>();
  const byId = new Map<number, Type>();
  const fake: FakeRegistry = { registered: [], failNext: [], client: undefined as unknown as SchemaRegistry };
  const failure = () => {
    const next = fake.failNext.shift();
    return next ? Object.assign(new Error(`HTTP ${next.status}`), next) : undefined;
  };
  const client = {
    async register(schema: { schema: string }, options: { subject: string }) {
      const error = failure();
      if (error) throw error;
      fake.registered.push({ subject: options.subject, schema: schema.schema });
      const id = bySource.get(schema.schema) ?? 100 + bySource.size;
      bySource.set(schema.schema, id);
      byId.set(id, Type.forSchema(JSON.parse(schema.schema) as never, { registry: {} }));
      return { id };
    },
    async getSchema(id: number) {
      const error = failure();
      if (error) throw error;
      const type = byId.get(id);
      if (!type) throw Object.assign(new Error('not found'), { status: 404 });
      return type;
    },
  };
  fake.client = client as unknown as SchemaRegistry;
  return fake;
}

async function caught(promise: Promise<unknown>): Promise<VestnikError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(VestnikError);
  return error as VestnikError;
}

const schemaSet = loadSchemaSet();
const command = loadFixtures('deliveries.command').full;

describe('createCodec with a registry', () => {
  it('registers the local schema once under <schema>-value and frames 00 + id + body', async () => {
    const registry = fakeRegistry();
    const codec = createCodec({ schemaSet, registry: registry.client, logger: silentLogger });
    const first = await codec.encode('deliveries.command', command);
    await codec.encode('deliveries.command', command);
    expect(registry.registered).toEqual([{ subject: 'deliveries.command-value', schema: JSON.stringify(schemaSet.current('deliveries.command').raw) }]);
    expect(first.subarray(0, 5)).toEqual(Buffer.from([0, 0, 0, 0, 100]));
    expect(first.subarray(5)).toEqual(schemaSet.current('deliveries.command').type.toBuffer(command));
    expect(await codec.decode('deliveries.command', first)).toEqual(command);
  });

  it('validates before calling the registry', async () => {
    const registry = fakeRegistry();
    const codec = createCodec({ schemaSet, registry: registry.client });
    const error = await caught(codec.encode('deliveries.command', { ...(command as object), channel: 'fax' }));
    expect(error).toMatchObject({ code: 'VALIDATION_FAILED', details: ['channel'] });
    expect(registry.registered).toEqual([]);
  });

  it('still reads single-object bytes', async () => {
    const bytes = await createCodec({ schemaSet }).encode('deliveries.command', command);
    expect(await createCodec({ schemaSet, registry: fakeRegistry().client }).decode('deliveries.command', bytes)).toEqual(command);
  });

  it('a registry outage is retriable and does not poison the id cache', async () => {
    const registry = fakeRegistry();
    const codec = createCodec({ schemaSet, registry: registry.client });
    registry.failNext.push({ status: 503 });
    expect(await caught(codec.encode('deliveries.status', loadFixtures('deliveries.status').full))).toMatchObject({
      code: 'DEPENDENCY_UNAVAILABLE',
      retriable: true,
    });
    const bytes = await codec.encode('deliveries.status', loadFixtures('deliveries.status').full);
    expect(bytes[0]).toBe(0);
  });

  it('a transport failure (reported by the client as 400) is retriable', async () => {
    const registry = fakeRegistry();
    registry.failNext.push({ status: 400 });
    const error = await caught(createCodec({ schemaSet, registry: registry.client }).encode('deliveries.command', command));
    expect(error).toMatchObject({ code: 'DEPENDENCY_UNAVAILABLE', retriable: true });
  });

  it('a schema id the registry does not know: UNKNOWN_SCHEMA, not retriable', async () => {
    const codec = createCodec({ schemaSet, registry: fakeRegistry().client });
    const body = schemaSet.current('deliveries.command').type.toBuffer(command);
    const error = await caught(codec.decode('deliveries.command', Buffer.concat([Buffer.from([0, 0, 0, 0x30, 0x39]), body])));
    expect(error).toMatchObject({ code: 'UNKNOWN_SCHEMA', retriable: false });
    expect(error.message).toContain('12345');
  });

  it('an incompatible rejection (409) is a CONFLICT', async () => {
    const registry = fakeRegistry();
    registry.failNext.push({ status: 409 });
    const error = await caught(createCodec({ schemaSet, registry: registry.client }).encode('deliveries.command', command));
    expect(error).toMatchObject({ code: 'CONFLICT', retriable: false });
  });

  it('bytes written under another schema id resolve into the reader schema or fail clearly', async () => {
    const registry = fakeRegistry();
    const codec = createCodec({ schemaSet, registry: registry.client });
    const status = await codec.encode('deliveries.status', loadFixtures('deliveries.status').full);
    const error = await caught(codec.decode('deliveries.command', status));
    expect(error.code).toBe('DECODE_FAILED');
    expect(error.message).toContain('registry id');
  });
});

describe('subjectOf', () => {
  it('names the value subject after the schema', () => {
    expect(subjectOf('events.user-registered')).toBe('events.user-registered-value');
  });
});
