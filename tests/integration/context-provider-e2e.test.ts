import { createStatsQueries } from '../../analytics/stats-queries';
import { VestnikError } from '../../platform/errors';
import { deliveryIdOf } from '../../platform/ids';
import { KEYS } from '../../platform/redis/keys';
import { createUserDataClient, type ContextSource } from '../../processors/context-providers';
import { createSmtpSink, type SmtpSink } from '../../simulators/smtp';
import { createUserDataSimulator, type MonthlyDigest, type UserDataSimulator } from '../../simulators/user-data';
import { startStack, type TestStack } from '../support/stack';
import { uniqueName } from '../support/unique';
import { waitFor } from '../support/wait-for';
import { randomPhone } from '../support/clients';

const KIND = 'monthly-digest';

/** What the template below renders for a user, computed from what the simulator answers for them. */
function expectedText(digest: MonthlyDigest): string {
  const films = digest.filmsWatched.map((film) => `${film.title} (${film.minutes} min)`).join('; ');
  return `Favourite genre: ${digest.favouriteGenre}. Hours: ${digest.hoursWatched}. Films: ${films}. From Vestnik`;
}

/** Context providers: a template whose email is rendered with each recipient's monthly digest from the user-data service. */
describe('context providers end to end', () => {
  const PAGE = 5;
  let userData: UserDataSimulator;
  let smtp: SmtpSink;
  let stack: TestStack;
  let templateId: string;

  beforeAll(async () => {
    userData = createUserDataSimulator();
    smtp = createSmtpSink();
    await userData.start();
    await smtp.start();
    stack = await startStack({
      roles: ['api', 'processors', 'senders', 'analytics', 'scheduler'],
      env: { SMTP_URL: smtp.url, USER_DATA_URL: userData.url, USER_DATA_TIMEOUT_MS: '1000', FANOUT_BATCH_SIZE: String(PAGE) },
    });
    const template = await stack.api('POST', '/api/templates', {
      defaultLocale: 'en',
      contextProvider: KIND,
      variants: {
        en: {
          email: {
            subject: 'Your {{monthlyDigest.month}} in film, {{name}}',
            text: 'Favourite genre: {{monthlyDigest.favouriteGenre}}. Hours: {{monthlyDigest.hoursWatched}}. Films: '
              + '{{#each monthlyDigest.filmsWatched}}{{title}} ({{minutes}} min){{#unless @last}}; {{/unless}}{{/each}}. {{signOff}}',
          },
        },
      },
    });
    expect(template.status).toBe(201);
    expect(template.body.contextProvider).toBe(KIND);
    templateId = template.body.id;
    expect(await stack.api('GET', `/api/templates/${templateId}`)).toMatchObject({ status: 200, body: { id: templateId, contextProvider: KIND } });
  });

  afterAll(async () => {
    await stack?.stop();
    await userData?.stop();
    await smtp?.stop();
  });

  /** N clients with their own email addresses; ids from `prefix` so the simulator can be told not to know some. */
  async function clients(count: number, prefix = 'digest'): Promise<Array<{ id: string; email: string }>> {
    const run = uniqueName(prefix);
    const created: Array<{ id: string; email: string }> = [];
    // One at a time, and a 503 (the directory view briefly behind on a loaded machine) is asked again.
    for (let i = 0; i < count; i++) {
      const id = `${run}-${i}`;
      const email = `${id}@example.com`;
      const phone = randomPhone();
      const response = await waitFor(async () => {
        const attempt = await stack.api('POST', '/api/clients', { id, phone, email, name: `Viewer ${i}`, timezone: 'UTC' });
        return attempt.status === 503 ? null : attempt;
      }, { timeoutMs: 30_000, intervalMs: 500, description: `client ${id} created` });
      expect([201, 409]).toContain(response.status);
      created.push({ id, email });
    }
    return created;
  }

  async function notify(userIds: string[]): Promise<string> {
    const accepted = await stack.api('POST', '/api/notifications', {
      templateId, userIds, channels: ['email'], contextJson: JSON.stringify({ signOff: 'From Vestnik' }),
    });
    expect(accepted.status).toBe(202);
    return accepted.body.id;
  }

  /** Waits for one email per recipient, then checks each holds exactly that user's digest. */
  async function expectDigests(recipients: Array<{ id: string; email: string }>): Promise<void> {
    await waitFor(() => recipients.every((r) => smtp.messagesTo(r.email).length > 0), {
      timeoutMs: 60_000, description: 'an email for every recipient',
    });
    for (const recipient of recipients) {
      const digest = userData.contextOf(KIND, recipient.id) as MonthlyDigest;
      const [mail, ...more] = smtp.messagesTo(recipient.email);
      expect(more).toHaveLength(0);
      expect(mail?.subject).toBe(`Your ${digest.month} in film, Viewer ${recipient.id.split('-').pop()}`);
      expect(mail?.text.trim()).toBe(expectedText(digest));
    }
  }

  it('renders every email with that user\'s digest, asking the service once per page', async () => {
    const recipients = await clients(12);
    userData.reset();
    await notify(recipients.map((r) => r.id));
    await expectDigests(recipients);
    const stats = userData.stats();
    // 12 recipients in pages of 5: one request per page, 3 in all (a replayed batch, at-least-once, may ask again).
    expect(stats.maxBatch).toBe(PAGE);
    expect(stats.outcomes.answered).toBeGreaterThanOrEqual(Math.ceil(recipients.length / PAGE));
    expect(stats.outcomes.answered).toBeLessThanOrEqual(2 * Math.ceil(recipients.length / PAGE));
    expect(stats.userIdsAnswered).toBeGreaterThanOrEqual(recipients.length);
  });

  it('sends nothing while the service is down, then every email once, complete, when it is back', async () => {
    const recipients = await clients(8, 'outage');
    userData.reset();
    // Through the control API, as a test in another process would: a 5xx outage of a few seconds.
    const control = await fetch(`${userData.url}/_control/faults`, {
      method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ outage: { mode: 'unavailable', forMs: 8000 } }),
    });
    expect(control.status).toBe(200);
    const outageEnds = ((await control.json()) as { outage: { until: number } }).outage.until;
    const requestId = await notify(recipients.map((r) => r.id));
    // The fan-out asked during the outage and was refused, then asked again after a backoff.
    await waitFor(() => userData.stats().outcomes.unavailable >= 2, { timeoutMs: 30_000, description: 'two refused context requests' });
    await expectDigests(recipients);
    // Not one email left before the service was back: nothing was sent half-rendered or early.
    for (const recipient of recipients) expect(smtp.messagesTo(recipient.email)[0]?.receivedAt).toBeGreaterThanOrEqual(outageEnds);
    // Each delivery's claim is final (`done:sent`): a replayed command is dropped, so the one email is the only one.
    const redis = stack.runtime.redis('context-provider-test');
    const claims = recipients.map((r) => KEYS.deliveryClaim(deliveryIdOf('notification', requestId, r.id, 'email')));
    await waitFor(async () => {
      expect(await redis.mget(...claims)).toEqual(claims.map(() => 'done:sent'));
      return true;
    }, { timeoutMs: 30_000, description: 'every delivery of the request claimed done:sent' });
    for (const recipient of recipients) expect(smtp.messagesTo(recipient.email)).toHaveLength(1);
  });

  it('fails a recipient the service does not know, with the reason, and sends the others', async () => {
    const known = await clients(2, 'known');
    const ghosts = await clients(1, 'ghost');
    expect(ghosts[0]?.id.startsWith('ghost-')).toBe(true);
    userData.reset();
    const requestId = await notify([...known, ...ghosts].map((r) => r.id));
    await expectDigests(known);
    const queries = createStatsQueries({ client: stack.runtime.clickhouse(), database: stack.runtime.config.clickhouse.database });
    const ghostMessage = await waitFor(async () => {
      const detail = await queries.sourceDetail('notification', requestId);
      const ghost = detail.messages.find((m) => m.clientId === ghosts[0]?.id);
      expect({ rows: detail.messages.length, ghost: ghost?.status }).toEqual({ rows: 3, ghost: 'failed' }); // shown on timeout
      return ghost;
    }, { timeoutMs: 90_000, description: 'the ghost recipient failed in the statistics' }); // analytics can lag on a loaded machine
    expect(ghostMessage).toMatchObject({ channel: 'email', status: 'failed', lastError: 'no context from user-data service' });
    expect(smtp.messagesTo(ghosts[0]?.email as string)).toEqual([]);
    expect(userData.stats().userIdsOmitted).toBe(1);
  });
});

