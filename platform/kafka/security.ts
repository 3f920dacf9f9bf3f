/**
 * How a Kafka client authenticates and encrypts: SASL (SCRAM-SHA-512 or -256 for self-run clusters, PLAIN for
 * managed services that want it, always over TLS there) and TLS with an optional private CA and client
 * certificate. The files are read once, when the process builds its clients; the password only ever goes to
 * kafkajs, never to a log line (kafkajs logs the mechanism and the broker, not the credentials).
 */
import { readFileSync } from 'node:fs';
import type { KafkaConfig, SASLOptions } from 'kafkajs';
import { VestnikError } from '../errors';

export const SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];

export interface KafkaSecurity {
  sasl?: { mechanism: SaslMechanism; username: string; password: string };
  /** Present when KAFKA_SSL=true; files are PEM. */
  ssl?: { caFile?: string; certFile?: string; keyFile?: string; rejectUnauthorized: boolean };
}

export type KafkaConnectionOptions = Pick<KafkaConfig, 'sasl' | 'ssl'>;

/** What kafkajs needs for the security settings; `readFile` is the seam for tests. Unreadable files name their variable. */
export function kafkaConnectionOptions(
  security: KafkaSecurity,
  readFile: (path: string) => Buffer = (path) => readFileSync(path),
): KafkaConnectionOptions {
  const options: KafkaConnectionOptions = {};
  if (security.ssl) {
    const { caFile, certFile, keyFile, rejectUnauthorized } = security.ssl;
    const read = (variable: string, path: string) => {
      try {
        return readFile(path);
      } catch (error) {
        throw new VestnikError('CONFIG_INVALID', `invalid configuration — ${variable}: cannot read ${path}`, { cause: error });
      }
    };
    options.ssl = {
      rejectUnauthorized,
      ...(caFile ? { ca: [read('KAFKA_SSL_CA_FILE', caFile)] } : {}),
      ...(certFile ? { cert: read('KAFKA_SSL_CERT_FILE', certFile) } : {}),
      ...(keyFile ? { key: read('KAFKA_SSL_KEY_FILE', keyFile) } : {}),
    };
  }
  if (security.sasl) {
    const { mechanism, username, password } = security.sasl;
    options.sasl = { mechanism, username, password } as SASLOptions;
  }
  return options;
}
