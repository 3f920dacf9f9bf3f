import * as net from 'node:net';
import { Writable } from 'node:stream';
import { request } from 'undici';
import { createLogger } from '../../platform/logger';
import type { DeliveryCommand } from '../../schemas/types';
import { createCircuitBreaker } from '../../senders/policy/circuit-breaker';
import { classifyResponse } from '../../senders/sms/classify';
import { SmsDeliverer, SmsDelivererOptions, createSmsDeliverer } from '../../senders/sms/deliver';
import { smsMessageId } from '../../senders/sms/message';
import { createSmsApiToken, createSmsSimulator } from '../../simulators/sms';

/** The SMS deliverer against the simulator over real loopback HTTP. */
jest.setTimeout(20_000);

const SECRET = 'integration-sms-secret-0123456789';
const TOKEN = createSmsApiToken(SECRET);
const simulator = createSmsSimulator({ jwtSecret: SECRET, seed: 7 });
const deliverers: SmsDeliverer[] = [];

beforeAll(() => simulator.start());
afterAll(() => simulator.stop());
beforeEach(() => simulator.reset());
afterEach(async () => {
  await Promise.all(deliverers.splice(0).map((d) => d.close()));
});

function deliverer(overrides: Partial<SmsDelivererOptions> = {}): SmsDeliverer {
  const created = createSmsDeliverer({ url: simulator.url, token: TOKEN, timeoutMs: 2000, concurrency: 8, ...overrides });
  deliverers.push(created);
  return created;
}

let sequence = 0;
function command(overrides: Partial<DeliveryCommand> = {}): DeliveryCommand {
  sequence += 1;
  return {
    deliveryId: `it-sms-${process.pid}-${Date.now()}-${sequence}`, sourceType: 'mailing', sourceId: 'm-1', clientId: `client-${sequence}`,
    channel: 'sms', priority: 'bulk', address: '79001234567', deviceTokens: [],
    content: { text: `Привет, №${sequence}`, subject: null, html: null, title: null, headers: {} }, fallback: null, promo: false,
    timezone: 'Europe/Moscow', sendWindow: null, notBefore: null, expiresAt: null, attempt: 1, createdAt: Date.now(), ...overrides,
  };
}

/** A loopback URL where nothing listens: a port taken, then freed. */
async function closedPortUrl(): Promise<string> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

/** A TCP server that does `onSocket` with each connection instead of speaking HTTP. */
async function rawServer(onSocket: (socket: net.Socket) => void): Promise<{ url: string; close(): Promise<void> }> {
  const server = net.createServer(onSocket);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
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
  it('delivers once, with the stable msgId in path and body, phone as a number', async () => {
    const cmd = command();
    const msgId = smsMessageId(cmd.deliveryId);
    await expect(deliverer().deliver(cmd)).resolves.toEqual({ kind: 'sent', providerMessageId: String(msgId) });
    expect(simulator.message(msgId)).toMatchObject({ requests: 1, accepted: 1, phone: 79001234567, text: cmd.content.text });
    expect(simulator.stats()).toMatchObject({ acceptedMessages: 1, duplicateAccepts: 0 });
  });

  it('a retried delivery is recognisably the same message: accepted once, a repeat shows as a duplicate', async () => {
    const sms = deliverer();
    const cmd = command();
    const msgId = smsMessageId(cmd.deliveryId);
    await simulator.setFaults({ errorRate: 1 });
    await expect(sms.deliver(cmd)).resolves.toMatchObject({ kind: 'retriable' });
    await simulator.setFaults({ errorRate: 0 });
    await expect(sms.deliver({ ...cmd, attempt: 2 })).resolves.toMatchObject({ kind: 'sent' });
    expect(simulator.message(msgId)).toMatchObject({ requests: 2, accepted: 1 });
    await sms.deliver({ ...cmd, attempt: 3 });
    expect(simulator.stats()).toMatchObject({ acceptedMessages: 1, duplicateAccepts: 1, duplicateMsgIds: [msgId] });
  });
});

