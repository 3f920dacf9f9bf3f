import * as fs from 'fs';
import * as path from 'path';
import { SCHEMA_NAMES, SchemaName } from '../../platform/codec/codec';

/**
 * Test fixtures and interop vectors shared by the codec tests and tests/tools/avro_vectors.py.
 * fixtures/<schema>.json: { "<case>": value } in the TypeScript shape, bytes as { "$bytes": base64 }.
 * python|node/<schema>.json: single-object bytes of every case, as hex, written by that side.
 */
export const VECTORS_DIR = __dirname;

export type Fixtures = Record<string, unknown>;

export interface VectorFile {
  schema: SchemaName;
  writer: string;
  /** Fingerprint of the writer schema: the 8 header bytes after C3 01, hex. */
  fingerprint: string;
  cases: Record<string, string>;
}

/** Every case of a schema's fixture, with { "$bytes": base64 } turned into Buffers. */
export function loadFixtures(schema: SchemaName): Fixtures {
  const text = fs.readFileSync(path.join(VECTORS_DIR, 'fixtures', `${schema}.json`), 'utf8');
  return JSON.parse(text, (_key, value: unknown) => {
    if (isBytesMarker(value)) return Buffer.from(value.$bytes, 'base64');
    return value;
  }) as Fixtures;
}

function isBytesMarker(value: unknown): value is { $bytes: string } {
  return typeof value === 'object' && value !== null && Object.keys(value).length === 1 && typeof (value as { $bytes?: unknown }).$bytes === 'string';
}

export function vectorPath(side: 'python' | 'node', schema: SchemaName, dir = path.join(VECTORS_DIR, side)): string {
  return path.join(dir, `${schema}.json`);
}

export function readVectorFile(side: 'python' | 'node', schema: SchemaName, dir?: string): VectorFile {
  return JSON.parse(fs.readFileSync(vectorPath(side, schema, dir), 'utf8')) as VectorFile;
}

/** Writes a vector file with stable formatting, so regenerated files diff cleanly. */
export function writeVectorFile(file: string, vectors: VectorFile): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(vectors, null, 2)}\n`);
}

/** Encodes every case of every fixture with a single-object encoder into vector files in dir. */
export async function writeNodeVectors(
  encode: (schema: SchemaName, value: unknown) => Promise<Buffer>,
  dir: string,
): Promise<void> {
  for (const schema of SCHEMA_NAMES) {
    const cases: Record<string, string> = {};
    for (const [name, value] of Object.entries(loadFixtures(schema))) cases[name] = (await encode(schema, value)).toString('hex');
    const first = Object.values(cases)[0] ?? '';
    writeVectorFile(vectorPath('node', schema, dir), { schema, writer: 'vestnik codec (avsc)', fingerprint: first.slice(4, 20), cases });
  }
}
