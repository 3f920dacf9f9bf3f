import { RLWrapperTimeouts, RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import type { Config } from '../platform/config';
import type { Redis } from '../platform/redis/client';
import { KEYS } from '../platform/redis/keys';
import type { Limiter, RateLimits } from './middleware/rate-limit';

export interface RateLimitersOptions {
  /**
   * A createRedis client. Its key prefix (the deployment's, REDIS_KEY_PREFIX) is put in front of every
   * counter by ioredis itself, on plain commands and on the limiter's Lua script alike (the script is
   * defined with defineCommand and one key), so the counters are `<prefix>rate-limit:<budget>:<hash>`.
   */
  redis: Redis;
  limits: Config['rateLimits'];
  /** A Redis answer slower than this counts as Redis failing (default 300 ms): the request goes on with the insurance. */
  timeoutMs?: number;
}

const WINDOW_SECONDS = 60;

/**
 * The API's request budgets (none with RATE_LIMIT_ENABLED=false), counted in Redis so that every API process shares them (a caller cannot
 * multiply its budget by the number of processes behind the load balancer).
 *
 * When Redis fails (down, not connected yet, or slower than timeoutMs) every budget falls back to an
 * in-memory limiter of the same size in this process (rate-limiter-flexible's insuranceLimiter): neither
 * fail-open nor fail-closed.
 * - public (per IP): failing open would let a flood of link or unsubscribe guesses through exactly while
 *   the system is weakest; failing closed would break every confirmation link and unsubscribe page for
 *   the whole outage. In memory, a flood is still cut, at N× the budget with N processes.
 * - api (per key or user): failing closed would refuse every admin and service call, including cancelling
 *   a mailing, for a Redis outage the rest of the API may not even need; the callers hold credentials, so
 *   a per-process budget is enough.
 * - ws (per user): the gateway needs Redis to deliver anyway; the in-memory budget still stops a
 *   reconnect storm from one user.
 * - static (per IP): files served from memory; the in-memory budget still cuts a flood.
 */
export function createRateLimiters(options: RateLimitersOptions): RateLimits | undefined {
  if (!options.limits.enabled) return undefined;
  const timeoutMs = options.timeoutMs ?? 300;
  const budget = (name: string, perMinute: number): Limiter =>
    new RLWrapperTimeouts({
      limiter: new RateLimiterRedis({
        storeClient: options.redis,
        keyPrefix: KEYS.rateLimit(name),
        points: perMinute,
        duration: WINDOW_SECONDS,
        // Straight to the insurance while ioredis reconnects, instead of queueing behind its retries.
        rejectIfRedisNotReady: true,
      }),
      // On the wrapper only, so a failure that is also a timeout is charged to the insurance once.
      insuranceLimiter: new RateLimiterMemory({ keyPrefix: `${name}-insurance`, points: perMinute, duration: WINDOW_SECONDS }),
      timeoutMs,
    });
  return {
    public: budget('public', options.limits.publicPerMin),
    api: budget('api', options.limits.apiPerMin),
    ws: budget('ws', options.limits.wsPerMin),
    static: budget('static', options.limits.staticPerMin),
  };
}
