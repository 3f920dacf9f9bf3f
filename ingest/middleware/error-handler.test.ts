import request from 'supertest';
import { Writable } from 'node:stream';
import pino from 'pino';
import { VestnikError } from '../../platform/errors';
import { KEYS, bearer, createTestApp } from '../../tests/doubles/test-app';
import { answerFor } from './error-handler';

const admin = bearer(KEYS.admin);

/** A pino logger whose lines land in an array, to check what is (and is not) logged. */
function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

describe('error middleware over the app', () => {
  it('answers malformed JSON with 400 and a JSON error body', async () => {
    const { app } = createTestApp();
    const res = await request(app.callback())
      .post('/api/clients')
      .set('Authorization', admin)
      .set('Content-Type', 'application/json')
      .send('{"phone": "7916');
    expect(res.status).toBe(400);
    expect(res.type).toBe('application/json');
    expect(res.body.error).toMatchObject({ code: 'VALIDATION_FAILED', message: 'malformed JSON body' });
  });

  it('answers an unexpected failure with a generic 500: no stack, no message, but logged', async () => {
    const { logger, lines } = capturingLogger();
    const t = createTestApp({ logger });
    t.clients.get = async () => {
      throw new Error('redis exploded at /srv/secret/path.js:42');
    };
    const res = await request(t.app.callback()).get('/api/clients/c-1').set('Authorization', admin);
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error: { code: 'INTERNAL', message: 'internal error', details: null } });
    expect(res.text).not.toMatch(/exploded|at |\.js/);
    const failure = lines.find((l) => l.msg === 'request failed');
    expect(failure).toMatchObject({ status: 500, err: expect.objectContaining({ message: expect.stringContaining('exploded') }) });
  });

  it('answers 503 when a dependency is unavailable', async () => {
    const t = createTestApp();
    t.events.publish = async () => {
      throw new VestnikError('DEPENDENCY_UNAVAILABLE', 'kafka down', { retriable: true });
    };
    const res = await request(t.app.callback())
      .post('/api/events/user-registered')
      .set('Authorization', bearer(KEYS.service))
      .send({ userId: 'c', email: 'a@b.c', name: 'A' });
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('DEPENDENCY_UNAVAILABLE');
    expect(res.body.error.message).not.toContain('kafka');
  });

  it('answers 503 when Redis is unavailable, saying no more than for any other dependency', () => {
    const redisDown = new Error('route failed', { cause: new VestnikError('REDIS_UNAVAILABLE', 'redis unavailable', { retriable: true }) });
    expect(answerFor(redisDown)).toEqual({
      status: 503, body: { error: { code: 'DEPENDENCY_UNAVAILABLE', message: 'a dependency is unavailable, retry later', details: null } },
    });
  });

  it('answers an unknown route with a JSON 404, a wrong method with a JSON 405', async () => {
    const { app } = createTestApp();
    const missing = await request(app.callback()).get('/api/nothing-here');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('NOT_FOUND');
    const wrongMethod = await request(app.callback()).put('/api/clients').set('Authorization', admin);
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.body.error.code).toBe('METHOD_NOT_ALLOWED');
  });

  it('answers an oversized body with 413', async () => {
    const { app } = createTestApp();
    const res = await request(app.callback())
      .post('/api/clients')
      .set('Authorization', admin)
      .send({ phone: '79161234567', name: 'x'.repeat(2 * 1024 * 1024) });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('PAYLOAD_TOO_LARGE');
  });
});

describe('answerFor', () => {
  it.each([
    ['VALIDATION_FAILED', 422],
    ['NOT_FOUND', 404],
    ['CONFLICT', 409],
    ['UNAUTHORIZED', 401],
    ['FORBIDDEN', 403],
    ['PROVIDER_REJECTED', 500],
  ] as const)('maps %s to %i', (code, status) => {
    const answer = answerFor(new VestnikError(code, 'm', { details: ['x'] }));
    expect(answer.status).toBe(status);
    if (status < 500) expect(answer.body.error).toEqual({ code, message: 'm', details: ['x'] });
    else expect(answer.body.error).toEqual({ code: 'INTERNAL', message: 'internal error', details: null });
  });

  it('never exposes a thrown non-error value', () => {
    expect(answerFor('boom').body.error.message).toBe('internal error');
  });
});
