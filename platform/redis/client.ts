import Redis from 'ioredis';
import type { Command } from 'ioredis';
import { Logger } from '../logger';
import { classifyRedisError } from './classify';

export type { Redis };

export interface RedisOptions {
  url: string;
  keyPrefix: string;
  logger: Logger;
  name?: string;
  /** Reconnect attempts a command waits through before it fails (REDIS_UNAVAILABLE). Tests lower it. */
  maxRetriesPerRequest?: number;
}

/**
 * One ioredis connection with Vestnik's key prefix. Callers own it and close it with `quit()`. Every
 * command it sends fails the Vestnik way (classifyErrors below), so no caller wraps Redis errors itself.
 */
export function createRedis(options: RedisOptions): Redis {
  const redis = new Redis(options.url, {
    keyPrefix: options.keyPrefix,
    connectionName: options.name ?? 'vestnik',
    maxRetriesPerRequest: options.maxRetriesPerRequest ?? 20,
    enableAutoPipelining: true,
  });
  const log = options.logger.child({ module: 'redis', connection: options.name });
  redis.on('error', (error) => log.warn({ err: error.message }, 'redis connection error'));
  classifyErrors(redis);
  return redis;
}

/** Marks a command's `reject` that already classifies (a resent command is not wrapped twice). */
const CLASSIFIED = Symbol('vestnik.redis.classified');

/**
 * The edge: every command reaches the connection through `sendCommand` (plain calls, pipelines and
 * MULTI at exec, auto-pipelined calls, EVAL/EVALSHA and defineCommand scripts), and every failure of a
 * command goes through its `reject`. Wrapping `reject` there, rather than chaining on `command.promise`,
 * matters: a pipeline has already subscribed to each command's promise when it was queued, and a
 * callback is bound to it at construction, so only an error mapped before it enters the promise reaches
 * them all. A command may pass through here more than once (the offline queue resends it after a
 * reconnect); the mapping is idempotent, and an already wrapped `reject` is not wrapped again.
 */
function classifyErrors(redis: Redis): void {
  const send = redis.sendCommand.bind(redis);
  redis.sendCommand = (command: Command, stream?: Parameters<Redis['sendCommand']>[1]) => {
    const reject = command.reject as Command['reject'] & { [CLASSIFIED]?: true };
    if (!reject[CLASSIFIED]) {
      // A property on the wrapper, not a WeakSet: this runs for every command, and weak collections cost the GC.
      const classified = Object.assign((error: Error) => reject.call(command, classifyRedisError(error) as Error), { [CLASSIFIED]: true as const });
      command.reject = classified;
    }
    return send(command, stream);
  };
}
