import Redis from 'ioredis';
import { Logger } from '../logger';

export type { Redis };

/** One ioredis connection with Vestnik's key prefix. Callers own it and close it with `quit()`. */
export function createRedis(options: { url: string; keyPrefix: string; logger: Logger; name?: string }): Redis {
  const redis = new Redis(options.url, {
    keyPrefix: options.keyPrefix,
    connectionName: options.name ?? 'vestnik',
    maxRetriesPerRequest: 20,
    enableAutoPipelining: true,
  });
  const log = options.logger.child({ module: 'redis', connection: options.name });
  redis.on('error', (error) => log.warn({ err: error.message }, 'redis connection error'));
  return redis;
}