describe('permanent', () => {
  it('a body id that differs from the path msgId gets 400, classified permanent', async () => {
    const response = await request(`${simulator.url}/v1/send/100`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id: 101, phone: 79001234567, text: 'x' }),
    });
    const body = await response.body.text();
    expect(response.statusCode).toBe(400);
    expect(classifyResponse({ status: response.statusCode, body })).toEqual({ kind: 'permanent', code: 'PROVIDER_REJECTED', reason: 'http 400' });
    expect(simulator.stats().outcomes['id-mismatch']).toBe(1);
  });

  it('a token the provider does not accept gets 401, permanent', async () => {
    const sms = deliverer({ token: createSmsApiToken('not-the-simulator-secret') });
    await expect(sms.deliver(command())).resolves.toEqual({ kind: 'permanent', code: 'PROVIDER_REJECTED', reason: 'http 401' });
    expect(simulator.stats().outcomes.unauthorized).toBe(1);
  });

  it('an unusable phone fails without calling the provider', async () => {
    await expect(deliverer().deliver(command({ address: 'not-a-phone' }))).resolves.toMatchObject({ kind: 'permanent', code: 'VALIDATION_FAILED' });
    expect(simulator.stats().requests).toBe(0);
  });
});

describe('retriable', () => {
  it('5xx', async () => {
    await simulator.setFaults({ errorRate: 1, errorStatus: 502 });
    await expect(deliverer().deliver(command())).resolves.toEqual({ kind: 'retriable', code: 'PROVIDER_UNAVAILABLE', reason: 'http 502' });
    expect(simulator.stats()).toMatchObject({ acceptedMessages: 0, outcomes: { 'server-error': 1 } });
  });

  it('a provider that never answers times out within the configured timeout, ambiguous: the request was written', async () => {
    await simulator.setFaults({ timeoutRate: 1, hangMs: 10_000 });
    const started = Date.now();
    const result = await deliverer({ timeoutMs: 300 }).deliver(command());
    const elapsed = Date.now() - started;
    expect(result).toEqual({
      kind: 'retriable', code: 'PROVIDER_UNAVAILABLE', reason: 'no answer within 300 ms after the request was sent', ambiguous: true,
    });
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(600);
    // The client hung up, so the simulator lets go of the request at once.
    await waitFor(() => simulator.stats().inFlight, (n) => n === 0);
    expect(simulator.stats().acceptedMessages).toBe(0);
  });

  it('a request still waiting for a slot or a connection at the deadline was never sent: plain retriable, not ambiguous', async () => {
    await simulator.setFaults({ timeoutRate: 1, hangMs: 10_000 });
    const sms = deliverer({ timeoutMs: 300, concurrency: 1 });
    const [written, queued] = await Promise.all([sms.deliver(command()), sms.deliver(command())]);
    expect(written).toMatchObject({ kind: 'retriable', ambiguous: true });
    // Which it was waiting for when both deadlines fired depends on which abort ran first; either way unsent.
    expect(queued).toEqual({ kind: 'retriable', code: 'PROVIDER_UNAVAILABLE', reason: expect.stringMatching(/^not sent within 300 ms \((no connection free or made|waiting for the provider's concurrency limit, 1)\)$/) });
    expect(simulator.stats().requests).toBe(1);
  });

  it('a closed port is refused: never sent, plain retriable', async () => {
    const closed = await closedPortUrl();
    await expect(deliverer({ url: closed }).deliver(command())).resolves.toEqual({
      kind: 'retriable', code: 'PROVIDER_UNAVAILABLE', reason: 'ECONNREFUSED: connection refused',
    });
  });

  it('a connection reset after the request was read is ambiguous: the provider may have acted on it', async () => {
    // (A reset before the request is written is not, but on loopback which comes first is a race.)
    const server = await rawServer((socket) => socket.once('data', () => socket.resetAndDestroy()));
    try {
      await expect(deliverer({ url: server.url }).deliver(command())).resolves.toEqual({
        kind: 'retriable', code: 'PROVIDER_UNAVAILABLE', reason: 'ECONNRESET: connection reset after the request was sent', ambiguous: true,
      });
    } finally {
      await server.close();
    }
  });

  it('a caller abort (shutdown) ends the call at once, and the provider does not count it accepted', async () => {
    await simulator.setFaults({ latencyMs: 5_000 });
    const controller = new AbortController();
    const pending = deliverer().deliver(command(), { signal: controller.signal });
    await waitFor(() => simulator.stats().inFlight, (n) => n === 1);
    controller.abort();
    await expect(pending).resolves.toMatchObject({ kind: 'retriable', code: 'PROVIDER_UNAVAILABLE' });
    await waitFor(() => simulator.stats().outcomes.abandoned, (n) => n === 1);
    expect(simulator.stats().acceptedMessages).toBe(0);
  });

  it('garbage on a 200', async () => {
    await simulator.setFaults({ garbageRate: 1 });
    await expect(deliverer().deliver(command())).resolves.toMatchObject({ kind: 'retriable', code: 'PROVIDER_BAD_RESPONSE' });
  });

  it('an error code in the body of a 200', async () => {
    await simulator.setFaults({ bodyErrorRate: 1 });
    await expect(deliverer().deliver(command())).resolves.toEqual({ kind: 'retriable', code: 'PROVIDER_REJECTED', reason: 'http 200 with body code 1' });
  });

  it('an outage that answers 503', async () => {
    await simulator.setFaults({ outage: { mode: 'unavailable', forMs: 60_000 } });
    await expect(deliverer().deliver(command())).resolves.toMatchObject({ kind: 'retriable', reason: 'http 503' });
  });

  it('an outage with the socket really closed: connection refused, even on warm keep-alive connections, then recovery', async () => {
    const sms = deliverer();
    await expect(sms.deliver(command())).resolves.toMatchObject({ kind: 'sent' });
    await simulator.setFaults({ outage: { mode: 'refuse', forMs: 700 } });
    expect(simulator.stats().listening).toBe(false);
    await expect(sms.deliver(command())).resolves.toEqual({ kind: 'retriable', code: 'PROVIDER_UNAVAILABLE', reason: 'ECONNREFUSED: connection refused' });
    const cmd = command();
    await waitFor(() => sms.deliver(cmd), (r) => r.kind === 'sent');
    expect(simulator.stats()).toMatchObject({ listening: true, acceptedMessages: 2, duplicateAccepts: 0 });
  });
});

describe('concurrency', () => {
  it('never has more than `concurrency` requests in flight at the provider', async () => {
    await simulator.setFaults({ latencyMs: 200 });
    const sms = deliverer({ concurrency: 4 });
    const results = await Promise.all(Array.from({ length: 12 }, () => sms.deliver(command())));
    expect(results.every((r) => r.kind === 'sent')).toBe(true);
    expect(simulator.stats()).toMatchObject({ maxInFlight: 4, acceptedMessages: 12 });
  });
});

describe('circuit breaker over the real provider call', () => {
  it('opens during an outage without calling the provider, and closes after it', async () => {
    const sms = deliverer();
    const breaker = createCircuitBreaker({ name: 'sms', consecutiveFailures: 3, halfOpenAfterMs: 300 });
    const deliver = breaker.guard(sms.deliver);
    await simulator.setFaults({ outage: { mode: 'unavailable', forMs: 800 } });
    for (let i = 0; i < 3; i++) await expect(deliver(command())).resolves.toMatchObject({ reason: 'http 503' });
    expect(breaker.state()).toBe('open');
    await expect(deliver(command())).resolves.toMatchObject({ kind: 'retriable', code: 'CIRCUIT_OPEN' });
    expect(simulator.stats().requests).toBe(3);

    const cmd = command();
    await waitFor(() => deliver(cmd), (r) => r.kind === 'sent');
    expect(breaker.state()).toBe('closed');
    // While open, only the half-open probes reached the provider: a handful, not one per poll.
    expect(simulator.stats().requests).toBeLessThan(3 + 6);
    expect(simulator.message(smsMessageId(cmd.deliveryId))?.accepted).toBe(1);
  });
});

describe('logging', () => {
  it('logs each request and response with ids, status and duration, never phone, text or token', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _encoding, done) => (lines.push(String(chunk)), done()) });
    const logger = createLogger({ level: 'debug', destination: sink });
    const cmd = command({ address: '79005550101', content: { text: 'secret-text-xyz', subject: null, html: null, title: null, headers: {} } });
    await deliverer({ logger }).deliver(cmd);
    await simulator.setFaults({ errorRate: 1 });
    await deliverer({ logger }).deliver({ ...cmd, attempt: 2 });
    const entries = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const responses = entries.filter((e) => e.msg === 'sms response');
    expect(entries.filter((e) => e.msg === 'sms request')).toHaveLength(2);
    expect(responses.map((e) => e.status)).toEqual([200, 500]);
    for (const entry of responses) {
      expect(entry).toMatchObject({ deliveryId: cmd.deliveryId, clientId: cmd.clientId, msgId: smsMessageId(cmd.deliveryId) });
      expect(typeof entry.durationMs).toBe('number');
    }
    const all = lines.join('\n');
    expect(all).not.toContain('79005550101');
    expect(all).not.toContain('secret-text-xyz');
    expect(all).not.toContain(TOKEN);
  });
});
