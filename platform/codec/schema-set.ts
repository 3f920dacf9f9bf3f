import * as fs from 'fs';
import * as path from 'path';
import { Type } from 'avsc';
import { VestnikError } from '../errors';
import { SCHEMA_NAMES, SchemaName } from './codec';
import { crc64Avro, fingerprintToBytes, fingerprintToHex } from './crc64-avro';

/** One parsed version of a schema: the avsc type and its identity on the wire. */
export interface SchemaVersion {
  name: SchemaName;
  type: Type;
  /** The schema as written in its .avsc file (what a registry is given). */
  raw: object;
  /** Parsing Canonical Form: the input of the fingerprint. */
  canonical: string;
  /** CRC-64-AVRO of the canonical form. */
  fingerprint: bigint;
  /** 8 little-endian bytes, as in a single-object header. */
  fingerprintBytes: Buffer;
  /** false for an older version kept only so its messages stay readable. */
  current: boolean;
}

/** The Avro contracts of Vestnik, parsed once; readers and writers look schemas up here. */
export interface SchemaSet {
  readonly names: readonly SchemaName[];
  /** The version every writer uses and every reader resolves into; UNKNOWN_SCHEMA if absent. */
  current(name: SchemaName): SchemaVersion;
  /** Any known version (current or older) with this fingerprint. */
  byFingerprint(fingerprint: bigint): SchemaVersion | undefined;
}

/** The current schema of a name plus older versions whose messages may still be on a topic. */
export interface SchemaDefinition {
  current: object;
  previous?: readonly object[];
}

export type SchemaDefinitions = Partial<Record<SchemaName, SchemaDefinition>>;

/** Builds a schema set from schema objects; throws CONFIG_INVALID on a bad or clashing schema. */
export function createSchemaSet(definitions: SchemaDefinitions): SchemaSet {
  const currentByName = new Map<SchemaName, SchemaVersion>();
  const byFingerprint = new Map<bigint, SchemaVersion>();
  for (const name of SCHEMA_NAMES) {
    const definition = definitions[name];
    if (!definition) continue;
    const versions = [parseVersion(name, definition.current, true)];
    for (const older of definition.previous ?? []) versions.push(parseVersion(name, older, false));
    currentByName.set(name, versions[0] as SchemaVersion);
    for (const version of versions) addByFingerprint(byFingerprint, version);
  }
  return {
    names: [...currentByName.keys()],
    current(name) {
      const version = currentByName.get(name);
      if (!version) throw new VestnikError('UNKNOWN_SCHEMA', `no schema named "${name}" is loaded`);
      return version;
    },
    byFingerprint: (fingerprint) => byFingerprint.get(fingerprint),
  };
}

function parseVersion(name: SchemaName, raw: object, current: boolean): SchemaVersion {
  let type: Type;
  try {
    // A fresh registry per schema: each .avsc is self-contained and repeats shared named types.
    // No logicalTypes option on purpose: timestamp-millis stays a plain number of epoch ms.
    type = Type.forSchema(raw as never, { registry: {} });
  } catch (error) {
    throw new VestnikError('CONFIG_INVALID', `schema "${name}" does not parse: ${(error as Error).message}`, { cause: error });
  }
  // avsc's schema() without exportAttrs is the spec's canonical form: full names, no docs,
  // defaults or logical types, attributes in canonical order (checked against python avro).
  const canonical = JSON.stringify(type.schema());
  const fingerprint = crc64Avro(canonical);
  return { name, type, raw, canonical, fingerprint, fingerprintBytes: fingerprintToBytes(fingerprint), current };
}

function addByFingerprint(index: Map<bigint, SchemaVersion>, version: SchemaVersion): void {
  const known = index.get(version.fingerprint);
  if (known && known.name !== version.name) {
    throw new VestnikError(
      'CONFIG_INVALID',
      `schemas "${known.name}" and "${version.name}" share fingerprint ${fingerprintToHex(version.fingerprint)}`,
    );
  }
  // The same schema listed twice (e.g. an unchanged history copy) keeps its first, current, entry.
  if (!known) index.set(version.fingerprint, version);
}

/**
 * Where the .avsc files are: schemas/ at the repository root, both from the sources
 * (platform/codec) and from the compiled output (dist/platform/codec).
 */
export function defaultSchemaDir(): string {
  const candidates = [path.resolve(__dirname, '../../schemas'), path.resolve(__dirname, '../../../schemas')];
  const found = candidates.find((dir) => fs.existsSync(path.join(dir, `${SCHEMA_NAMES[0]}.avsc`)));
  if (!found) throw new VestnikError('CONFIG_INVALID', `no schemas/ folder found near ${__dirname}`);
  return found;
}

/**
 * Reads schemas/<name>.avsc for every schema, plus schemas/history/<name>/*.avsc: older versions
 * kept so that single-object messages written with them can still be resolved.
 */
export function loadSchemaSet(options: { dir?: string } = {}): SchemaSet {
  const dir = options.dir ?? defaultSchemaDir();
  const definitions: SchemaDefinitions = {};
  for (const name of SCHEMA_NAMES) {
    const historyDir = path.join(dir, 'history', name);
    const previous = fs.existsSync(historyDir)
      ? fs.readdirSync(historyDir).filter((file) => file.endsWith('.avsc')).sort().map((file) => readJson(path.join(historyDir, file)))
      : [];
    definitions[name] = { current: readJson(path.join(dir, `${name}.avsc`)), previous };
  }
  return createSchemaSet(definitions);
}

function readJson(file: string): object {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as object;
  } catch (error) {
    throw new VestnikError('CONFIG_INVALID', `cannot read schema file ${file}: ${(error as Error).message}`, { cause: error });
  }
}
