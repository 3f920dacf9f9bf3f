/**
 * The webhook channel, defined only in configuration: an HTTP_PROVIDERS entry with `"channel": "webhook"`
 * (a CRM's hook on a test server on loopback, a bearer token from the environment, a JSON body of the
 * command's fields). A notification requested on the webhook channel reaches it once per recipient, with the
 * template's webhook text rendered for each, and the statuses name the provider.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTestClient } from '../support/clients';
import { startStack, type TestStack } from '../support/stack';
import { waitFor } from '../support/wait-for';

const TOKEN = 'crm-hook-token-0123456789';

interface HookCall {
  authorization: string | undefined;
  body: { event: string; client: string; text: string; id: string; express: boolean };
}

function startHook(): Promise<{ server: Server; url: string; calls: HookCall[] }> {
  const calls: HookCall[] = [];
  const server = createServer((request, response) => {
    let raw = '';
    request.on('data', (chunk) => void (raw += String(chunk)));
    request.on('end', () => {
      calls.push({ authorization: request.headers.authorization, body: JSON.parse(raw) });
      response.writeHead(204).end();
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, calls })));
}

describe('the webhook channel', () => {
  let hook: Awaited<ReturnType<typeof startHook>>;
  let stack: TestStack;

  beforeAll(async () => {
    hook = await startHook();
    const crm = {
      name: 'crm-hook', channel: 'webhook', baseUrl: hook.url, path: '/hooks/vestnik',
      headers: { Authorization: 'Bearer ${CRM_HOOK_TOKEN}' },
      body: { event: 'notification', client: '{{clientId}}', text: '{{text}}', id: '{{deliveryId}}', express: true },
    };
    stack = await startStack({
      roles: ['api', 'processors', 'senders', 'analytics', 'scheduler'],
      env: { HTTP_PROVIDERS: JSON.stringify([crm]), CRM_HOOK_TOKEN: TOKEN },
    });
  });

  afterAll(async () => {
    await stack?.stop();
    await new Promise((resolve) => hook?.server.close(resolve));
  });

  it('delivers a notification to each recipient once, rendered, and the statuses name the provider', async () => {
    const names = ['Ann', 'Boris', 'Chen'];
    const clients = await Promise.all(names.map((name) => createTestClient(stack, { name })));
    const template = await stack.api('POST', '/api/templates', { defaultLocale: 'en', variants: { en: { webhook: '{{name}}: your order shipped' } } });
    expect(template.status).toBe(201);
    const requested = await stack.api('POST', '/api/notifications', {
      templateId: template.body.id, userIds: clients, contextJson: '{}', priority: 'express', channels: ['webhook'],
    });
    expect(requested.status).toBe(202);

    await waitFor(() => hook.calls.length >= 3, { timeoutMs: 30_000, description: 'three webhook calls' });
    expect(hook.calls.map((call) => call.body.client).sort()).toEqual([...clients].sort());
    for (const call of hook.calls) {
      expect(call.authorization).toBe(`Bearer ${TOKEN}`);
      const name = names[clients.indexOf(call.body.client)];
      expect(call.body).toMatchObject({ event: 'notification', text: `${name}: your order shipped`, express: true });
    }
    const sentVia = await waitFor(async () => {
      const log = await stack.api('GET', `/api/clients/${clients[0]}/deliveries?limit=5`);
      const delivery = (log.body.items as { channel: string; status: string; history: { status: string; provider: string | null }[] }[]).find((item) => item.channel === 'webhook');
      return delivery?.status === 'sent' ? delivery.history.find((change) => change.status === 'sent')?.provider : null;
    }, { timeoutMs: 30_000, description: 'the sent status in the delivery log' });
    expect(sentVia).toBe('crm-hook');
    expect(new Set(hook.calls.map((call) => call.body.id)).size).toBe(3); // each delivery once
  });
});
