/**
 * User-supplied text is data, never code, on the real stack: SQL metacharacters, Handlebars syntax and
 * HTML in client names and mailing texts are stored and shown back as written, reach the SMS provider as
 * literal text, and the statistics API (ClickHouse, values bound client-side) still answers for them.
 */
import { deliveryIdOf } from '../../platform/ids';
import { smsMessageId } from '../../senders/sms/message';
import { createSmsSimulator, type SmsSimulator } from '../../simulators/sms';
import { createSmsApiToken } from '../../simulators/sms/token';
import { startStack, type TestStack } from '../support/stack';
import { uniqueName } from '../support/unique';
import { waitFor } from '../support/wait-for';

jest.setTimeout(300_000);

const SECRET = 'text-safety-sms-secret';
const HOSTILE = ["'); DROP TABLE x; --", '{{constructor}}', '{{#each}}', '<script>alert(1)</script>', "Robert'); --\\' OR 1=1"];

let sms: SmsSimulator;
let stack: TestStack;

beforeAll(async () => {
  sms = createSmsSimulator({ jwtSecret: SECRET });
  await sms.start();
  stack = await startStack({
    roles: ['api', 'processors', 'senders', 'analytics', 'scheduler'],
    env: { SMS_API_URL: sms.url, SMS_API_TOKEN: createSmsApiToken(SECRET) },
  });
});

afterAll(async () => {
  await stack?.stop();
  await sms?.stop();
});

const phone = () => `79${String(Math.floor(Math.random() * 1e9)).padStart(9, '0')}`;

it('stores hostile client names and tags as text and shows them back verbatim', async () => {
  for (const name of HOSTILE) {
    const created = await stack.api('POST', '/api/clients', { phone: phone(), name, tags: [name] });
    expect(created.status).toBe(201);
    const read = await stack.api('GET', `/api/clients/${created.body.id}`);
    expect(read.status).toBe(200);
    expect(read.body.name).toBe(name);
    expect(read.body.tags).toEqual([name]);
    // The tag is an index key too: listing by it finds exactly this client.
    const listed = await stack.api('GET', `/api/clients?tag=${encodeURIComponent(name)}`);
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((c: { id: string }) => c.id)).toContain(created.body.id);
  }
});

it('refuses a mailing text that is not a template, and sends escaped syntax and SQL as literal text', async () => {
  const window = { startAt: new Date().toISOString(), endAt: new Date(Date.now() + 600_000).toISOString() };
  // The mailing text is a Handlebars template ("Hello {{name}}"): `{{7*7}}` cannot compile, so it is refused.
  const refused = await stack.api('POST', '/api/mailings', { text: 'total {{7*7}}', ...window });
  expect(refused.status).toBe(422);
  expect(refused.body.error.details).toEqual([expect.objectContaining({ path: 'text' })]);

  const tag = uniqueName('text-safety');
  const names = HOSTILE.slice(0, 4);
  const recipients: { id: string; name: string }[] = [];
  for (const name of names) {
    const created = await stack.api('POST', '/api/clients', { phone: phone(), name, tags: [tag] });
    expect(created.status).toBe(201);
    recipients.push({ id: created.body.id, name });
  }
  // Literal braces are written \{{ … }}; SQL and HTML need no escaping in an SMS.
  const text = "\\{{7*7}} '); DROP TABLE deliveries; -- <b>{{name}}</b>";
  const mailing = await stack.api('POST', '/api/mailings', { text, filter: { tags: [tag], operatorCodes: [] }, ...window });
  expect(mailing.status).toBe(201);
  expect(mailing.body.text).toBe(text);
  const mailingId: string = mailing.body.id;

  for (const { id, name } of recipients) {
    const message = await waitFor(() => sms.message(smsMessageId(deliveryIdOf('mailing', mailingId, id, 'sms'))), {
      timeoutMs: 90_000, description: `the SMS to ${JSON.stringify(name)}`,
    });
    // The client's name is a value, not a template: "{{constructor}}" arrives as those characters.
    expect(message.text).toBe(`{{7*7}} '); DROP TABLE deliveries; -- <b>${name}</b>`);
  }

  const stats = await waitFor(async () => {
    const response = await stack.api('GET', `/api/stats/mailings/${mailingId}`);
    return response.status === 200 && response.body.messages?.length === names.length ? response.body : null;
  }, { timeoutMs: 90_000, description: 'the mailing statistics with every message' });
  expect(stats.messages.map((m: { clientId: string }) => m.clientId).sort()).toEqual(recipients.map((r) => r.id).sort());
});

it('answers statistics queries whose ids carry SQL and template syntax', async () => {
  for (const id of HOSTILE) {
    const byChannel = await stack.api('GET', `/api/stats/channels?sourceType=mailing&sourceId=${encodeURIComponent(id)}`);
    expect(byChannel.status).toBe(200);
    const detail = await stack.api('GET', `/api/stats/mailings/${encodeURIComponent(id)}`);
    expect([404, 422]).toContain(detail.status);
    expect(detail.body.error.code).toEqual(expect.any(String));
  }
  // The table is still there and still counts.
  expect((await stack.api('GET', '/api/stats/mailings')).status).toBe(200);
});
