/**
 * The console's reads and previews on the real stack (Kafka, Redis, ClickHouse, the SMS simulator, an SMTP
 * sink and the user-data simulator): the overview's per-minute counts equal the statistics API's after a
 * mailing, the audience size before a mailing equals what its fan-out then addresses, search by phone and
 * email, a client's delivery log with its status history, a preview with the client's context-provider
 * data, and test sends that arrive at the providers and stay out of every mailing statistic.
 */
import type { Producer } from 'kafkajs';
import { smsMessageId } from '../../senders/sms/message';
import { createSmsSimulator, type SmsSimulator } from '../../simulators/sms';
import { createSmsApiToken } from '../../simulators/sms/token';
import { createSmtpSink, type SmtpSink } from '../../simulators/smtp';
import { createUserDataSimulator, type MonthlyDigest, type UserDataSimulator } from '../../simulators/user-data';
import { TOPICS } from '../../platform/topics';
import { iso } from '../support/mailings';
import { startStack, type TestStack } from '../support/stack';
import { uniqueName } from '../support/unique';
import { waitFor } from '../support/wait-for';

const KIND = 'monthly-digest';
const sum = (series: number[]) => series.reduce((a, b) => a + b, 0);

describe('console reads on the real stack', () => {
  const secret = 'console-reads-sms-secret';
  let sms: SmsSimulator;
  let smtp: SmtpSink;
  let userData: UserDataSimulator;
  let stack: TestStack;
  let producer: Producer;
  const run = uniqueName('cr').replace(/[^A-Za-z0-9_-]/g, '-');
  const tag = `${run}-tag`;
  /** The mailing's audience: four SMS recipients (two operators), one who opted out of SMS, one the provider refuses. */
  const people = [
    { id: `${run}-a`, phone: '79120000001', email: `Ann.${run}@Example.com`, name: 'Ann' },
    { id: `${run}-b`, phone: '79120000002', email: null, name: 'Boris' },
    { id: `${run}-c`, phone: '79130000003', email: null, name: 'Clara' },
    { id: `${run}-d`, phone: '79130000004', email: null, name: 'Denis' },
    { id: `${run}-e`, phone: '79130000005', email: null, name: 'Eva', preferences: { channels: { sms: false } } },
    { id: `${run}-f`, phone: '79130000006', email: null, name: 'Fedor' },
  ];
  let mailingId: string;

  beforeAll(async () => {
    sms = createSmsSimulator({ jwtSecret: secret });
    smtp = createSmtpSink();
    userData = createUserDataSimulator();
    await Promise.all([sms.start(), smtp.start(), userData.start()]);
    stack = await startStack({
      roles: ['api', 'processors', 'senders', 'analytics', 'scheduler'],
      env: {
        SMS_API_URL: sms.url, SMS_API_TOKEN: createSmsApiToken(secret), SMTP_URL: smtp.url, USER_DATA_URL: userData.url,
        RETRY_BASE_MS: '100', RETRY_MAX_MS: '1000',
      },
    });
    await sms.setFaults({ rejectPhones: ['79130000006'] }); // HTTP 400: failed for good, with its reason
    producer = stack.runtime.kafka().producer({ allowAutoTopicCreation: false });
    await producer.connect();
    for (const { preferences, ...person } of people) {
      const created = await stack.api('POST', '/api/clients', { ...person, tags: [tag], timezone: 'UTC', ...(preferences ? { preferences } : {}) });
      expect(created.status).toBe(201);
    }
    // Someone outside the filter, on the same operator.
    expect((await stack.api('POST', '/api/clients', { phone: '79120000009', tags: [`${run}-other`], timezone: 'UTC' })).status).toBe(201);
  });

  afterAll(async () => {
    await producer?.disconnect();
    await stack?.stop();
    await Promise.all([sms?.stop(), smtp?.stop(), userData?.stop()]);
  });

  it('gives the audience size before the start, and the mailing then addresses exactly that many', async () => {
    const audience = async (filter: object) => (await stack.api('POST', '/api/mailings/audience', { filter })).body.size;
    expect(await audience({ tags: [tag] })).toBe(6);
    expect(await audience({ tags: [tag], operatorCodes: ['912'] })).toBe(2);
    expect(await audience({ tags: [tag, `${run}-other`], operatorCodes: [] })).toBe(7);
    expect(await audience({ tags: [`${run}-nobody`] })).toBe(0);

    const created = await stack.api('POST', '/api/mailings', {
      text: 'Hello {{name}}', startAt: iso(Date.now()), endAt: iso(Date.now() + 10 * 60_000), filter: { tags: [tag], operatorCodes: [] },
    });
    expect(created.status).toBe(201);
    mailingId = created.body.id;
    const stats = await waitFor(async () => {
      const body = (await stack.api('GET', `/api/stats/mailings/${mailingId}`)).body;
      return body?.byStatus?.sent === 4 && body.byStatus.suppressed === 1 && body.byStatus.failed === 1 ? body : null;
    }, { timeoutMs: 60_000, description: 'four sent, one suppressed, one failed' });
    expect(stats.total).toBe(await audience({ tags: [tag] }));
  });

  it('counts per minute what the statistics API counts, with lag and dead letters from Kafka', async () => {
    const list = (await stack.api('GET', '/api/stats/mailings')).body.items as { byStatus: Record<string, number>; total: number }[];
    const totals = (status: string) => list.reduce((n, m) => n + (m.byStatus[status] ?? 0), 0);
    const overview = (await stack.api('GET', '/api/stats/overview?range=hour')).body;
    expect(overview.buckets).toHaveLength(60);
    expect(Date.parse(overview.to) - Date.parse(overview.from)).toBe(3_600_000);
    expect(sum(overview.byStatus.sent)).toBe(totals('sent'));
    expect(sum(overview.byStatus.suppressed)).toBe(totals('suppressed'));
    expect(sum(overview.byStatus.failed)).toBe(totals('failed'));
    expect(sum(overview.byStatus.queued)).toBe(list.reduce((n, m) => n + m.total, 0) - totals('suppressed'));
    expect(sum(overview.byChannel.sms)).toBe(4);
    // A mailing's page charts that mailing only: the same counts here (the only mailing), none for another.
    const ofMailing = (await stack.api('GET', `/api/stats/overview?mailingId=${mailingId}`)).body;
    // Two reads a minute boundary apart see windows one bucket apart (every series shifted): then the totals.
    const sums = (series: Record<string, number[]>) => Object.fromEntries(Object.entries(series).map(([key, values]) => [key, sum(values)]));
    if (ofMailing.from === overview.from) expect(ofMailing).toMatchObject({ mailingId, byStatus: overview.byStatus, byChannel: overview.byChannel });
    else expect([ofMailing.mailingId, sums(ofMailing.byStatus), sums(ofMailing.byChannel)]).toEqual([mailingId, sums(overview.byStatus), sums(overview.byChannel)]);
    const ofOther = (await stack.api('GET', `/api/stats/overview?mailingId=${run}-none`)).body;
    expect([sum(ofOther.byStatus.queued), sum(ofOther.byStatus.sent), ofOther.failuresByReason]).toEqual([0, 0, []]);
    const refused = (await stack.api('GET', `/api/stats/mailings/${mailingId}`)).body.messages.find((m: { clientId: string }) => m.clientId === `${run}-f`);
    expect(refused.lastError).toEqual(expect.any(String));
    const failedOnly = (await stack.api('GET', `/api/stats/mailings/${mailingId}?status=failed`)).body;
    expect(failedOnly.messages.map((m: { clientId: string }) => m.clientId)).toEqual([`${run}-f`]);
    expect(failedOnly.total).toBe(6); // the counts stay whole
    expect(overview.failuresByReason).toEqual([{ reason: refused.lastError, count: 1 }]);
    expect(overview.sendRatePerMinute).toBe(sum(overview.byStatus.sent.slice(-5)) / 5);
    expect((await stack.api('GET', '/api/stats/overview?range=day')).body.buckets).toHaveLength(1440);

    // Every running group catches up; the analytics group reads deliveries.status.
    await waitFor(async () => {
      const { lag } = (await stack.api('GET', '/api/stats/overview')).body as { lag: { group: string; topic: string; lag: number }[] };
      return lag.some((l) => l.group === `${stack.id}-analytics` && l.topic === TOPICS.deliveriesStatus) && lag.every((l) => l.lag === 0);
    }, { timeoutMs: 30_000, description: 'no consumer lag' });

    // One undecodable record on events.mailing-started is dead-lettered once (both fan-out lanes read it).
    expect(overview.deadLetters.total).toBe(0);
    await producer.send({ topic: stack.topic(TOPICS.mailingStarted), acks: -1, messages: [{ key: 'poison', value: Buffer.from('not avro') }] });
    await waitFor(async () => (await stack.api('GET', '/api/stats/overview')).body.deadLetters.total === 1,
      { timeoutMs: 30_000, description: 'one dead letter counted' });
  });

  it('finds clients by exact phone and by email in any case', async () => {
    const byPhone = await stack.api('GET', '/api/clients?phone=79130000004');
    expect(byPhone.body.items.map((c: { id: string }) => c.id)).toEqual([`${run}-d`]);
    const byEmail = await stack.api('GET', `/api/clients?email=${encodeURIComponent(`ann.${run}@EXAMPLE.COM`)}`);
    expect(byEmail.body.items.map((c: { id: string }) => c.id)).toEqual([`${run}-a`]);
    // A changed phone moves the client between the phone indexes.
    expect((await stack.api('PATCH', `/api/clients/${run}-b`, { phone: '79120000022' })).status).toBe(200);
    expect((await stack.api('GET', '/api/clients?phone=79120000002')).body.items).toEqual([]);
    expect((await stack.api('GET', '/api/clients?phone=79120000022')).body.items.map((c: { id: string }) => c.id)).toEqual([`${run}-b`]);
  });

  it("shows a client's deliveries with every status change", async () => {
    const sent = (await stack.api('GET', `/api/clients/${run}-a/deliveries`)).body;
    expect(sent.items).toHaveLength(1);
    expect(sent.items[0]).toMatchObject({ sourceType: 'mailing', sourceId: mailingId, channel: 'sms', status: 'sent', attempts: 1 });
    expect(sent.items[0].history.map((h: { status: string }) => h.status)).toEqual(['queued', 'sent']);
    expect(sent.items[0].history[1].provider).toBe('sms-api'); // the provider that took the call
    expect(Date.parse(sent.items[0].history[1].at)).toBeGreaterThanOrEqual(Date.parse(sent.items[0].history[0].at));
    const suppressed = (await stack.api('GET', `/api/clients/${run}-e/deliveries`)).body;
    expect(suppressed.items[0].history).toEqual([{ status: 'suppressed', reason: 'sms opt-out', provider: null, attempt: 0, at: expect.any(String) }]);
    expect((await stack.api('GET', `/api/clients/${run}-nobody/deliveries`)).status).toBe(404);
  });

  it("previews a template with the client's data and its context-provider data", async () => {
    const template = {
      defaultLocale: 'en', contextProvider: KIND,
      variants: { en: { email: { subject: 'Your {{monthlyDigest.month}}, {{name}}', text: 'Genre: {{monthlyDigest.favouriteGenre}}', html: '<b>{{name}}</b>' } } },
    };
    const res = await stack.api('POST', '/api/templates/preview', { template, clientId: `${run}-a`, channel: 'email' });
    expect(res.status).toBe(200);
    const digest = userData.contextOf(KIND, `${run}-a`) as MonthlyDigest;
    expect(res.body).toEqual({
      channel: 'email', locale: 'en', subject: `Your ${digest.month}, Ann`, text: `Genre: ${digest.favouriteGenre}`, html: '<b>Ann</b>',
    });
    const broken = await stack.api('POST', '/api/templates/preview', {
      template: { ...template, variants: { en: { email: { ...template.variants.en.email, text: '{{#each}}' } } } }, clientId: `${run}-a`, channel: 'email',
    });
    expect(broken.status).toBe(422);
    expect(broken.body.error.details).toEqual([expect.objectContaining({ path: 'template.variants.en.email.text' })]);
  });

  it('sends a test through the pipeline to the given address and phone, and no mailing statistic counts it', async () => {
    // A mailing's status may move from running to finished meanwhile; its counts must not move.
    const countsOfMailings = async () => ((await stack.api('GET', '/api/stats/mailings')).body.items as { status: string }[])
      .map(({ status: _status, ...counts }) => counts);
    const before = await countsOfMailings();
    const created = await stack.api('POST', '/api/templates', {
      defaultLocale: 'en', contextProvider: KIND,
      variants: { en: { email: { subject: 'Test for {{name}}', text: 'Genre {{monthlyDigest.favouriteGenre}}' }, sms: 'SMS test for {{name}}' } },
    });
    expect(created.status).toBe(201);
    const to = `operator.${run}@example.com`;
    const email = await stack.api('POST', `/api/templates/${created.body.id}/test-send`, { channel: 'email', to, clientId: `${run}-c` });
    expect(email.status).toBe(202);
    const phone = await stack.api('POST', `/api/templates/${created.body.id}/test-send`, { channel: 'sms', to: '79990000001', clientId: `${run}-c` });
    expect(phone.status).toBe(202);

    const [mail] = await waitFor(() => (smtp.messagesTo(to).length > 0 ? smtp.messagesTo(to) : null), { timeoutMs: 30_000, description: 'the test email' });
    const digest = userData.contextOf(KIND, `${run}-c`) as MonthlyDigest;
    expect(mail).toMatchObject({ subject: 'Test for Clara', text: expect.stringContaining(`Genre ${digest.favouriteGenre}`) });
    const message = await waitFor(() => sms.message(smsMessageId(phone.body.deliveryId)), { timeoutMs: 30_000, description: 'the test SMS' });
    expect(message).toMatchObject({ accepted: 1, text: 'SMS test for Clara' });
    // A template with a context provider needs a sample client; one without goes out with none.
    const needsClient = await stack.api('POST', `/api/templates/${created.body.id}/test-send`, { channel: 'sms', to: '79990000002' });
    expect(needsClient.status).toBe(422);
    const plainTemplate = await stack.api('POST', '/api/templates', { defaultLocale: 'en', variants: { en: { sms: 'Plain test{{#if name}} for {{name}}{{/if}}' } } });
    const anonymous = await stack.api('POST', `/api/templates/${plainTemplate.body.id}/test-send`, { channel: 'sms', to: '79990000002' });
    expect(anonymous.status).toBe(202);
    const plain = await waitFor(() => sms.message(smsMessageId(anonymous.body.deliveryId)), { timeoutMs: 30_000, description: 'the test SMS without a sample client' });
    expect(plain).toMatchObject({ accepted: 1, text: 'Plain test' });

    // Recorded as sent deliveries of the sample client, marked as tests...
    const log = await waitFor(async () => {
      const items = (await stack.api('GET', `/api/clients/${run}-c/deliveries`)).body.items as { sourceType: string; status: string }[];
      const tests = items.filter((item) => item.sourceType === 'test');
      return tests.length === 2 && tests.every((item) => item.status === 'sent') ? items : null;
    }, { timeoutMs: 30_000, description: 'both tests sent in the delivery log' });
    expect(log.map((item) => item.sourceType).sort()).toEqual(['mailing', 'test', 'test']);
    // ...and in no mailing's statistics, nor in the overview.
    expect(await countsOfMailings()).toEqual(before);
    const overview = (await stack.api('GET', '/api/stats/overview')).body;
    expect(sum(overview.byStatus.sent)).toBe(4);
    expect(sum(overview.byChannel.email)).toBe(0);
  });
});
