/**
 * The daily statistics email on the real stack (Kafka, Redis, ClickHouse, the SMS simulator, an SMTP sink).
 * A day of traffic (an SMS and an email mailing with failures and suppressions, a template test send), then
 * scheduler processes whose clock is moved to tomorrow (the runtime's clock seam: no waiting for 07:00):
 * - two schedulers and a restart of one: exactly one report per recipient, one command each on
 *   deliveries.express, and totals equal to the statistics API's for the same range;
 * - the admin's template (DAILY_REPORT_TEMPLATE_ID) rendered with the same model;
 * - a scheduler that dies after producing and before marking the day sent: the next one redoes it with the
 *   same delivery ids, and still one email per recipient arrives.
 * The report's zone is picked so that it is about noon there now, so the day's traffic is all "today".
 */
import { Writable } from 'node:stream';
import { DateTime } from 'luxon';
import { createDayTotals } from '../../analytics/day-totals';
import { createExpressDeliveries } from '../../domain/deliveries/express';
import { createLogger, silentLogger, type Logger } from '../../platform/logger';
import { createRedis, type Redis } from '../../platform/redis/client';
import { createDirectoryReader } from '../../platform/redis/directory';
import { KEYS } from '../../platform/redis/keys';
import { TOPICS } from '../../platform/topics';
import { createRenderer } from '../../processors/rendering/render';
import { createDailyReport } from '../../processors/scheduler/daily-report';
import { CLAIM_MS, SENT_TTL_S, createReportClaims } from '../../processors/scheduler/daily-report-claim';
import type { DeliveryCommand } from '../../schemas/types';
import { createSmsSimulator, type SmsSimulator } from '../../simulators/sms';
import { createSmsApiToken } from '../../simulators/sms/token';
import { createSmtpSink, type ReceivedEmail, type SmtpSink } from '../../simulators/smtp';
import { nonZero } from '../support/fault-scenario';
import { createKafkaTestContext } from '../support/kafka';
import { iso } from '../support/mailings';
import { deleteKeysWithPrefix, TEST_REDIS_URL } from '../support/redis';
import { startStack, type TestStack } from '../support/stack';
import { uniqueName } from '../support/unique';
import { waitFor } from '../support/wait-for';

const DAY_MS = 86_400_000;

/** An Etc/GMT zone where the wall clock now shows 12:xx (Etc/GMT-4 is UTC+4). */
function zoneWhereItIsNoon(now: number): string {
  const offset = 12 - new Date(now).getUTCHours(); // -11 … 12
  return offset === 0 ? 'Etc/GMT' : `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`;
}

interface Counts { total: number; byStatus: Record<string, number> }

const sameCounts = (a: Record<string, number>, b: Record<string, number>) =>
  JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());

/** The built-in report's text part, read back: one fact per line. */
function parseReport(text: string) {
  const counts = (line: string): Counts => {
    const [total, ...parts] = line.split(', ');
    return { total: Number(total), byStatus: Object.fromEntries(parts.map((p) => { const [s, n] = p.split(' '); return [s as string, Number(n)]; })) };
  };
  const section = (title: string) => {
    const start = text.indexOf(`\n${title}:\n`);
    if (start < 0) throw new Error(`no section ${title} in the report`);
    const lines = text.slice(start + title.length + 3).split('\n');
    return lines.slice(0, lines.findIndex((l) => !l.startsWith('  '))).map((l) => l.slice(2)).filter((l) => !l.startsWith('('));
  };
  const range = /: (\S+) to (\S+), (\d+) hours\)/.exec(text);
  return {
    from: range?.[1], to: range?.[2],
    all: counts((/All messages: (.*)\n/.exec(text)?.[1]) ?? ''),
    channels: new Map(section('By channel').map((l) => { const [c, rest] = l.split(': '); return [c as string, counts(rest as string)]; })),
    mailings: new Map(section('By mailing').map((l) => {
      const id = l.split(/[ :]/)[0] as string;
      return [id, counts(l.slice(l.lastIndexOf(': ') + 2))];
    })),
    failures: section('Top failure reasons').map((l) => { const [n, ...reason] = l.split(' x '); return { reason: reason.join(' x '), count: Number(n) }; }),
  };
}

