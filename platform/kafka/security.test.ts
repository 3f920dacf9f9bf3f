import { kafkaConnectionOptions } from './security';

const files: Record<string, string> = { '/ca.pem': 'CA', '/cert.pem': 'CERT', '/key.pem': 'KEY' };
const readFile = (path: string) => {
  const content = files[path];
  if (content === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
  return Buffer.from(content);
};

describe('kafkaConnectionOptions', () => {
  it('is empty without SASL and TLS (a plaintext local cluster)', () => {
    expect(kafkaConnectionOptions({}, readFile)).toEqual({});
  });

  it('passes SCRAM credentials and TLS with the CA, client certificate and key read from their files', () => {
    const options = kafkaConnectionOptions({
      sasl: { mechanism: 'scram-sha-512', username: 'vestnik', password: 's3cret' },
      ssl: { caFile: '/ca.pem', certFile: '/cert.pem', keyFile: '/key.pem', rejectUnauthorized: true },
    }, readFile);
    expect(options).toEqual({
      sasl: { mechanism: 'scram-sha-512', username: 'vestnik', password: 's3cret' },
      ssl: { rejectUnauthorized: true, ca: [Buffer.from('CA')], cert: Buffer.from('CERT'), key: Buffer.from('KEY') },
    });
  });

  it('TLS without files uses the system CAs and can be told not to verify (never the default)', () => {
    expect(kafkaConnectionOptions({ ssl: { rejectUnauthorized: false } }, readFile)).toEqual({ ssl: { rejectUnauthorized: false } });
  });

  it('names the variable of a file it cannot read', () => {
    expect(() => kafkaConnectionOptions({ ssl: { caFile: '/missing.pem', rejectUnauthorized: true } }, readFile))
      .toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringContaining('KAFKA_SSL_CA_FILE') }));
  });
});
