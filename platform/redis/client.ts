import IORedis, { Cluster, type ClusterNode, type RedisOptions as IORedisOptions } from 'ioredis';
import type { Command } from 'ioredis';
import { Logger } from '../logger';
import { classifyRedisError, isSlotMoved } from './classify';

/** A connection to one Redis server, or to a Redis Cluster (issue 16): the same commands, keys routed by slot. */
export type Redis = IORedis | Cluster;

export interface RedisOptions {
  /** The server; with `clusterNodes`, only its credentials and TLS (rediss:) are used. */
  url: string;
  /**
   * host:port of Redis Cluster nodes (any of them: the client learns the rest). A Cluster refuses a MULTI,
   * a Lua script or an ioredis pipeline over keys of several slots, so only code whose keys are grouped
   * by hash tag runs on one (see the README's "Scaling out" for which).
   */
  clusterNodes?: readonly string[];
  keyPrefix: string;
  logger: Logger;
  name?: string;
  /** Reconnect attempts a command waits through before it fails (REDIS_UNAVAILABLE). Tests lower it. */
  maxRetriesPerRequest?: number;
}

/**
 * One ioredis connection (or Cluster client) with Vestnik's key prefix. Callers own it and close it with
 * `quit()`. Every command it sends fails the Vestnik way (classifyErrors below), so no caller wraps Redis
 * errors itself.
 */
export function createRedis(options: RedisOptions): Redis {
  const common = {
    keyPrefix: options.keyPrefix,
    connectionName: options.name ?? 'vestnik',
    maxRetriesPerRequest: options.maxRetriesPerRequest ?? 20,
  };
  const redis: Redis = options.clusterNodes
    // On a Cluster, auto-pipelining batches per node: the one way to send many keys' commands together.
    ? new Cluster(options.clusterNodes.map(clusterNode), { enableAutoPipelining: true, redisOptions: { ...credentialsOf(options.url), ...common } })
    : new IORedis(options.url, { ...common, enableAutoPipelining: true });
  const log = options.logger.child({ module: 'redis', connection: options.name });
  redis.on('error', (error: Error) => log.warn({ err: error.message }, 'redis connection error'));
  classifyErrors(redis);
  return redis;
}

/**
 * The servers that hold the keys, for what sees one server's keys only (SCAN, KEYS): one Redis itself, or
 * a Cluster's masters. A first command makes a Cluster client load its slot map, so the list is its masters,
 * not the nodes it was given.
 */
export async function keyServersOf(redis: Redis): Promise<IORedis[]> {
  if (!(redis instanceof Cluster)) return [redis];
  await redis.ping();
  return redis.nodes('master');
}

function clusterNode(address: string): ClusterNode {
  const at = address.lastIndexOf(':');
  return { host: address.slice(0, at), port: Number(address.slice(at + 1)) };
}

/** The user, password and TLS of a redis:// or rediss:// URL, for every node of a Cluster. */
export function credentialsOf(url: string): Pick<IORedisOptions, 'username' | 'password' | 'tls'> {
  const parsed = new URL(url);
  return {
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
  };
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
  const send = redis.sendCommand.bind(redis) as (command: Command, ...rest: unknown[]) => unknown;
  // A slot that moved (a fail-over) and reached a caller: the slot map is reloaded now, not at the next
  // periodic refresh, so the caller's retry finds the new master (ioredis joins concurrent reloads).
  const onError = redis instanceof Cluster
    ? (error: Error) => { if (isSlotMoved(error)) redis.refreshSlotsCache(); }
    : () => undefined;
  // A Cluster's sendCommand takes a third argument (the node); whatever follows the command is passed on.
  (redis as { sendCommand: unknown }).sendCommand = (command: Command, ...rest: unknown[]) => {
    const reject = command.reject as Command['reject'] & { [CLASSIFIED]?: true };
    if (!reject[CLASSIFIED]) {
      // A property on the wrapper, not a WeakSet: this runs for every command, and weak collections cost the GC.
      const classified = Object.assign((error: Error) => {
        onError(error);
        reject.call(command, classifyRedisError(error) as Error);
      }, { [CLASSIFIED]: true as const });
      command.reject = classified;
    }
    return send(command, ...rest);
  };
}
