import { request } from 'undici';
import type { DeliveryCommand } from '../../schemas/types';
import { createPushChannel, type PushChannelOptions } from '../../senders/push/channel';
import { classifyTokenResponse } from '../../senders/push/classify';
import type { ChannelDeliverer } from '../../senders/policy/channel';
import { createPushSimulator } from '../../simulators/push';

/** The push channel (deliverer + breaker) against the FCM-shaped simulator over real loopback HTTP. */
jest.setTimeout(20_000);

const PROJECT = 'vestnik-it';
const ACCESS_TOKEN = 'it-push-access-token';
const simulator = createPushSimulator({ project: PROJECT, accessToken: ACCESS_TOKEN, seed: 11 });
const channels: ChannelDeliverer[] = [];

beforeAll(() => simulator.start());
afterAll(() => simulator.stop());
beforeEach(() => simulator.reset());
afterEach(async () => {
  await Promise.all(channels.splice(0).map((c) => c.close()));
});

function channel(overrides: Partial<PushChannelOptions> = {}) {
  const created = createPushChannel({
    url: simulator.url, project: PROJECT, token: ACCESS_TOKEN, timeoutMs: 2000, concurrency: 8, halfOpenAfterMs: 300, ...overrides,
  });
  channels.push(created);
  return created;
}

let sequence = 0;
const deviceToken = (label: string) => `tok_${label}_${process.pid}_${sequence}`;
function command(deviceTokens: string[], overrides: Partial<DeliveryCommand> = {}): DeliveryCommand {
  sequence += 1;
  return {
    deliveryId: `it-push-${process.pid}-${Date.now()}-${sequence}`, sourceType: 'notification', sourceId: 'n-1', clientId: `client-${sequence}`,
    channel: 'push', priority: 'express', address: '', deviceTokens,
    content: { text: `Новая серия №${sequence}`, subject: null, html: null, title: 'Сериал', headers: {} }, fallback: null, promo: false,
    timezone: 'Europe/Moscow', sendWindow: null, notBefore: null, expiresAt: null, attempt: 0, createdAt: Date.now(), ...overrides,
  };
}

