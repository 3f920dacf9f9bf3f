/**
 * A provider defined in configuration only (HTTP_PROVIDERS): an SMS gateway with its own API (a different
 * path, an API-key header whose value comes from the environment, its own JSON body and a 202 with a status
 * field for "accepted"), on a test server on loopback. With the built-in SMS API down it sends every message
 * of a mailing, each once, with the body its template describes, and the statuses name it.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSmsSimulator, type SmsSimulator } from '../../simulators/sms';
import { createSmsApiToken } from '../../simulators/sms/token';
import { loadAudience, removeAudience, startMailing, stopStackSafely, waitForAllSent, type Audience } from '../support/fault-scenario';
import { startStack, type TestStack } from '../support/stack';
import { uniqueName } from '../support/unique';

jest.setTimeout(180_000);

const secret = 'http-provider-sms-secret';
const API_KEY = 'acme-key-0123456789';

interface GatewayRequest {
  method: string;
  path: string;
  apiKey: string | undefined;
  body: { to: string; message: { text: string; promo: boolean }; reference: string };
}

/** "Acme SMS": POST /v2/messages/{reference} with X-Api-Key, answers 202 {"state":"accepted","id":…}. */
function startGateway(): Promise<{ server: Server; url: string; requests: GatewayRequest[] }> {
  const requests: GatewayRequest[] = [];
  const server = createServer((request: IncomingMessage, response) => {
    let raw = '';
    request.on('data', (chunk) => void (raw += String(chunk)));
    request.on('end', () => {
      const apiKey = request.headers['x-api-key'] as string | undefined;
      requests.push({ method: request.method ?? '', path: request.url ?? '', apiKey, body: JSON.parse(raw) });
      const ok = apiKey === API_KEY;
      response.writeHead(ok ? 202 : 401, { 'content-type': 'application/json' });
      response.end(JSON.stringify(ok ? { state: 'accepted', id: `acme-${requests.length}` } : { error: 'bad key' }));
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests })));
}

describe('a provider defined only in configuration', () => {
  let builtIn: SmsSimulator;
  let gateway: Awaited<ReturnType<typeof startGateway>>;
  let stack: TestStack;
  let audience: Audience | undefined;

  beforeAll(async () => {
    builtIn = createSmsSimulator({ jwtSecret: secret });
    [gateway] = await Promise.all([startGateway(), builtIn.start()]);
    const acme = {
      name: 'acme-sms', channel: 'sms', baseUrl: `${gateway.url}/v2`, path: '/messages/{{url deliveryId}}',
      headers: { 'X-Api-Key': '${ACME_SMS_KEY}' },
      body: { to: '+{{address}}', message: { text: '{{text}}', promo: '{{promo}}' }, reference: '{{deliveryId}}' },
      sent: { status: [202], json: { path: 'state', equals: 'accepted' } }, messageIdPath: 'id', concurrency: 8,
    };
    stack = await startStack({
      roles: ['api', 'processors', 'senders', 'analytics', 'scheduler'],
      env: {
        SMS_API_URL: builtIn.url, SMS_API_TOKEN: createSmsApiToken(secret), RETRY_BASE_MS: '200', RETRY_MAX_MS: '2000',
        HTTP_PROVIDERS: JSON.stringify([acme]), ACME_SMS_KEY: API_KEY,
      },
    });
  });

  afterAll(async () => {
    if (audience) await removeAudience(stack, audience);
    await stopStackSafely(stack);
    await builtIn?.stop();
    await new Promise((resolve) => gateway?.server.close(resolve));
  });

  it('sends each message once with the request its templates describe, and the statuses name it', async () => {
    await builtIn.setFaults({ outage: { mode: 'unavailable', forMs: 10 * 60_000 } });
    audience = await loadAudience(stack, { tag: uniqueName('acme'), operatorCode: '951', otherOperatorCode: '952', count: 40, others: 0 });
    const mailingId = await startMailing(stack, audience, { text: 'Hello {{name}}, "quoted" & more' });
    await waitForAllSent(stack, mailingId, 40, 120_000);

    expect(builtIn.stats().outcomes.accepted).toBe(0);
    const references = gateway.requests.map((r) => r.body.reference);
    expect(new Set(references).size).toBe(40);
    expect(references).toHaveLength(40); // each once
    for (const request of gateway.requests) {
      expect(request).toMatchObject({ method: 'POST', path: `/v2/messages/${encodeURIComponent(request.body.reference)}`, apiKey: API_KEY });
      expect(request.body.to).toMatch(/^\+7\d{10}$/);
      expect(request.body.message).toEqual({ text: expect.stringMatching(/^Hello Client \d+, "quoted" & more$/), promo: false });
    }
    const log = await stack.api('GET', `/api/clients/${audience.matching[0]}/deliveries?limit=5`);
    const delivery = (log.body.items as { sourceId: string; history: { status: string; provider: string | null }[] }[]).find((item) => item.sourceId === mailingId);
    expect(delivery?.history.find((change) => change.status === 'sent')?.provider).toBe('acme-sms');
  });
});
