import Redis from 'ioredis';
import { loadConfig } from '../platform/config';
import { createRateLimiters } from './rate-limiters';

describe('rate limit configuration', () => {
  it('is on by default with per-minute budgets, and X-Forwarded-For is not trusted', () => {
    const config = loadConfig({});
    expect(config.rateLimits).toEqual({ enabled: true, publicPerMin: 300, apiPerMin: 6000, wsPerMin: 30, staticPerMin: 3000 });
    expect(config.trustProxy).toBe(false);
  });

  it('reads every variable', () => {
    const config = loadConfig({
      RATE_LIMIT_ENABLED: 'false', RATE_LIMIT_PUBLIC_PER_MIN: '10', RATE_LIMIT_API_PER_MIN: '20', RATE_LIMIT_WS_PER_MIN: '3', RATE_LIMIT_STATIC_PER_MIN: '40', TRUST_PROXY: 'true',
    });
    expect(config.rateLimits).toEqual({ enabled: false, publicPerMin: 10, apiPerMin: 20, wsPerMin: 3, staticPerMin: 40 });
    expect(config.trustProxy).toBe(true);
  });

  it.each(['RATE_LIMIT_PUBLIC_PER_MIN', 'RATE_LIMIT_API_PER_MIN', 'RATE_LIMIT_WS_PER_MIN', 'RATE_LIMIT_STATIC_PER_MIN'])('refuses a %s of 0', (name) => {
    expect(() => loadConfig({ [name]: '0' })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringContaining(name) }));
  });

  it('builds no limiter when disabled, and one per caller class when enabled', () => {
    const redis = new Redis({ lazyConnect: true }); // never connects: nothing here sends a command
    const limits = { publicPerMin: 1, apiPerMin: 1, wsPerMin: 1, staticPerMin: 1 };
    expect(createRateLimiters({ redis, limits: { enabled: false, ...limits } })).toBeUndefined();
    const built = createRateLimiters({ redis, limits: { enabled: true, ...limits } });
    expect(Object.keys(built ?? {}).sort()).toEqual(['api', 'public', 'static', 'ws']);
    redis.disconnect();
  });
});
