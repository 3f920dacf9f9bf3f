import { Kafka, logLevel as KafkaLogLevel, type LogEntry, type logCreator, type RetryOptions } from 'kafkajs';
import type { Logger } from '../logger';
import type { KafkaConnectionOptions } from './security';
import { createTopicNames, type WithTopicNames } from './topic-names';
import { NO_KAFKA_OBSERVER, type KafkaObserver, type WithKafkaObserver } from './observer';

export interface KafkaClientOptions {
  brokers: string[];
  clientId: string;
  logger: Logger;
  /** Overrides of the client-wide retry policy (connections, metadata, admin requests). */
  retry?: RetryOptions;
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** This deployment's topic namespace (KAFKA_TOPIC_PREFIX); empty or absent: the names of TOPICS as they are. */
  topicPrefix?: string;
  /** SASL and TLS, as kafkaConnectionOptions (security.ts) builds them from the configuration. */
  security?: KafkaConnectionOptions;
  /** Where the consumers and producers made from this client report batches and failures (metrics). */
  observer?: KafkaObserver;
}

/** A kafkajs client that also knows its deployment's topic names (topic-names.ts). */
export type KafkaClient = Kafka & WithTopicNames & WithKafkaObserver;

/**
 * Client-wide retries: a broker restart or leader election takes seconds, so ride it out for about a
 * minute (300 ms doubling to 30 s, 8 tries) before surfacing an error to the caller.
 */
export const DEFAULT_KAFKA_RETRY: RetryOptions = {
  initialRetryTime: 300,
  maxRetryTime: 30_000,
  retries: 8,
  factor: 0.2,
  multiplier: 2,
};

type PinoMethod = 'error' | 'warn' | 'info' | 'debug';

/** kafkajs levels → pino methods; kafkajs has no trace or fatal. */
export function pinoMethodOf(level: KafkaLogLevel): PinoMethod | null {
  switch (level) {
    case KafkaLogLevel.ERROR: return 'error';
    case KafkaLogLevel.WARN: return 'warn';
    case KafkaLogLevel.INFO: return 'info';
    case KafkaLogLevel.DEBUG: return 'debug';
    default: return null;
  }
}

/** pino level → kafkajs level, so kafkajs does not even build the lines pino would drop. */
export function kafkaLevelOf(pinoLevel: string): KafkaLogLevel {
  switch (pinoLevel) {
    case 'trace':
    case 'debug': return KafkaLogLevel.DEBUG;
    case 'info': return KafkaLogLevel.INFO;
    case 'warn': return KafkaLogLevel.WARN;
    case 'error':
    case 'fatal': return KafkaLogLevel.ERROR;
    default: return KafkaLogLevel.NOTHING;
  }
}

/** A kafkajs logCreator writing into a pino child: kafkajs' extra fields become structured fields. */
export function pinoLogCreator(logger: Logger): logCreator {
  const kafkaLogger = logger.child({ module: 'kafkajs' });
  return () => ({ namespace, level, log }: LogEntry) => {
    const method = pinoMethodOf(level);
    if (!method) return;
    // kafkajs stamps its own timestamp and logger name; pino already has both.
    const { message, timestamp: _timestamp, logger: _logger, ...fields } = log;
    kafkaLogger[method]({ namespace, ...fields }, message);
  };
}

/**
 * A kafkajs client whose logs go to pino and whose retries survive a broker restart. It carries the
 * deployment's topic names, so the Kafka layer's producer, consumer and admin helpers map the logical
 * names of TOPICS to the broker's without every stage passing the prefix along.
 */
export function createKafka(options: KafkaClientOptions): KafkaClient {
  const kafka = new Kafka({
    ...options.security,
    clientId: options.clientId,
    brokers: options.brokers,
    logLevel: kafkaLevelOf(options.logger.level),
    logCreator: pinoLogCreator(options.logger),
    retry: { ...DEFAULT_KAFKA_RETRY, ...options.retry },
    connectionTimeout: options.connectionTimeoutMs ?? 3_000,
    requestTimeout: options.requestTimeoutMs ?? 30_000,
  });
  return Object.assign(kafka, { topicNames: createTopicNames(options.topicPrefix), vestnikObserver: options.observer ?? NO_KAFKA_OBSERVER });
}