/** A logger whose lines the test reads (what a scheduler decided about the day). */
function capturingLogger(): { logger: Logger; lines: { msg: string; day?: string }[] } {
  const lines: { msg: string; day?: string }[] = [];
  const destination = new Writable({ write(chunk, _encoding, done) { lines.push(JSON.parse(String(chunk))); done(); } });
  return { logger: createLogger({ level: 'info', destination }), lines };
}

describe('the daily statistics email', () => {
  const secret = 'daily-report-sms-secret';
  const run = uniqueName('dr').replace(/[^A-Za-z0-9_-]/g, '-');
  const startedAt = Date.now();
  const zone = zoneWhereItIsNoon(startedAt);
  const today = DateTime.fromMillis(startedAt, { zone }).toISODate() as string;
  const tomorrow = DateTime.fromMillis(startedAt, { zone }).plus({ days: 1 }).toISODate() as string;
  const from = iso(DateTime.fromISO(today, { zone }).toMillis());
  const to = iso(DateTime.fromISO(tomorrow, { zone }).toMillis());
  const recipients = [`ops.${run}@example.com`, `lead.${run}@example.org`];
  const kt = createKafkaTestContext();
  let sms: SmsSimulator;
  let smtp: SmtpSink;
  let stack: TestStack;
  const schedulers: TestStack[] = [];
  const mailingIds: string[] = [];

  /** A scheduler process of the stack whose clock runs `days` ahead, sending reports in `zone` at 07:00. */
  async function startScheduler(days: number, env: Record<string, string> = {}) {
    const { logger, lines } = capturingLogger();
    const scheduler = await startStack({
      id: stack.id, roles: ['scheduler'], logger, clock: { now: () => Date.now() + days * DAY_MS },
      env: { DAILY_REPORT_TO: recipients.join(','), DAILY_REPORT_AT: '07:00', DAILY_REPORT_TZ: zone, ...env },
    });
    schedulers.push(scheduler);
    return { scheduler, lines };
  }

  async function stopScheduler(scheduler: TestStack) {
    schedulers.splice(schedulers.indexOf(scheduler), 1);
    await scheduler.stop({ keepData: true });
  }

  /** Whether a scheduler has settled the day: sent it, or found it sent. */
  const settled = (lines: { msg: string; day?: string }[], day: string) =>
    lines.some((l) => l.day === day && (l.msg === 'daily report queued' || l.msg === 'daily report already sent'));

  const reportsTo = (address: string, day: string): ReceivedEmail[] => smtp.messagesTo(address).filter((m) => m.subject.includes(day));

  /** Every report command on deliveries.express for `day`. */
  async function reportCommands(day: string): Promise<DeliveryCommand[]> {
    const records = await kt.readAll(stack.topic(TOPICS.deliveriesExpress));
    const commands = await Promise.all(records.map((r) => stack.runtime.codec().decode('deliveries.command', r.value as Buffer) as Promise<DeliveryCommand>));
    return commands.filter((c) => c.sourceType === 'report' && c.sourceId === day);
  }

  /** Every consumer of the stack has caught up, so whatever was produced has been sent (or dropped as a replay). */
  async function pipelineIdle(): Promise<void> {
    await waitFor(async () => {
      const { lag } = (await stack.api('GET', '/api/stats/overview')).body as { lag: { lag: number }[] };
      return lag.length > 0 && lag.every((l) => l.lag === 0);
    }, { timeoutMs: 60_000, description: 'no consumer lag' });
  }

  /** The statistics API's numbers for [from, to), in the report's shape. */
  async function apiTotals() {
    const range = `from=${from}&to=${to}`;
    const mailings = (await stack.api('GET', `/api/stats/mailings?${range}`)).body as { from: string; items: ({ id: string } & Counts)[] };
    const channels = (await stack.api('GET', `/api/stats/channels?${range}`)).body as { items: { channel: string; byStatus: Record<string, number> }[] };
    const overview = (await stack.api('GET', `/api/stats/overview?${range}`)).body as { failuresByReason: { reason: string; count: number }[] };
    const sum = (byStatus: Record<string, number>) => Object.values(byStatus).reduce((a, b) => a + b, 0);
    return {
      echo: { from: mailings.from },
      mailings: new Map(mailings.items.filter((m) => m.total > 0).map((m) => [m.id, { total: m.total, byStatus: nonZero(m.byStatus) }])),
      channels: new Map(channels.items.map((c) => [c.channel, { total: sum(c.byStatus), byStatus: nonZero(c.byStatus) }])),
      failures: overview.failuresByReason,
    };
  }

  beforeAll(async () => {
    sms = createSmsSimulator({ jwtSecret: secret });
    smtp = createSmtpSink();
    await Promise.all([sms.start(), smtp.start()]);
    stack = await startStack({
      roles: ['api', 'processors', 'senders', 'analytics', 'scheduler'],
      env: { SMS_API_URL: sms.url, SMS_API_TOKEN: createSmsApiToken(secret), SMTP_URL: smtp.url, RETRY_BASE_MS: '100', RETRY_MAX_MS: '1000' },
    });
    await sms.setFaults({ rejectPhones: ['79140000004'] }); // HTTP 400: failed for good
    smtp.rejectRecipient(`b2.${run}@example.com`); // 550: failed for good
    const people = [
      ...[1, 2, 3, 4, 5].map((n) => ({ id: `${run}-a${n}`, phone: `7914000000${n}`, tags: [`${run}-sms`], name: `A${n}` })),
      ...[1, 2, 3].map((n) => ({ id: `${run}-b${n}`, phone: `7915000000${n}`, tags: [`${run}-email`], name: `B${n}`, email: n === 3 ? null : `b${n}.${run}@example.com` })),
    ];
    for (const person of people) {
      const preferences = person.id === `${run}-a5` ? { preferences: { promo: true, channels: { sms: false } } } : {};
      expect((await stack.api('POST', '/api/clients', { ...person, timezone: 'UTC', ...preferences })).status).toBe(201);
    }
    for (const [tag, channel] of [[`${run}-sms`, 'sms'], [`${run}-email`, 'email']]) {
      const created = await stack.api('POST', '/api/mailings', {
        text: 'Hello {{name}}', channel, startAt: iso(Date.now()), endAt: iso(Date.now() + 10 * 60_000), filter: { tags: [tag], operatorCodes: [] },
      });
      expect(created.status).toBe(201);
      mailingIds.push(created.body.id);
    }
    // An operator's template test: it reaches its address but is no traffic, so no report counts it.
    const template = await stack.api('POST', '/api/templates', { defaultLocale: 'en', variants: { en: { email: { subject: 'Test', text: 'A test' } } } });
    expect((await stack.api('POST', `/api/templates/${template.body.id}/test-send`, { channel: 'email', to: `operator.${run}@example.com`, clientId: `${run}-a1` })).status).toBe(202);

    const final = async (id: string | undefined, expected: Record<string, number>) =>
      sameCounts(nonZero((await stack.api('GET', `/api/stats/mailings/${id}`)).body.byStatus ?? {}), expected);
    await waitFor(async () => (await final(mailingIds[0], { sent: 3, failed: 1, suppressed: 1 })) && (await final(mailingIds[1], { sent: 1, failed: 1, suppressed: 1 })),
      { timeoutMs: 90_000, description: 'both mailings final: sms 3 sent, 1 failed, 1 suppressed; email 1 sent, 1 failed, 1 suppressed' });
    await waitFor(() => smtp.messagesTo(`operator.${run}@example.com`).length === 1, { timeoutMs: 30_000, description: 'the test send' });
    await pipelineIdle();
  });

  afterAll(async () => {
    for (const scheduler of [...schedulers]) await scheduler.stop({ keepData: true }).catch(() => undefined);
    await stack?.stop();
    await Promise.all([sms?.stop(), smtp?.stop()]);
    await kt.cleanup();
  });

  it('arrives once per recipient from two schedulers and a restart, with the statistics API\'s totals for the day', async () => {
    const a = await startScheduler(1);
    const b = await startScheduler(1);
    for (const address of recipients) {
      await waitFor(() => reportsTo(address, today).length > 0, { timeoutMs: 60_000, description: `the report to ${address}` });
    }
    await waitFor(() => settled(a.lines, today) && settled(b.lines, today), { timeoutMs: 30_000, description: 'both schedulers settled the day' });
    await stopScheduler(a.scheduler);
    const restarted = await startScheduler(1);
    await waitFor(() => restarted.lines.some((l) => l.day === today && l.msg === 'daily report already sent'),
      { timeoutMs: 30_000, description: 'the restarted scheduler found the day sent' });
    await waitFor(async () => (await stack.api('GET', '/api/stats/channels?sourceType=report')).body.items[0]?.byStatus.sent === 2,
      { timeoutMs: 30_000, description: 'both reports recorded as sent' });
    await pipelineIdle();

    // Exactly once: one email per recipient, from one command each (the claim kept the second scheduler out).
    for (const address of recipients) expect(reportsTo(address, today)).toHaveLength(1);
    expect((await reportCommands(today)).map((c) => c.address).sort()).toEqual([...recipients].sort());
    expect(await stack.runtime.redis('test').get(KEYS.dailyReport(today))).toBe('sent');

    // The same numbers as the statistics API's for the same range.
    const [report] = reportsTo(recipients[0] as string, today);
    const parsed = parseReport(report?.text ?? '');
    const api = await apiTotals();
    expect(parsed.from).toBe(from);
    expect(parsed.to).toBe(to);
    expect(api.echo.from).toBe(from);
    expect(parsed.mailings).toEqual(api.mailings);
    expect(parsed.channels).toEqual(api.channels);
    expect(parsed.failures).toEqual(api.failures);
    // ...which are the day's traffic: the test send and the reports themselves are not in them.
    expect(parsed.mailings).toEqual(new Map([
      [mailingIds[0], { total: 5, byStatus: { sent: 3, failed: 1, suppressed: 1 } }],
      [mailingIds[1], { total: 3, byStatus: { sent: 1, failed: 1, suppressed: 1 } }],
    ]));
    expect(parsed.channels).toEqual(new Map([
      ['sms', { total: 5, byStatus: { sent: 3, failed: 1, suppressed: 1 } }],
      ['email', { total: 3, byStatus: { sent: 1, failed: 1, suppressed: 1 } }],
    ]));
    expect(parsed.all).toEqual({ total: 8, byStatus: { sent: 4, failed: 2, suppressed: 2 } });
    expect(parsed.failures).toHaveLength(2);
    expect(report?.subject).toBe(`Vestnik daily report ${today}: 8 messages, 2 failed`);
    expect(report?.html).toContain('<td>sms</td><td>5</td>');
  });

  it('is rendered from the admin\'s template when DAILY_REPORT_TEMPLATE_ID names one', async () => {
    const created = await stack.api('POST', '/api/templates', {
      name: 'Our daily report', defaultLocale: 'en',
      variants: { en: { email: {
        subject: 'Deliveries {{day}} ({{timezone}})',
        text: 'channels {{#each channels}}{{channel}}={{total}};{{/each}} mailings {{#each mailings}}{{id}}={{total}}/{{byStatus.sent}};{{/each}} failures {{#each failures}}{{count}};{{/each}}',
        html: '<p>{{all.total}} messages, {{all.byStatus.failed}} failed</p>',
      } } },
    });
    expect(created.status).toBe(201);
    // The day is reported again, to someone else, as if it had not been: its claim is removed.
    await stack.runtime.redis('test').del(KEYS.dailyReport(today));
    const reader = `reader.${run}@example.com`;
    const custom = await startScheduler(1, { DAILY_REPORT_TO: reader, DAILY_REPORT_TEMPLATE_ID: created.body.id });
    const [email] = await waitFor(() => (reportsTo(reader, today).length > 0 ? reportsTo(reader, today) : null),
      { timeoutMs: 60_000, description: 'the report in the admin\'s template' });
    await stopScheduler(custom.scheduler);

    const api = await apiTotals();
    const [smsMailing, emailMailing] = mailingIds;
    expect(email?.subject).toBe(`Deliveries ${today} (${zone})`);
    expect(email?.text.trim()).toBe(
      `channels sms=${api.channels.get('sms')?.total};email=${api.channels.get('email')?.total}; `
      + `mailings ${smsMailing}=5/3;${emailMailing}=3/1; failures 1;1;`,
    );
    expect(email?.html).toContain('<p>8 messages, 2 failed</p>');
  });

  it('is redone with the same delivery ids when a scheduler dies between producing it and marking it sent: still one email each', async () => {
    const days = 2;
    const day = tomorrow; // what a clock two days ahead reports: no traffic, an empty report
    const redis = stack.runtime.redis('dying-scheduler');
    const claims = createReportClaims({ redis, ownerId: 'dying' });
    const dying = createDailyReport({
      config: { recipients, at: '07:00', timezone: zone },
      claims: { ...claims, markSent: async () => { throw new Error('killed before marking the day sent'); } },
      totals: createDayTotals({ client: stack.runtime.clickhouse(), database: stack.runtime.config.clickhouse.database }),
      directory: createDirectoryReader(redis),
      deliveries: createExpressDeliveries(await stack.runtime.producer()),
      renderer: createRenderer(),
      logger: createLogger({ level: 'silent' }),
    });
    await expect(dying.runIfDue(Date.now() + days * DAY_MS)).rejects.toThrow('killed');
    expect(await redis.get(KEYS.dailyReport(day))).toBe('claimed:dying');
    // Its lease runs out (time passes), and a running scheduler takes the day over.
    await redis.pexpire(KEYS.dailyReport(day), 100);
    const next = await startScheduler(days);
    await waitFor(() => next.lines.some((l) => l.day === day && l.msg === 'daily report queued'), { timeoutMs: 60_000, description: 'the redo' });
    await waitFor(async () => (await reportCommands(day)).length === 4, { timeoutMs: 30_000, description: 'both rounds on deliveries.express' });
    await pipelineIdle();

    const commands = await reportCommands(day);
    for (const address of recipients) {
      expect(reportsTo(address, day)).toHaveLength(1);
      const ids = commands.filter((c) => c.address === address).map((c) => c.deliveryId);
      expect(ids).toHaveLength(2);
      expect(ids[0]).toBe(ids[1]);
    }
    expect(await redis.get(KEYS.dailyReport(day))).toBe('sent');
  });
});

