import { VestnikError } from '../errors';
import { loadFixtures } from '../../tests/vectors/vectors';
import { createCodec, createSchemaSet, defaultSchemaDir, loadSchemaSet, SCHEMA_NAMES, SchemaName } from './index';
import fs from 'node:fs';
import path from 'node:path';
import { fingerprintToBytes } from './crc64-avro';

const schemaSet = loadSchemaSet();
const codec = createCodec({ schemaSet });

async function decodeError(promise: Promise<unknown>): Promise<VestnikError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(VestnikError);
  return error as VestnikError;
}

describe('createCodec without a registry: round trip', () => {
  const cases = SCHEMA_NAMES.flatMap((schema) => Object.keys(loadFixtures(schema)).map((name) => [schema, name] as const));

  it.each(cases)('%s / %s decodes to what was encoded', async (schema, name) => {
    const value = loadFixtures(schema)[name];
    const bytes = await codec.encode(schema, value);
    expect(await codec.decode(schema, bytes)).toEqual(value);
  });

  it('writes single-object framing: C3 01 + the schema fingerprint', async () => {
    const bytes = await codec.encode('events.user-registered', loadFixtures('events.user-registered').full);
    expect(bytes.subarray(0, 2)).toEqual(Buffer.from([0xc3, 0x01]));
    expect(bytes.subarray(2, 10)).toEqual(schemaSet.current('events.user-registered').fingerprintBytes);
  });

  it('fills omitted fields that have defaults', async () => {
    const { locale: _locale, timezone: _timezone, ...required } = loadFixtures('events.user-registered').full as Record<string, unknown>;
    const decoded = await codec.decode('events.user-registered', await codec.encode('events.user-registered', required));
    expect(decoded).toMatchObject({ ...required, locale: 'en', timezone: null });
  });
});

describe('createCodec: validation before encode', () => {
  const command = loadFixtures('deliveries.command').full as Record<string, unknown>;

  it('names every failing field path, nested ones dotted', async () => {
    const bad = {
      ...command,
      channel: 'pigeon',
      content: { ...(command.content as object), text: 42 },
      fallback: { channel: 'fax', address: 'x' },
      attempt: 1.5,
    };
    const error = await decodeError(codec.encode('deliveries.command', bad));
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.retriable).toBe(false);
    expect(error.details).toEqual(['channel', 'content.text', 'fallback.channel', 'attempt']);
    expect(error.message).toContain('deliveries.command');
    expect(error.message).toContain('content.text');
  });

  it('names a missing required field and a bad map value', async () => {
    const { deliveryId: _deliveryId, ...withoutId } = command;
    expect((await decodeError(codec.encode('deliveries.command', withoutId))).details).toEqual(['deliveryId']);
    const client = loadFixtures('state.clients').full as { preferences: object };
    const badMap = { ...client, preferences: { ...client.preferences, channels: { sms: 'no' } } };
    expect((await decodeError(codec.encode('state.clients', badMap))).details).toEqual(['preferences.channels.sms']);
  });

  it('rejects a non-record value at the root', async () => {
    const error = await decodeError(codec.encode('events.mailing-started', 'hello'));
    expect(error).toMatchObject({ code: 'VALIDATION_FAILED', details: ['(root)'] });
  });

  it('rejects a date where epoch milliseconds belong (no logical types)', async () => {
    const started = { ...(loadFixtures('events.mailing-started').full as object), occurredAt: new Date() };
    expect((await decodeError(codec.encode('events.mailing-started', started))).details).toEqual(['occurredAt']);
  });
});

describe('createCodec: bytes it cannot read', () => {
  const fixture = loadFixtures('deliveries.status').full;

  it.each([
    ['empty', Buffer.alloc(0)],
    ['text', Buffer.from('{"statusId":"s-1"}')],
    ['random', Buffer.from('8a3f0c9d2b7e11aa', 'hex')],
    ['a lone magic', Buffer.from([0xc3, 0x01, 0x00])],
  ])('%s bytes: DECODE_FAILED, not retriable', async (_label, bytes) => {
    const error = await decodeError(codec.decode('deliveries.status', bytes));
    expect(error).toMatchObject({ code: 'DECODE_FAILED', retriable: false });
  });

  it('a truncated body: DECODE_FAILED', async () => {
    const bytes = await codec.encode('deliveries.status', fixture);
    const error = await decodeError(codec.decode('deliveries.status', bytes.subarray(0, bytes.length - 3)));
    expect(error.code).toBe('DECODE_FAILED');
  });

  it('trailing bytes after the record: DECODE_FAILED', async () => {
    const bytes = await codec.encode('deliveries.status', fixture);
    const error = await decodeError(codec.decode('deliveries.status', Buffer.concat([bytes, Buffer.from([1, 2])])));
    expect(error.code).toBe('DECODE_FAILED');
  });

  it('a value that is not a Buffer: DECODE_FAILED', async () => {
    const error = await decodeError(codec.decode('deliveries.status', null as unknown as Buffer));
    expect(error.code).toBe('DECODE_FAILED');
  });

  it('an unknown fingerprint: UNKNOWN_SCHEMA naming it, not retriable', async () => {
    const bytes = Buffer.concat([Buffer.from([0xc3, 0x01]), fingerprintToBytes(0x0123456789abcdefn), Buffer.from([0])]);
    const error = await decodeError(codec.decode('deliveries.status', bytes));
    expect(error).toMatchObject({ code: 'UNKNOWN_SCHEMA', retriable: false, details: { fingerprint: 'efcdab8967452301' } });
  });

  it('a record of another schema: DECODE_FAILED naming both', async () => {
    const bytes = await codec.encode('events.mailing-started', loadFixtures('events.mailing-started').full);
    const error = await decodeError(codec.decode('deliveries.status', bytes));
    expect(error.code).toBe('DECODE_FAILED');
    expect(error.message).toMatch(/deliveries\.status.*events\.mailing-started/);
  });

  it('a Confluent frame with no registry configured: UNKNOWN_SCHEMA telling why', async () => {
    const body = schemaSet.current('deliveries.status').type.toBuffer(fixture);
    const framed = Buffer.concat([Buffer.from([0, 0, 0, 0, 7]), body]);
    const error = await decodeError(codec.decode('deliveries.status', framed));
    expect(error).toMatchObject({ code: 'UNKNOWN_SCHEMA', retriable: false, details: { format: 'confluent', schemaId: 7 } });
    expect(error.message).toContain('no schema registry is configured');
  });
});

