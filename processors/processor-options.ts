import type { Kafka } from 'kafkajs';
import type { Codec } from '../platform/codec/codec';
import type { TypedProducer } from '../platform/kafka';
import type { Logger } from '../platform/logger';
import type { Redis } from '../platform/redis/client';

/** What every processor's consumer is built from: its process's clients, the directory view and its group. */
export interface ProcessorOptions {
  kafka: Kafka;
  codec: Codec;
  producer: TypedProducer;
  /** The directory view: client docs, their index sets, templates. */
  redis: Redis;
  logger: Logger;
  groupId: string;
  clock?: { now(): number };
}
