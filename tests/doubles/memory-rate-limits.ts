import { RateLimiterMemory } from 'rate-limiter-flexible';
import type { RateLimits } from '../../ingest/middleware/rate-limit';

/** The API's budgets in this process's memory (the same interface as the Redis ones), per minute. */
export function createMemoryRateLimits(perMinute: { public?: number; api?: number; ws?: number; static?: number } = {}): RateLimits {
  const budget = (name: string, points: number) => new RateLimiterMemory({ keyPrefix: name, points, duration: 60 });
  return {
    public: budget('public', perMinute.public ?? 1000),
    api: budget('api', perMinute.api ?? 1000),
    ws: budget('ws', perMinute.ws ?? 1000),
    static: budget('static', perMinute.static ?? 1000),
  };
}
