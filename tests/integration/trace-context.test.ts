import { readFileSync } from 'node:fs';
import { freePort } from '../../infra/local/private-services';
import { TOPICS } from '../../platform/topics';
import { deliveryIdOf } from '../../platform/ids';
import { createSmsApiToken } from '../../simulators/sms/token';
import { createTestClient, randomPhone } from '../support/clients';
import { createRoleProcess, killAllChildren, type ManagedChild } from '../support/processes';
import { pagedCommands } from '../support/command-pages';
import { createKafkaTestContext, type RawRecord } from '../support/kafka';
import { startStack, TEST_ADMIN_KEY, type TestStack } from '../support/stack';
import { memoryLogger, spansOfExport, startRecordingServer } from '../support/trace-capture';
import { uniqueName } from '../support/unique';
import { waitFor } from '../support/wait-for';

type Recorder = Awaited<ReturnType<typeof startRecordingServer>>;

const traceIdOf = (traceparent: string | string[] | null | undefined) => /^00-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/.exec(String(traceparent))?.[1];
const smsOk = () => ({ status: 200, body: JSON.stringify({ code: 0, message: 'OK' }) });

/**
 * One request's W3C trace id, followed from the API through Kafka to the provider: in the log lines of
 * the API, the fan-out processor and the sender; in the Kafka headers of the event, the command and its
 * statuses; and on the SMS provider's request. Real Kafka, Redis and ClickHouse; the provider is a
 * loopback server that records what it gets.
 */
