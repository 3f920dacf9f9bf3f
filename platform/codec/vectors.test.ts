import * as path from 'path';
import { loadFixtures, readVectorFile, VECTORS_DIR, writeNodeVectors } from '../../tests/vectors/vectors';
import { createCodec, loadSchemaSet, SCHEMA_NAMES } from './index';
import { fingerprintToHex } from './crc64-avro';

/**
 * Interop with python avro 1.11 (an independent implementation), without python at test time:
 * tests/vectors/python/ holds single-object bytes that tests/tools/avro_vectors.py wrote from the
 * fixtures; tests/vectors/node/ holds ours, which the same script checks (and
 * tests/integration/codec-interop.test.ts re-checks with freshly encoded bytes).
 * After a deliberate fixture or schema change: UPDATE_VECTORS=1 npx jest platform/codec/vectors.test.ts
 * and `python3 tests/tools/avro_vectors.py write`.
 */
const schemaSet = loadSchemaSet();
const codec = createCodec({ schemaSet });

describe('python avro vectors', () => {
  describe.each(SCHEMA_NAMES)('%s', (schema) => {
    const vectors = readVectorFile('python', schema);
    const fixtures = loadFixtures(schema);

    it('carry the fingerprint we compute', () => {
      expect(vectors.fingerprint).toBe(fingerprintToHex(schemaSet.current(schema).fingerprint));
    });

    it('cover every fixture case', () => {
      expect(Object.keys(vectors.cases).sort()).toEqual(Object.keys(fixtures).sort());
    });

    it.each(Object.keys(fixtures))('case %s decodes to the fixture and matches our bytes exactly', async (name) => {
      const bytes = Buffer.from(vectors.cases[name] as string, 'hex');
      expect(await codec.decode(schema, bytes)).toEqual(fixtures[name]);
      // Avro binary is deterministic for these values, so two implementations must agree byte for byte.
      expect((await codec.encode(schema, fixtures[name])).toString('hex')).toBe(vectors.cases[name]);
    });
  });
});

describe('node vectors', () => {
  if (process.env.UPDATE_VECTORS === '1') {
    it('are rewritten from the fixtures', async () => {
      await writeNodeVectors((schema, value) => codec.encode(schema, value), path.join(VECTORS_DIR, 'node'));
      expect(readVectorFile('node', SCHEMA_NAMES[0]).schema).toBe(SCHEMA_NAMES[0]);
    });
    return;
  }
  it.each(SCHEMA_NAMES)('%s: checked-in bytes are what the codec writes today', async (schema) => {
    const vectors = readVectorFile('node', schema);
    for (const [name, value] of Object.entries(loadFixtures(schema))) {
      expect({ name, hex: (await codec.encode(schema, value)).toString('hex') }).toEqual({ name, hex: vectors.cases[name] });
    }
  });
});
