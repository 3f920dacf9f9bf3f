import { request } from 'undici';
import { createSmsApiToken, createSmsSimulator } from '../../simulators/sms';
import { MAX_LOOKUP_IDS } from '../../simulators/sms/control';
import { createSmsControlClient } from '../../simulators/sms/control-client';

/** The SMS simulator's own contract and control API, over real loopback HTTP as another process sees it. */
jest.setTimeout(20_000);

const SECRET = 'integration-sms-sim-secret-0123456789';
const AUTH = { authorization: `Bearer ${createSmsApiToken(SECRET)}`, 'content-type': 'application/json' };
const simulator = createSmsSimulator({ jwtSecret: SECRET, controlPort: 0, faults: { latencyMs: 1 }, seed: 11 });

beforeAll(() => simulator.start());
afterAll(() => simulator.stop());
beforeEach(() => simulator.reset());

async function call(base: string, method: 'GET' | 'PUT' | 'POST', path: string, body?: unknown, headers: Record<string, string> = AUTH) {
  const response = await request(`${base}${path}`, { method, headers, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await response.body.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.statusCode, text, json: json as Record<string, any> };
}
const send = (id: number, body: unknown = { id, phone: 79001234567, text: 'hi' }, headers?: Record<string, string>) =>
  call(simulator.url, 'POST', `/v1/send/${id}`, body, headers);

async function waitFor<T>(probe: () => Promise<T> | T, accept: (value: T) => boolean, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (accept(value)) return value;
    if (Date.now() > deadline) throw new Error(`waitFor: condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
const refused = () => send(1).then(() => false, (error: { code?: string }) => error.code === 'ECONNREFUSED');

describe('the provider contract', () => {
  it('accepts a valid send with 200 {"code":0,"message":"OK"}', async () => {
    const response = await send(5);
    expect(response).toMatchObject({ status: 200, json: { code: 0, message: 'OK' } });
    expect((await call(simulator.controlUrl, 'GET', '/_control/messages/5')).json).toMatchObject({ msgId: 5, requests: 1, accepted: 1, phone: 79001234567, text: 'hi' });
  });

  it.each([
    ['no token', {}],
    ['a token with another secret', { authorization: `Bearer ${createSmsApiToken('wrong-secret-wrong-secret')}` }],
    ['not a JWT', { authorization: 'Bearer dev-sms-token' }],
  ])('401 for %s', async (_name, headers) => {
    expect((await send(5, undefined, headers as Record<string, string>)).status).toBe(401);
    expect(simulator.stats().outcomes.unauthorized).toBe(1);
  });

  it.each([
    ['a body id that differs', 6, { id: 7, phone: 79001234567, text: 'x' }, 'id-mismatch'],
    ['a phone given as a string', 6, { id: 6, phone: '79001234567', text: 'x' }, 'invalid'],
    ['a body that is not JSON', 6, 'id=6', 'invalid'],
  ])('400 for %s', async (_name, id, body, outcome) => {
    expect((await send(id, body)).status).toBe(400);
    expect(simulator.stats().outcomes[outcome as 'invalid']).toBe(1);
    expect(simulator.stats().acceptedMessages).toBe(0);
  });

  it('400 for a msgId that is not a positive integer, 413 for a huge body, 404 and 405 elsewhere', async () => {
    expect((await call(simulator.url, 'POST', '/v1/send/abc', { id: 1 })).status).toBe(400);
    expect((await call(simulator.url, 'POST', '/v1/send/9', 'x'.repeat(70_000))).status).toBe(413);
    expect((await call(simulator.url, 'POST', '/v2/send/9', {})).status).toBe(404);
    expect((await call(simulator.url, 'GET', '/v1/send/9')).status).toBe(405);
  });
});

describe('the control API', () => {
  it('shows the start faults, merges a PUT, and reset restores the start faults and zeroes the counters', async () => {
    expect((await call(simulator.controlUrl, 'GET', '/_control/faults')).json).toMatchObject({ latencyMs: 1, errorRate: 0, seed: 11, outage: null });
    const put = await call(simulator.controlUrl, 'PUT', '/_control/faults', { errorRate: 1, errorStatus: 503 });
    expect(put).toMatchObject({ status: 200, json: { latencyMs: 1, errorRate: 1, errorStatus: 503 } });
    expect((await send(8)).status).toBe(503);
    expect((await call(simulator.controlUrl, 'GET', '/_control/stats')).json).toMatchObject({ requests: 1, outcomes: { 'server-error': 1 }, listening: true });
    const reset = await call(simulator.controlUrl, 'POST', '/_control/reset');
    expect(reset.json).toMatchObject({ requests: 0, acceptedMessages: 0 });
    expect(simulator.faults()).toMatchObject({ latencyMs: 1, errorRate: 0 });
    expect((await send(8)).status).toBe(200);
  });

  it('refuses an invalid PUT with the field named, and changes nothing', async () => {
    const response = await call(simulator.controlUrl, 'PUT', '/_control/faults', { errorRate: 2 });
    expect(response.status).toBe(400);
    expect(response.json.error).toMatchObject({ code: 'VALIDATION_FAILED', details: [expect.stringContaining('errorRate')] });
    expect(simulator.faults().errorRate).toBe(0);
    expect((await call(simulator.controlUrl, 'GET', '/_control/messages/424242')).status).toBe(404);
  });

  it('looks many messages up at once, in the order asked, across lookups of at most MAX_LOOKUP_IDS', async () => {
    for (const id of [11, 12]) expect((await send(id)).status).toBe(200);
    expect((await send(11)).status).toBe(200);
    const client = createSmsControlClient(simulator.controlUrl);
    // More ids than one lookup takes: the client splits them, and the answer still lines up with the ids.
    const ids = [12, 99, ...Array.from({ length: MAX_LOOKUP_IDS }, (_, i) => 1_000_000 + i), 11];
    const records = await client.messages(ids);
    expect(records).toHaveLength(ids.length);
    expect(records[0]).toMatchObject({ msgId: 12, accepted: 1 });
    expect(records[1]).toBeNull();
    expect(records.at(-1)).toMatchObject({ msgId: 11, accepted: 2, requests: 2 });
    expect(records.filter((record) => record !== null)).toHaveLength(2);
  });

  it('refuses a lookup that is not a list of integer ids, or too long', async () => {
    for (const body of [{ msgIds: 'x' }, { msgIds: [1, 'two'] }, { msgIds: Array.from({ length: MAX_LOOKUP_IDS + 1 }, (_, i) => i) }, null]) {
      const response = await call(simulator.controlUrl, 'POST', '/_control/messages/lookup', body);
      expect(response.status).toBe(400);
      expect(response.json.error).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringContaining('msgIds') });
    }
  });

  it('each fault kind answers as configured', async () => {
    await call(simulator.controlUrl, 'PUT', '/_control/faults', { garbageRate: 1 });
    expect(await send(1)).toMatchObject({ status: 200, json: undefined });
    await call(simulator.controlUrl, 'PUT', '/_control/faults', { garbageRate: 0, bodyErrorRate: 1 });
    expect(await send(2)).toMatchObject({ status: 200, json: { code: 1, message: 'FAIL' } });
    await call(simulator.controlUrl, 'PUT', '/_control/faults', { bodyErrorRate: 0, outage: { mode: 'unavailable', forMs: 60_000 } });
    expect((await send(3)).status).toBe(503);
    expect(simulator.stats()).toMatchObject({ acceptedMessages: 0, outcomes: { garbage: 1, 'body-error': 1, unavailable: 1 } });
  });

  it('the same seed replays the same fault sequence', async () => {
    const sequence = async () => {
      await call(simulator.controlUrl, 'PUT', '/_control/faults', { errorRate: 0.5, seed: 99 });
      const statuses: number[] = [];
      for (let id = 1; id <= 16; id++) statuses.push((await send(id)).status);
      return statuses;
    };
    const first = await sequence();
    expect(new Set(first)).toEqual(new Set([200, 500]));
    expect(await sequence()).toEqual(first);
  });

  it('latency and jitter delay the answer', async () => {
    await call(simulator.controlUrl, 'PUT', '/_control/faults', { latencyMs: 150, jitterMs: 50 });
    const started = Date.now();
    expect((await send(1)).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(145);
  });
});

describe('outages that close the socket', () => {
  it('a "refuse" outage set over the control port really closes the provider port until it is lifted', async () => {
    expect((await send(1)).status).toBe(200);
    await call(simulator.controlUrl, 'PUT', '/_control/faults', { outage: { mode: 'refuse', forMs: 60_000 } });
    await waitFor(refused, Boolean);
    expect((await call(simulator.controlUrl, 'GET', '/_control/stats')).json.listening).toBe(false);
    await call(simulator.controlUrl, 'PUT', '/_control/faults', { outage: null });
    await waitFor(() => send(2).then((r) => r.status, () => 0), (status) => status === 200);
  });

  it('a "refuse" outage set on the provider port itself is answered, then ends by itself', async () => {
    const put = await call(simulator.url, 'PUT', '/_control/faults', { outage: { mode: 'refuse', forMs: 500 } });
    expect(put.status).toBe(200);
    await waitFor(refused, Boolean);
    await waitFor(() => send(3).then((r) => r.status, () => 0), (status) => status === 200);
    expect(simulator.stats().listening).toBe(true);
  });
});

describe('stopping', () => {
  it('stop() does not wait for hanging requests', async () => {
    const own = createSmsSimulator({ jwtSecret: SECRET, faults: { timeoutRate: 1, hangMs: 60_000 } });
    await own.start();
    const hanging = request(`${own.url}/v1/send/1`, { method: 'POST', headers: AUTH, body: JSON.stringify({ id: 1, phone: 79001234567, text: 'x' }) });
    const settled = hanging.then(() => 'answered', () => 'dropped');
    await waitFor(() => own.stats().outcomes.timeout, (n) => n === 1);
    const started = Date.now();
    await own.stop();
    expect(Date.now() - started).toBeLessThan(1000);
    await expect(settled).resolves.toBe('dropped');
  });
});