describe('createCodec: schema evolution', () => {
  const schema: SchemaName = 'events.user-registered';
  const older = schemaSet.current(schema).raw as { fields: object[] };
  const newer = { ...older, fields: [...older.fields, { name: 'marketingOptIn', type: 'boolean', default: false }] };
  const oldWriter = createCodec({ schemaSet: createSchemaSet({ [schema]: { current: older } }) });
  const value = loadFixtures(schema).full as Record<string, unknown>;

  it('a reader with an added defaulted field reads bytes of the older version', async () => {
    const newReader = createCodec({ schemaSet: createSchemaSet({ [schema]: { current: newer, previous: [older] } }) });
    const decoded = await newReader.decode(schema, await oldWriter.encode(schema, value));
    expect(decoded).toEqual({ ...value, marketingOptIn: false });
  });

  it('without the older version in history the reader cannot find the writer schema', async () => {
    const forgetful = createCodec({ schemaSet: createSchemaSet({ [schema]: { current: newer } }) });
    const error = await decodeError(forgetful.decode(schema, await oldWriter.encode(schema, value)));
    expect(error.code).toBe('UNKNOWN_SCHEMA');
  });

  it('an appended enum symbol reads as the enum default in a reader that lacks it', async () => {
    const status = schemaSet.current('deliveries.status').raw as { fields: Array<{ name: string; type: unknown }> };
    const withDefault = (symbols: string[]) => ({
      ...status,
      fields: status.fields.map((field) =>
        field.name === 'status'
          ? { ...field, type: { type: 'enum', name: 'dev.vestnik.deliveries.Status', symbols, default: 'queued' } }
          : field,
      ),
    });
    const base = ['queued', 'sent', 'delivered', 'retrying', 'failed', 'expired', 'suppressed', 'fallback'];
    const oldSchema = withDefault(base);
    const newSchema = withDefault([...base, 'bounced']);
    const writer = createCodec({ schemaSet: createSchemaSet({ 'deliveries.status': { current: newSchema } }) });
    const reader = createCodec({ schemaSet: createSchemaSet({ 'deliveries.status': { current: oldSchema, previous: [newSchema] } }) });
    const bounced = { ...(loadFixtures('deliveries.status').full as object), status: 'bounced' };
    expect(await reader.decode('deliveries.status', await writer.encode('deliveries.status', bounced))).toMatchObject({ status: 'queued' });
  });

  it('an incompatible older version fails as DECODE_FAILED, naming the writer', async () => {
    const clash = { ...older, fields: [...older.fields, { name: 'age', type: 'int' }] };
    const clashWriter = createCodec({ schemaSet: createSchemaSet({ [schema]: { current: clash } }) });
    const renamed = { ...older, fields: older.fields.map((f) => ({ ...(f as object), name: `${(f as { name: string }).name}X` })) };
    const reader = createCodec({ schemaSet: createSchemaSet({ [schema]: { current: renamed, previous: [clash] } }) });
    const error = await decodeError(reader.decode(schema, await clashWriter.encode(schema, { ...value, age: 3 })));
    expect(error.code).toBe('DECODE_FAILED');
    expect(error.message).toContain('fingerprint');
  });
});

describe('deliveries.status-page: the page written before entries carried a provider call', () => {
  const first = JSON.parse(fs.readFileSync(path.join(defaultSchemaDir(), 'history', 'deliveries.status-page', '1.avsc'), 'utf8')) as object;
  const oldFanout = createCodec({ schemaSet: createSchemaSet({ 'deliveries.status-page': { current: first } }) });

  it('reads as entries of attempt 0, no provider and the page\'s time: the statuses it stood for then', async () => {
    const entry = { statusId: 's-1', deliveryId: 'd-1', clientId: 'c-1', status: 'queued', reason: null };
    const page = { sourceType: 'mailing', sourceId: 'm-1', channel: 'sms', priority: 'bulk', occurredAt: 1_000, entries: [entry] };
    const decoded = await codec.decode('deliveries.status-page', await oldFanout.encode('deliveries.status-page', page as never));
    expect(decoded).toEqual({ ...page, entries: [{ ...entry, attempt: 0, providerMessageId: null, provider: null, occurredAt: null }] });
  });
});