describe('trace context across the pipeline', () => {
  const { logger, lines } = memoryLogger('debug');
  const kt = createKafkaTestContext();
  let provider: Recorder;
  let stack: TestStack;
  let templateId: string;
  const failOnce = new Set<string>();

  beforeAll(async () => {
    // A name in failOnce gets one 503 (retriable) before the usual answer: its retry goes through the delay queue.
    provider = await startRecordingServer((request) => {
      const name = [...failOnce].find((n) => request.body.includes(`"text":"Hello ${n}"`));
      if (name === undefined) return smsOk();
      failOnce.delete(name);
      return { status: 503, body: JSON.stringify({ code: 503, message: 'busy' }) };
    });
    stack = await startStack({
      roles: ['api', 'processors', 'senders', 'scheduler'],
      logger,
      env: {
        SMS_API_URL: provider.url, SMS_API_TOKEN: createSmsApiToken('trace-secret'),
      },
    });
    const template = await stack.api('POST', '/api/templates', { defaultLocale: 'en', variants: { en: { sms: 'Hello {{name}}' } } });
    expect(template.status).toBe(201);
    templateId = template.body.id;
  });

  afterAll(async () => {
    await stack?.stop();
    await kt.cleanup();
    await provider?.stop();
  });

  /** POST /api/notifications for one client over SMS, with the given traceparent (or none). */
  async function notify(clientId: string, traceparent?: string) {
    const response = await fetch(`${stack.apiUrl}/api/notifications`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${TEST_ADMIN_KEY}`, 'content-type': 'application/json',
        ...(traceparent ? { traceparent } : {}),
      },
      body: JSON.stringify({ templateId, userIds: [clientId], channels: ['sms'], priority: 'express' }),
    });
    expect(response.status).toBe(202);
    const { id } = (await response.json()) as { id: string };
    return { requestId: id, traceparent: response.headers.get('traceparent') ?? '' };
  }

  /** The provider request carrying this body id (the SMS `id` is the msgId the sender derived). */
  const providerRequestFor = (name: string) =>
    waitFor(() => provider.received.find((r) => r.body.includes(`"text":"Hello ${name}"`)), {
      timeoutMs: 60_000, description: `the provider request for ${name}`,
    });

  it('continues the caller\'s traceparent through the API, a processor, a sender, Kafka headers and the provider call', async () => {
    const traceId = '5e0c63257de34c92bf9efcd03927272e';
    const incoming = `00-${traceId}-8448eb211c80319c-01`;
    const clientId = await createTestClient(stack, { name: 'Trace-A' });
    await waitFor(async () => (await stack.api('GET', `/api/clients/${clientId}`)).status === 200, { description: 'the client' });
    const { requestId, traceparent } = await notify(clientId, incoming);

    // The API answers with its own span in the caller's trace.
    expect(traceIdOf(traceparent)).toBe(traceId);
    expect(traceparent).not.toBe(incoming);

    // The provider call carries it.
    const request = await providerRequestFor('Trace-A');
    expect(traceIdOf(request.headers.traceparent)).toBe(traceId);

    // Every stage's lines carry it, each stage identified by its module.
    const deliveryId = deliveryIdOf('notification', requestId, clientId, 'sms');
    const traced = (module: string, msg: string) => lines.find((l) => l.module === module && l.msg === msg && l.trace_id === traceId);
    await waitFor(() => traced('sender', 'sender batch recorded'), { timeoutMs: 30_000, description: 'the sender line' });
    expect(traced('ingest', 'request completed')).toMatchObject({ route: '/api/notifications', status: 202 });
    expect(traced('notification-fanout', 'notification fanned out')).toMatchObject({ requestId, deliveries: 1 });
    expect(traced('sms-deliver', 'sms response')).toMatchObject({ deliveryId });
    // No line of this delivery carries another trace id.
    const ofDelivery = lines.filter((l) => l.deliveryId === deliveryId || l.requestId === requestId);
    expect(ofDelivery.length).toBeGreaterThanOrEqual(2);
    expect(new Set(ofDelivery.map((l) => l.trace_id))).toEqual(new Set([traceId]));

    // The Kafka records: the request event, the command, and each of its statuses.
    const headerTrace = (records: RawRecord[], key: string) => records.filter((r) => r.key === key).map((r) => traceIdOf(r.headers.traceparent));
    const events = await kt.readAll(stack.topic(TOPICS.notificationRequested));
    expect(headerTrace(events, requestId)).toEqual([traceId]);
    const commands = await kt.readAll(stack.topic(TOPICS.deliveriesExpress));
    expect(headerTrace(commands, clientId)).toEqual([traceId]);
    // `queued` (the fan-out) travels in a status page, here of one delivery and so keyed by it; `sent` (the sender) alone.
    const statusTraces = (topic: string) => waitFor(async () => {
      const all = headerTrace(await kt.readAll(stack.topic(topic)), deliveryId);
      return all.length >= 1 ? all : null;
    }, { timeoutMs: 30_000, description: `the delivery's records on ${topic}` });
    const statuses = [...await statusTraces(TOPICS.deliveriesStatusPages), ...await statusTraces(TOPICS.deliveriesStatus)];
    expect(statuses.length).toBeGreaterThanOrEqual(2);
    expect(statuses).toEqual(statuses.map(() => traceId));

  });

  it('keeps a retried message in its trace through the delay queue', async () => {
    const traceId = '7d3f0e2b9c4a4e6f8a1b2c3d4e5f6a7b';
    const clientId = await createTestClient(stack, { name: 'Trace-R' });
    await waitFor(async () => (await stack.api('GET', `/api/clients/${clientId}`)).status === 200, { description: 'the client' });
    failOnce.add('Trace-R');
    const { requestId } = await notify(clientId, `00-${traceId}-8448eb211c80319c-01`);

    const requests = await waitFor(() => {
      const all = provider.received.filter((r) => r.body.includes('"text":"Hello Trace-R"'));
      return all.length >= 2 ? all : null;
    }, { timeoutMs: 60_000, description: 'the first attempt and its retry at the provider' });
    expect(failOnce.has('Trace-R')).toBe(false); // the first one was refused, so the second is the retry
    expect(requests.map((r) => traceIdOf(r.headers.traceparent))).toEqual([traceId, traceId]);

    // An express retry goes back onto deliveries.express (keyed by client): the command and its retry, one trace.
    const commands = await kt.readAll(stack.topic(TOPICS.deliveriesExpress));
    expect(commands.filter((r) => r.key === clientId).map((r) => traceIdOf(r.headers.traceparent))).toEqual([traceId, traceId]);
    const deliveryId = deliveryIdOf('notification', requestId, clientId, 'sms');
    expect(new Set(lines.filter((l) => l.deliveryId === deliveryId).map((l) => l.trace_id))).toEqual(new Set([traceId]));
  });

  it('begins a trace at the API when the request has none (or a malformed one), and carries it the same way', async () => {
    const clientId = await createTestClient(stack, { name: 'Trace-B' });
    await waitFor(async () => (await stack.api('GET', `/api/clients/${clientId}`)).status === 200, { description: 'the client' });
    const { requestId, traceparent } = await notify(clientId, '00-not-a-trace-01');
    const traceId = traceIdOf(traceparent);
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    const request = await providerRequestFor('Trace-B');
    expect(traceIdOf(request.headers.traceparent)).toBe(traceId);
    await waitFor(() => lines.find((l) => l.module === 'sender' && l.trace_id === traceId), { timeoutMs: 30_000, description: 'the sender line' });
    expect(lines.find((l) => l.module === 'notification-fanout' && l.requestId === requestId)?.trace_id).toBe(traceId);
  });

  it('gives a mailing one trace, begun when the scheduler starts it, through the fan-out to every provider call', async () => {
    const tag = uniqueName('trace-tag');
    const names = [1, 2, 3].map((i) => `${tag}-${i}`);
    const phone = () => `7912${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
    const clientIds = await Promise.all(names.map((name) => createTestClient(stack, { name, tags: [tag], phone: phone() })));
    await waitFor(async () => (await Promise.all(clientIds.map((id) => stack.api('GET', `/api/clients/${id}`)))).every((r) => r.status === 200), { description: 'the clients' });
    const created = await stack.api('POST', '/api/mailings', {
      text: 'Hello {{name}}', startAt: new Date().toISOString(), endAt: new Date(Date.now() + 10 * 60_000).toISOString(),
      filter: { tags: [tag], operatorCodes: ['912'] },
    });
    expect(created.status).toBe(201);
    const mailingId: string = created.body.id;
    const requests = await Promise.all(names.map((name) => providerRequestFor(name)));
    const traceIds = new Set(requests.map((r) => traceIdOf(r.headers.traceparent)));
    expect(traceIds.size).toBe(1);
    const [traceId] = [...traceIds];
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    // The mailing-started event began it; the fan-out's lines and every command carry it.
    const started = await kt.readAll(stack.topic(TOPICS.mailingStarted));
    expect(started.filter((r) => r.key === mailingId).map((r) => traceIdOf(r.headers.traceparent))).toEqual([traceId]);
    const fanned = () => lines.find((l) => l.msg === 'fan-out finished' && l.mailingId === mailingId);
    await waitFor(fanned, { timeoutMs: 30_000, description: 'the fan-out line' });
    expect(fanned()?.trace_id).toBe(traceId);
    const commands = (await pagedCommands(kt, stack)).filter((r) => clientIds.includes(r.command.clientId));
    expect(commands.map((r) => r.command.clientId).sort()).toEqual([...clientIds].sort());
    expect(commands.map((r) => traceIdOf(r.headers.traceparent))).toEqual(clientIds.map(() => traceId));
  });
});

/**
 * Spans over OTLP/HTTP, from a real `vestnik api processors senders` process (node dist/): the OTLP
 * exporter loads `http` with a dynamic import(), which Jest's module sandbox refuses, so in-process
 * stacks cannot export; a child process runs exactly as production does. The receiver is a loopback
 * server taking /v1/traces JSON.
 */
describe('spans exported over OTLP when an endpoint is configured', () => {
  let provider: Recorder;
  let otlp: Recorder;
  let setupStack: TestStack;
  let child: ManagedChild;
  let apiUrl: string;

  beforeAll(async () => {
    provider = await startRecordingServer(smsOk);
    otlp = await startRecordingServer(() => ({ status: 200, body: '{}' }));
    // Topics, tables and the admin key's world for the child, removed again by stop().
    setupStack = await startStack({ roles: [] });
    const port = await freePort();
    apiUrl = `http://127.0.0.1:${port}`;
    child = createRoleProcess({
      roles: ['api', 'processors', 'senders'], id: setupStack.id, name: 'trace-otlp',
      env: {
        HTTP_PORT: String(port), SMS_API_URL: provider.url, SMS_API_TOKEN: createSmsApiToken('trace-secret'),
        OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url, OTEL_SERVICE_NAME: 'vestnik-trace-test', LOG_LEVEL: 'debug',
      },
    });
    await child.start();
  });

  afterAll(async () => {
    await killAllChildren();
    await setupStack?.stop();
    await provider?.stop();
    await otlp?.stop();
  });

  const call = async (method: string, path: string, body: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${apiUrl}${path}`, {
      method, headers: { authorization: `Bearer ${TEST_ADMIN_KEY}`, 'content-type': 'application/json', ...headers }, body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as { id: string }, traceparent: response.headers.get('traceparent') };
  };

  it('the API, the processor and the sender each export a span of the caller\'s trace, parent to child', async () => {
    const template = await call('POST', '/api/templates', { defaultLocale: 'en', variants: { en: { sms: 'Hi {{name}}' } } });
    expect(template.status).toBe(201);
    const client = await call('POST', '/api/clients', { phone: randomPhone(), timezone: 'UTC', name: 'Otlp' });
    expect(client.status).toBe(201);
    await waitFor(async () => (await fetch(`${apiUrl}/api/clients/${client.body.id}`, { headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` } })).status === 200,
      { description: 'the client in the view' });
    const traceId = '8f2d3c4b5a6978e1d2c3b4a5968778e9';
    const incoming = `00-${traceId}-1122334455667788-01`;
    const accepted = await call('POST', '/api/notifications',
      { templateId: template.body.id, userIds: [client.body.id], channels: ['sms'], priority: 'express' }, { traceparent: incoming });
    expect(accepted.status).toBe(202);
    expect(traceIdOf(accepted.traceparent)).toBe(traceId);
    const request = await waitFor(() => provider.received.find((r) => r.body.includes('"text":"Hi Otlp"')), { timeoutMs: 60_000, description: 'the provider call' });
    expect(traceIdOf(request.headers.traceparent)).toBe(traceId);

    // The BatchSpanProcessor sends every 5 s.
    const spans = await waitFor(() => {
      const all = otlp.received.filter((r) => r.url === '/v1/traces').flatMap((r) => spansOfExport(r.body)).filter((s) => s.traceId === traceId);
      const names = new Set(all.map((s) => s.name));
      return ['POST /api/notifications', `process ${TOPICS.notificationRequested}`, 'send sms'].every((n) => names.has(n)) ? all : null;
    }, { timeoutMs: 30_000, description: 'the spans of the three stages' });
    const byName = (name: string) => spans.find((s) => s.name === name)!;
    const server = byName('POST /api/notifications');
    const send = byName('send sms');
    // Both lanes' groups read every request (one skips it), so there are two processing spans; the send's parent is one.
    const processing = spans.filter((s) => s.name === `process ${TOPICS.notificationRequested}`);
    expect(processing.length).toBeGreaterThanOrEqual(1);
    expect(server.parentSpanId).toBe('1122334455667788');
    for (const span of processing) expect(span.parentSpanId).toBe(server.spanId);
    expect(processing.map((s) => s.spanId)).toContain(send.parentSpanId);
    // The provider request names the send span as its parent.
    expect(String(request.headers.traceparent).split('-')[2]).toBe(send.spanId);
    expect(new Set(spans.map((s) => s.service))).toEqual(new Set(['vestnik-trace-test']));

    // The real process's own log lines carry the trace id too.
    const logged = readFileSync(child.logFile, 'utf8').split('\n').filter((l) => l.includes(traceId)).map((l) => JSON.parse(l) as Record<string, unknown>);
    const modules = new Set(logged.map((l) => l.module));
    for (const module of ['ingest', 'notification-fanout', 'sender', 'sms-deliver']) expect(modules).toContain(module);
  });
});