async function waitFor<T>(probe: () => Promise<T> | T, accept: (value: T) => boolean, timeoutMs = 5000, everyMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (accept(value)) return value;
    if (Date.now() > deadline) throw new Error(`waitFor: condition not met within ${timeoutMs} ms (last: ${JSON.stringify(value)})`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

describe('sent', () => {
  it('sends one message per device token with title, body and the delivery id', async () => {
    const [a, b] = [deviceToken('a'), deviceToken('b')];
    const cmd = command([a, b]);
    const result = await channel().deliver(cmd);
    expect(result).toEqual({ kind: 'sent', provider: 'fcm', providerMessageId: expect.stringMatching(new RegExp(`^projects/${PROJECT}/messages/`)) });
    expect(simulator.stats().acceptedByToken).toEqual({ [a]: 1, [b]: 1 });
    expect(simulator.messages(a)).toEqual([expect.objectContaining({ title: 'Сериал', body: cmd.content.text, data: { deliveryId: cmd.deliveryId } })]);
  });

  it('one invalid and one valid token: sent, and the invalid one is reported for removal', async () => {
    const [dead, alive] = [deviceToken('dead'), deviceToken('alive')];
    simulator.setInvalidTokens([dead]);
    const reported: Array<[string, string[]]> = [];
    const cmd = command([dead, alive]);
    const result = await channel({ onInvalidTokens: (clientId, tokens) => void reported.push([clientId, tokens]) }).deliver(cmd);
    expect(result).toMatchObject({ kind: 'sent' });
    expect(reported).toEqual([[cmd.clientId, [dead]]]);
    expect(simulator.stats()).toMatchObject({ acceptedByToken: { [alive]: 1 }, outcomes: { unregistered: 1, accepted: 1 } });
  });

  it('a listener that throws does not change the result', async () => {
    const dead = deviceToken('dead');
    simulator.setInvalidTokens([dead]);
    const push = channel({ onInvalidTokens: () => Promise.reject(new Error('store down')) });
    await expect(push.deliver(command([dead, deviceToken('ok')]))).resolves.toMatchObject({ kind: 'sent' });
  });
});

describe('permanent', () => {
  it('every token invalid (one unregistered, one malformed): PROVIDER_REJECTED and both reported', async () => {
    const [dead, malformed] = [deviceToken('dead'), 'not a token'];
    simulator.setInvalidTokens([dead]);
    const reported: string[][] = [];
    const push = channel({ onInvalidTokens: (_clientId, tokens) => void reported.push(tokens) });
    await expect(push.deliver(command([dead, malformed]))).resolves.toEqual({
      kind: 'permanent', code: 'PROVIDER_REJECTED', reason: 'all 2 device tokens are unregistered or invalid', provider: 'fcm',
    });
    expect(reported).toEqual([[dead, malformed]]);
    expect(simulator.stats().outcomes).toMatchObject({ unregistered: 1, invalid: 1, accepted: 0 });
    // Dead tokens are not a provider failure: the breaker stays closed.
    expect(push.breaker.state()).toBe('closed');
  });

  it('a wrong access token: 401, permanent, no token reported', async () => {
    const reported: string[][] = [];
    const push = channel({ token: 'wrong', onInvalidTokens: (_c, tokens) => void reported.push(tokens) });
    await expect(push.deliver(command([deviceToken('a')]))).resolves.toEqual({ kind: 'permanent', code: 'PROVIDER_REJECTED', reason: 'http 401 THIRD_PARTY_AUTH_ERROR', provider: 'fcm' });
    expect(reported).toEqual([]);
  });

  it('a command without device tokens fails without calling the provider', async () => {
    await expect(channel().deliver(command([]))).resolves.toMatchObject({ kind: 'permanent', code: 'VALIDATION_FAILED' });
    expect(simulator.stats().requests).toBe(0);
  });

  it('a malformed body gets 400 INVALID_ARGUMENT in FCM shape, not read as a dead token', async () => {
    const response = await request(`${simulator.url}/v1/projects/${PROJECT}/messages:send`, {
      method: 'POST', headers: { authorization: `Bearer ${ACCESS_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ message: { token: deviceToken('a'), notification: { title: 1 } } }),
    });
    const body = await response.body.text();
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(body)).toMatchObject({ error: { code: 400, status: 'INVALID_ARGUMENT' } });
    expect(classifyTokenResponse({ status: 400, body })).toEqual({ kind: 'failed', result: { kind: 'permanent', code: 'PROVIDER_REJECTED', reason: 'http 400 INVALID_ARGUMENT' } });
  });
});

describe('retriable', () => {
  it('503 from the provider', async () => {
    simulator.setFaults({ errorRate: 1, errorStatus: 503 });
    await expect(channel().deliver(command([deviceToken('a')]))).resolves.toEqual({ kind: 'retriable', code: 'PROVIDER_UNAVAILABLE', reason: 'http 503 UNAVAILABLE', provider: 'fcm' });
    expect(simulator.stats().acceptedByToken).toEqual({});
  });

  it('429 quota', async () => {
    simulator.setFaults({ errorRate: 1, errorStatus: 429 });
    await expect(channel().deliver(command([deviceToken('a')]))).resolves.toMatchObject({ kind: 'retriable', reason: 'http 429 QUOTA_EXCEEDED' });
  });

  it('an outage answering 503, then recovery', async () => {
    const push = channel();
    simulator.setFaults({ outage: { mode: 'unavailable', forMs: 60_000 } });
    await expect(push.deliver(command([deviceToken('a')]))).resolves.toMatchObject({ kind: 'retriable', reason: 'http 503 UNAVAILABLE' });
    simulator.setFaults({ outage: null });
    await expect(push.deliver(command([deviceToken('a')]))).resolves.toMatchObject({ kind: 'sent' });
  });

  it('an outage dropping connections: a network error, retriable', async () => {
    simulator.setFaults({ outage: { mode: 'drop', forMs: 60_000 } });
    await expect(channel().deliver(command([deviceToken('a')]))).resolves.toMatchObject({ kind: 'retriable', code: 'PROVIDER_UNAVAILABLE' });
    expect(simulator.stats().outcomes.dropped).toBeGreaterThanOrEqual(1);
  });

  it('a provider that never answers times out within the configured timeout, for all tokens at once', async () => {
    simulator.setFaults({ timeoutRate: 1, hangMs: 10_000 });
    const started = Date.now();
    const result = await channel({ timeoutMs: 300 }).deliver(command([deviceToken('a'), deviceToken('b'), deviceToken('c')]));
    expect(result).toMatchObject({
      kind: 'retriable', code: 'PROVIDER_UNAVAILABLE', reason: expect.stringContaining('no answer within 300 ms after the request was sent'), ambiguous: true,
    });
    expect(Date.now() - started).toBeLessThan(800);
    await waitFor(() => simulator.stats().inFlight, (n) => n === 0);
  });
});

describe('circuit breaker', () => {
  it('opens while the provider fails, stops calling it, and closes once it is back', async () => {
    const push = channel({ consecutiveFailures: 3, halfOpenAfterMs: 300 });
    simulator.setFaults({ outage: { mode: 'unavailable', forMs: 800 } });
    for (let i = 0; i < 3; i++) await expect(push.deliver(command([deviceToken('a')]))).resolves.toMatchObject({ kind: 'retriable' });
    expect(push.breaker.state()).toBe('open');
    await expect(push.deliver(command([deviceToken('a')]))).resolves.toMatchObject({ kind: 'retriable', code: 'CIRCUIT_OPEN' });
    expect(simulator.stats().requests).toBe(3);

    const cmd = command([deviceToken('b')]);
    await waitFor(() => push.deliver(cmd), (r) => r.kind === 'sent');
    expect(push.breaker.state()).toBe('closed');
    expect(simulator.stats().requests).toBeLessThan(3 + 6);
  });
});

describe('control API', () => {
  it('registers invalid tokens and reports accepted messages per token over HTTP', async () => {
    const dead = deviceToken('dead');
    const put = await request(`${simulator.url}/_control/invalid-tokens`, { method: 'PUT', body: JSON.stringify({ tokens: [dead] }) });
    expect(put.statusCode).toBe(200);
    expect(await put.body.json()).toEqual({ tokens: [dead] });
    const alive = deviceToken('alive');
    await channel().deliver(command([dead, alive]));
    const stats = await request(`${simulator.url}/_control/stats`);
    expect(await stats.body.json()).toMatchObject({ acceptedByToken: { [alive]: 1 }, outcomes: { unregistered: 1 } });
    const faults = await request(`${simulator.url}/_control/faults`, { method: 'PUT', body: JSON.stringify({ errorRate: 2 }) });
    expect(faults.statusCode).toBe(400);
    await faults.body.dump();
  });
});
