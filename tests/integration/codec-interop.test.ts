import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createCodec, SCHEMA_NAMES } from '../../platform/codec';
import { loadFixtures, readVectorFile, writeNodeVectors } from '../vectors/vectors';

/**
 * Our codec against an independent Avro implementation, python avro (Debian python3-avro), both
 * ways, with bytes produced in this run (the unit tests cover the checked-in vectors). python3-avro
 * is a required test dependency: its absence fails this test rather than skipping it.
 */
jest.setTimeout(60_000);

const PYTHON = '/usr/bin/python3';
const SCRIPT = path.resolve(__dirname, '../tools/avro_vectors.py');
const codec = createCodec();
let workDir: string;

function runScript(args: string[]) {
  const result = spawnSync(PYTHON, [SCRIPT, ...args], { encoding: 'utf8', timeout: 30_000 });
  if (result.error) throw result.error;
  return result;
}

beforeAll(() => {
  if (!fs.existsSync(PYTHON)) throw new Error(`${PYTHON} is missing: install python3 and python3-avro (apt-get install python3-avro)`);
  const probe = spawnSync(PYTHON, ['-c', 'import avro.io, avro.schema'], { encoding: 'utf8' });
  if (probe.status !== 0) throw new Error(`python avro is not importable by ${PYTHON}: apt-get install python3-avro\n${probe.stderr}`);
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vestnik-avro-interop-'));
});

afterAll(() => {
  if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
});

describe('interop with python avro', () => {
  it('python decodes every fixture we encode now to the same value', async () => {
    const nodeDir = path.join(workDir, 'node');
    await writeNodeVectors((schema, value) => codec.encode(schema, value), nodeDir);
    const result = runScript(['check', '--vectors', nodeDir]);
    expect({ status: result.status, stdout: result.stdout, stderr: result.stderr }).toEqual({
      status: 0,
      stdout: expect.stringContaining('0 mismatched'),
      stderr: '',
    });
  });

  it('we decode every fixture python encodes now to the same value', async () => {
    const pythonDir = path.join(workDir, 'python');
    const result = runScript(['write', '--out', pythonDir]);
    expect(result.status).toBe(0);
    for (const schema of SCHEMA_NAMES) {
      const vectors = readVectorFile('python', schema, pythonDir);
      for (const [name, value] of Object.entries(loadFixtures(schema))) {
        expect({ schema, name, decoded: await codec.decode(schema, Buffer.from(vectors.cases[name] as string, 'hex')) }).toEqual({
          schema,
          name,
          decoded: value,
        });
      }
    }
  });

  it('python rejects bytes whose body was tampered with', async () => {
    const nodeDir = path.join(workDir, 'tampered');
    await writeNodeVectors(async (schema, value) => {
      const bytes = await codec.encode(schema, value);
      return schema === 'events.mailing-started' ? bytes.subarray(0, bytes.length - 1) : bytes;
    }, nodeDir);
    const result = runScript(['check', '--vectors', nodeDir]);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('MISMATCH events.mailing-started/');
  });
});