/** The client's classification against the real simulator over HTTP: what is retried and what is not. */
describe('user-data client against the simulator', () => {
  let userData: UserDataSimulator;
  let client: ContextSource;

  beforeAll(async () => {
    userData = createUserDataSimulator();
    await userData.start();
    client = createUserDataClient({ url: userData.url, timeoutMs: 500 });
  });

  afterAll(async () => {
    await client?.close();
    await userData?.stop();
  });

  beforeEach(() => userData.reset());

  async function failure(): Promise<VestnikError> {
    const error = await client.fetchContexts(KIND, ['u-1']).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(VestnikError);
    return error as VestnikError;
  }

  it('answers 1000 users in one request, leaving out the unknown', async () => {
    const ids = Array.from({ length: 999 }, (_, i) => `u-${i}`).concat('ghost-1');
    const contexts = await client.fetchContexts(KIND, ids);
    expect(contexts.size).toBe(999);
    expect(contexts.get('u-7')).toEqual(userData.contextOf(KIND, 'u-7'));
    expect(userData.stats()).toMatchObject({ requests: 1, maxBatch: 1000, userIdsOmitted: 1 });
  });

  it.each([
    ['a 5xx', { errorRate: 1, errorStatus: 502 }, 'PROVIDER_UNAVAILABLE'],
    ['a malformed body', { malformedRate: 1 }, 'PROVIDER_BAD_RESPONSE'],
    ['no answer in time', { latencyMs: 2000 }, 'PROVIDER_UNAVAILABLE'],
    ['a dropped connection', { outage: { mode: 'drop' as const, forMs: 60_000 } }, 'PROVIDER_UNAVAILABLE'],
  ])('%s is retriable', async (_name, faults, code) => {
    userData.setFaults(faults);
    expect(await failure()).toMatchObject({ code, retriable: true });
  });

  it('a connection refused is retriable', async () => {
    const closed = createUserDataClient({ url: 'http://127.0.0.1:1', timeoutMs: 500 });
    try {
      const error = await closed.fetchContexts(KIND, ['u-1']).then(() => null, (e: unknown) => e);
      expect(error).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', retriable: true });
    } finally {
      await closed.close();
    }
  });

  it('an unknown kind is permanent and names the kind', async () => {
    const error = await client.fetchContexts('weekly-digest', ['u-1']).then(() => null, (e: unknown) => e);
    expect(error).toMatchObject({ code: 'PROVIDER_REJECTED', retriable: false });
    expect((error as Error).message).toContain('weekly-digest');
  });

  it('a request over the contract\'s limit is permanent', async () => {
    const error = await client.fetchContexts(KIND, Array.from({ length: 1001 }, (_, i) => `u-${i}`)).then(() => null, (e: unknown) => e);
    expect(error).toMatchObject({ code: 'PROVIDER_REJECTED', retriable: false });
  });
});
