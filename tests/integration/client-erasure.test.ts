/**
 * DELETE /api/clients/{id} erases the person everywhere Vestnik keeps them, on the real stack: the
 * directory, the in-app inbox, the links issued to them and their ClickHouse rows; another client's data
 * is untouched. Also the API's Idempotency-Key on the real API with Redis.
 */
import { createAnalyticsErasure } from '../../analytics/erase';
import { statusTable } from '../../analytics/schema';
import { sql } from '../../analytics/sql-escape';
import { LINK_KEYS } from '../../platform/links/link-store';
import { KEYS } from '../../platform/redis/keys';
import { createSmsSimulator, type SmsSimulator } from '../../simulators/sms';
import { createSmsApiToken } from '../../simulators/sms/token';
import { createSmtpSink, type SmtpSink } from '../../simulators/smtp';
import { createTestClient } from '../support/clients';
import { startStack, TEST_ADMIN_KEY, type TestStack } from '../support/stack';
import { uniqueName } from '../support/unique';
import { waitFor } from '../support/wait-for';

jest.setTimeout(240_000);

describe('client erasure end to end', () => {
  const secret = 'e2e-erasure-secret';
  let sms: SmsSimulator;
  let smtp: SmtpSink;
  let stack: TestStack;
  let templateId: string;

  beforeAll(async () => {
    sms = createSmsSimulator({ jwtSecret: secret });
    smtp = createSmtpSink();
    await sms.start();
    await smtp.start();
    stack = await startStack({
      roles: ['api', 'processors', 'senders', 'analytics'],
      env: { SMS_API_URL: sms.url, SMS_API_TOKEN: createSmsApiToken(secret), SMTP_URL: smtp.url },
    });
    const template = await stack.api('POST', '/api/templates', { defaultLocale: 'en', variants: { en: { sms: 'Hi {{name}}' } } });
    expect(template.status).toBe(201);
    templateId = template.body.id;
  });

  afterAll(async () => {
    await stack?.stop();
    await sms?.stop();
    await smtp?.stop();
  });

  const redis = () => stack.runtime.redis('erasure-test');
  const analytics = () => createAnalyticsErasure({ client: stack.runtime.clickhouse(), database: stack.runtime.config.clickhouse.database });
  const inboxKeys = (id: string) => [KEYS.inappItems(id), KEYS.inappPending(id), KEYS.inappHistory(id), KEYS.inappRead(id)];
  const linkCodes = (id: string) => redis().smembers(LINK_KEYS.bySubject(id));

  /** A client with an SMS, an in-app message, a welcome email and its link, all delivered and counted. */
  async function personWithData(name: string): Promise<{ id: string; code: string; rows: number }> {
    const email = `${uniqueName(name)}@example.com`;
    const id = await createTestClient(stack, { name, email });
    expect((await stack.api('POST', '/api/notifications', { templateId, userIds: [id], channels: ['sms'] })).status).toBe(202);
    expect((await stack.api('POST', '/api/events/user-activity', {
      userId: id, actorId: uniqueName('actor'), actorName: 'Bob', kind: 'like', objectId: uniqueName('post'),
      objectTitle: 'Photos', url: 'https://app.example.test/p/1',
    })).status).toBe(202);
    expect((await stack.api('POST', '/api/events/user-registered', { userId: id, email, name, locale: 'en' })).status).toBe(202);
    await waitFor(async () => (await redis().exists(KEYS.inappItems(id))) === 1, { timeoutMs: 30_000, description: `${name}'s inbox` });
    const [code] = await waitFor(async () => {
      const codes = await linkCodes(id);
      return codes.length > 0 ? codes : null;
    }, { timeoutMs: 30_000, description: `${name}'s link` });
    // Every delivery final in ClickHouse (sms, inapp, email: sent), so no status of theirs is still on its way.
    const rows = await waitFor(async () => {
      const table = statusTable(stack.runtime.config.clickhouse.database);
      const sent = await stack.runtime.clickhouse().query<{ channel: string }>(
        sql`SELECT DISTINCT channel FROM ${table} WHERE clientId = ${id} AND status = 'sent'`,
      );
      return sent.length === 3 ? analytics().rowsOf(id) : null;
    }, { timeoutMs: 60_000, description: `${name}'s three deliveries sent and counted` });
    expect(await redis().exists(LINK_KEYS.link(code!))).toBe(1);
    return { id, code: code!, rows };
  }

  it('deletes the client and erases their inbox, links and analytics rows; nobody else\'s', async () => {
    const [anna, other] = await Promise.all([personWithData('Anna'), personWithData('Boris')]);
    expect(anna.rows).toBeGreaterThan(0);

    const got = await fetch(`${stack.apiUrl}/api/clients/${anna.id}`, { headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` } });
    const deleted = await fetch(`${stack.apiUrl}/api/clients/${anna.id}`, {
      method: 'DELETE', headers: { authorization: `Bearer ${TEST_ADMIN_KEY}`, 'if-match': got.headers.get('etag') ?? '' },
    });
    expect(deleted.status).toBe(204);

    expect((await stack.api('GET', `/api/clients/${anna.id}`)).status).toBe(404);
    expect(await redis().exists(...inboxKeys(anna.id))).toBe(0);
    expect(await linkCodes(anna.id)).toEqual([]);
    expect(await redis().exists(LINK_KEYS.link(anna.code))).toBe(0);
    const link = await fetch(`${stack.apiUrl}/l/${anna.code}`, { redirect: 'manual' });
    expect(link.status).toBe(410);
    // The mutation is asynchronous: its rows go within seconds.
    await waitFor(async () => (await analytics().rowsOf(anna.id)) === 0, { timeoutMs: 60_000, description: "Anna's ClickHouse rows gone" });

    // The other person: all there.
    expect((await stack.api('GET', `/api/clients/${other.id}`)).status).toBe(200);
    expect(await redis().exists(KEYS.inappItems(other.id))).toBe(1);
    expect(await redis().exists(LINK_KEYS.link(other.code))).toBe(1);
    expect(await analytics().rowsOf(other.id)).toBe(other.rows);

    // A second DELETE (a retry) finds nothing and says so.
    expect((await stack.api('DELETE', `/api/clients/${anna.id}`)).status).toBe(404);
  });

  it('Idempotency-Key on the real API: a retried POST /api/clients creates one client and replays the answer', async () => {
    const key = uniqueName('idem');
    const body = JSON.stringify({ phone: '79001112233', name: 'Idem', tags: [key] });
    const post = () => fetch(`${stack.apiUrl}/api/clients`, {
      method: 'POST', body,
      headers: { authorization: `Bearer ${TEST_ADMIN_KEY}`, 'content-type': 'application/json', 'idempotency-key': key },
    });
    const first = await post();
    const again = await post();
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await again.json()).toEqual(await first.json());
    expect((await stack.api('GET', `/api/clients?tag=${key}`)).body.items).toHaveLength(1);
    const reused = await fetch(`${stack.apiUrl}/api/clients`, {
      method: 'POST', body: JSON.stringify({ phone: '79001112233', name: 'Other' }),
      headers: { authorization: `Bearer ${TEST_ADMIN_KEY}`, 'content-type': 'application/json', 'idempotency-key': key },
    });
    expect(reused.status).toBe(422);
    expect(((await reused.json()) as { error: { code: string } }).error.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });
});