describe('the report claim on Redis', () => {
  const prefix = `vestnik-test-${uniqueName('report-claim')}:`;
  let redis: Redis;
  beforeAll(() => {
    redis = createRedis({ url: TEST_REDIS_URL, keyPrefix: prefix, logger: silentLogger, name: 'report-claim-test' });
  });
  afterAll(async () => {
    await deleteKeysWithPrefix(prefix);
    await redis.quit();
  });

  it('goes to one scheduler at a time, back on release, to nobody once sent', async () => {
    const [a, b] = [createReportClaims({ redis, ownerId: 'a' }), createReportClaims({ redis, ownerId: 'b' })];
    const day = '2026-12-03';
    expect(await Promise.all([a.claim(day), b.claim(day)])).toEqual(['claimed', 'held']);
    const pttl = await redis.pttl(KEYS.dailyReport(day));
    expect(pttl).toBeGreaterThan(CLAIM_MS - 5_000);
    expect(pttl).toBeLessThanOrEqual(CLAIM_MS);
    await b.release(day); // not b's: nothing changes
    expect(await b.claim(day)).toBe('held');
    await a.release(day);
    expect(await b.claim(day)).toBe('claimed');
    await b.markSent(day);
    expect(await a.claim(day)).toBe('sent');
    expect(await b.claim(day)).toBe('sent');
    expect(await redis.ttl(KEYS.dailyReport(day))).toBeGreaterThan(SENT_TTL_S - 60);
    await b.release(day); // a sent day is never given back
    expect(await a.claim(day)).toBe('sent');
  });
});
