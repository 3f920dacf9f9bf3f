import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { VestnikError } from '../errors';
import { SCHEMA_NAMES } from './codec';
import { crc64Avro, fingerprintToHex } from './crc64-avro';
import { createSchemaSet, defaultSchemaDir, loadSchemaSet } from './schema-set';

/**
 * Fingerprints computed independently by tests/tools/avro_vectors.py (python avro 1.11 canonical
 * form + a Python CRC-64-AVRO): `python3 tests/tools/avro_vectors.py fingerprints`. A change here
 * means a schema changed: keep the old file in schemas/history/<name>/ (see schemas/README.md).
 */
const PYTHON_FINGERPRINTS: Record<string, string> = {
  'events.user-registered': '530b46554fe4db1a',
  'events.episode-released': 'b0fe66247fe8eaf6',
  'events.notification-requested': '785318d5201c042c',
  'events.user-activity': 'e1e981c7b7a19b2a',
  'events.mailing-started': 'a40c8cd1dc0d171e',
  'events.mailing-resend-requested': '5fc3c5dea18546b5',
  'state.clients': '0ef97a6c2948295f',
  'state.mailings': '29619f51e3d91768',
  'state.templates': '96024cb351cb20a8',
  'deliveries.command': '46c1300bff505efe',
  'deliveries.command-page': 'cf889c6be1128731',
  'deliveries.status': '200ba3e6774bf5ce',
  'deliveries.status-page': '9445b773731d0734',
  'deliveries.dead-letter': '343374aff73c0c76',
};

const tiny = {
  type: 'record',
  name: 'Tiny',
  namespace: 'dev.vestnik.test',
  doc: 'dropped from the canonical form',
  fields: [
    { name: 'at', type: { type: 'long', logicalType: 'timestamp-millis' }, doc: 'dropped' },
    { name: 'tags', type: { type: 'array', items: 'string' }, default: [] },
    { name: 'kind', type: { type: 'enum', name: 'Kind', symbols: ['a', 'b'] } },
  ],
};

describe('loadSchemaSet', () => {
  const set = loadSchemaSet();

  it('loads every schema in schemas/', () => {
    expect([...set.names].sort()).toEqual([...SCHEMA_NAMES].sort());
  });

  it.each(SCHEMA_NAMES)('fingerprints %s as python avro does', (name) => {
    expect(fingerprintToHex(set.current(name).fingerprint)).toBe(PYTHON_FINGERPRINTS[name]);
  });

  it('finds each current schema by its fingerprint', () => {
    for (const name of SCHEMA_NAMES) expect(set.byFingerprint(set.current(name).fingerprint)?.name).toBe(name);
  });

  it('reads older versions from schemas/history/<name>/ as non-current', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vestnik-schemas-'));
    try {
      for (const name of SCHEMA_NAMES) fs.copyFileSync(path.join(defaultSchemaDir(), `${name}.avsc`), path.join(dir, `${name}.avsc`));
      fs.mkdirSync(path.join(dir, 'history', 'events.mailing-started'), { recursive: true });
      const older = { type: 'record', name: 'dev.vestnik.events.MailingStarted', fields: [{ name: 'eventId', type: 'string' }] };
      fs.writeFileSync(path.join(dir, 'history', 'events.mailing-started', 'v1.avsc'), JSON.stringify(older));
      const withHistory = loadSchemaSet({ dir });
      const found = withHistory.byFingerprint(crc64Avro('{"name":"dev.vestnik.events.MailingStarted","type":"record","fields":[{"name":"eventId","type":"string"}]}'));
      expect(found).toMatchObject({ name: 'events.mailing-started', current: false });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('createSchemaSet', () => {
  it('derives the Parsing Canonical Form: full names, no docs, defaults or logical types', () => {
    const version = createSchemaSet({ 'events.user-registered': { current: tiny } }).current('events.user-registered');
    expect(version.canonical).toBe(
      '{"name":"dev.vestnik.test.Tiny","type":"record","fields":[{"name":"at","type":"long"},' +
        '{"name":"tags","type":{"type":"array","items":"string"}},' +
        '{"name":"kind","type":{"name":"dev.vestnik.test.Kind","type":"enum","symbols":["a","b"]}}]}',
    );
    expect(version.fingerprint).toBe(crc64Avro(version.canonical));
    expect(version.fingerprintBytes.readBigUInt64LE()).toBe(version.fingerprint);
  });

  it('rejects two schema names with one fingerprint', () => {
    const build = () => createSchemaSet({ 'events.user-registered': { current: tiny }, 'events.user-activity': { current: tiny } });
    expect(build).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
  });

  it('rejects a schema avsc cannot parse, naming it', () => {
    const build = () => createSchemaSet({ 'state.clients': { current: { type: 'record', name: 'X', fields: [{ name: 'a', type: 'nope' }] } } });
    expect(build).toThrow(VestnikError);
    expect(build).toThrow(/state\.clients/);
  });

  it('answers UNKNOWN_SCHEMA for a name it does not hold', () => {
    const set = createSchemaSet({ 'events.user-registered': { current: tiny } });
    expect(() => set.current('state.clients')).toThrow(expect.objectContaining({ code: 'UNKNOWN_SCHEMA' }));
  });
});

describe('the SourceTypes `test` (template test sends) and `report` (the daily email) appended to deliveries.command and deliveries.status', () => {
  const set = loadSchemaSet();

  it.each(['deliveries.command', 'deliveries.status'] as const)('%s keeps its versions before `test` and before `report` readable', (name) => {
    const first = fs.readFileSync(path.join(defaultSchemaDir(), 'history', name, '1.avsc'), 'utf8');
    expect(first).not.toContain('"test"');
    const second = fs.readFileSync(path.join(defaultSchemaDir(), 'history', name, '2.avsc'), 'utf8');
    expect(second).toContain('"test"');
    expect(second).not.toContain('"report"');
    for (const fingerprint of [BEFORE_TEST_FINGERPRINTS[name], BEFORE_REPORT_FINGERPRINTS[name]]) {
      expect(set.byFingerprint(Buffer.from(fingerprint, 'hex').readBigUInt64LE())).toMatchObject({ name, current: false });
    }
  });
});

/** The fingerprints before `test` was appended (python avro computed them then). */
const BEFORE_TEST_FINGERPRINTS = { 'deliveries.command': 'b6066d0d370281dd', 'deliveries.status': '43cd9434563e0b1a' } as const;
/** The fingerprints with `test` and before `report` (python avro computed them then). */
const BEFORE_REPORT_FINGERPRINTS = { 'deliveries.command': 'd7763372d077d2d9', 'deliveries.status': '2b5ca8e9b5dce733' } as const;
