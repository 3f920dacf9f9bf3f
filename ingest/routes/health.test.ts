import request from 'supertest';
import type { HealthCheck } from '../ports';
import { KEYS, bearer, createTestApp, userToken } from '../../tests/doubles/test-app';
import { probe } from './health';

const up = (name: string): HealthCheck => ({ name, check: async () => undefined });
const down = (name: string, message: string): HealthCheck => ({
  name,
  check: async () => {
    throw new Error(message);
  },
});
const hanging = (name: string): HealthCheck => ({ name, check: () => new Promise(() => undefined) });

describe('GET /healthz (liveness)', () => {
  it('answers 200 without asking any dependency, so an outage never restarts the process', async () => {
    const check = jest.fn(async () => { throw new Error('down'); });
    const { app } = createTestApp({ health: [{ name: 'redis', check }] });
    const res = await request(app.callback()).get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
    expect(check).not.toHaveBeenCalled();
  });
});

describe('GET /readyz (the dependencies)', () => {
  it('answers 200 when every check is up, without auth', async () => {
    const { app } = createTestApp({ health: [up('kafka'), up('redis'), up('clickhouse')] });
    const res = await request(app.callback()).get('/readyz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', checks: { kafka: 'up', redis: 'up', clickhouse: 'up' } });
  });

  const failing = () => createTestApp({
    health: [up('kafka'), down('redis', 'ECONNREFUSED 10.0.3.7:6379 (redis 7.2.4)'), hanging('clickhouse')],
    healthTimeoutMs: 50,
  });

  it.each([
    ['no credential', undefined],
    ['a non-admin key', bearer(KEYS.stats)],
    ['a user JWT', bearer(userToken('c-1'))],
    ['a wrong key', bearer('not-a-key')],
  ])('answers 503 with up/down per check and no error text to %s', async (_case, authorization) => {
    const { app } = failing();
    const req = request(app.callback()).get('/readyz');
    const res = await (authorization ? req.set('Authorization', authorization) : req);
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ status: 'down', checks: { kafka: 'up', redis: 'down', clickhouse: 'down' } });
    expect(res.text).not.toMatch(/ECONNREFUSED|10\.0\.3\.7|no answer/);
  });

  it('tells an admin key why each failing check is down; a hanging check times out', async () => {
    const { app } = failing();
    const res = await request(app.callback()).get('/readyz').set('Authorization', bearer(KEYS.admin));
    expect(res.status).toBe(503);
    expect(res.body).toEqual({
      status: 'down',
      checks: { kafka: 'up', redis: 'down', clickhouse: 'down' },
      reasons: { redis: 'Error: ECONNREFUSED 10.0.3.7:6379 (redis 7.2.4)', clickhouse: 'no answer within 50 ms' },
    });
  });
});

describe('probe', () => {
  it('runs checks in parallel, each bounded by its own timeout', async () => {
    const started = Date.now();
    const outcomes = await Promise.all([hanging('a'), hanging('b'), hanging('c')].map((c) => probe(c, 100)));
    expect(outcomes).toEqual(['no answer within 100 ms', 'no answer within 100 ms', 'no answer within 100 ms']);
    expect(Date.now() - started).toBeLessThan(290);
  });

  it('shortens a long reason', async () => {
    expect((await probe(down('x', 'y'.repeat(1000)), 100))?.length).toBe(200);
  });
});
