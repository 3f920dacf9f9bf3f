import { Writable } from 'node:stream';
import type { DayTotals } from '../../domain/daily-report/model';
import type { ExpressDeliveries } from '../../domain/deliveries/express';
import { deliveryIdOf } from '../../platform/ids';
import { createLogger } from '../../platform/logger';
import type { DeliveryCommand, DeliveryStatus, Mailing, Template } from '../../schemas/types';
import { createRenderer } from '../rendering/render';
import { createDailyReport, reportRecipientId, type DailyReportConfig } from './daily-report';
import { CLAIM_MS, type ClaimOutcome, type ReportClaims } from './daily-report-claim';

const at = (iso: string) => Date.parse(iso);
const DAY = '2026-12-03';
const DUE = at('2026-12-04T07:00:00Z');

/** The Redis claim's rules in memory, with leases on a clock the test moves. */
function memoryClaims(clock: { now: number }) {
  const keys = new Map<string, { value: string; until: number }>();
  const live = (day: string) => {
    const entry = keys.get(day);
    return entry && entry.until > clock.now ? entry.value : null;
  };
  return {
    keys,
    forOwner(owner: string, faults: { markSent?: () => void } = {}): ReportClaims {
      return {
        async claim(day): Promise<ClaimOutcome> {
          const value = live(day);
          if (value === null) {
            keys.set(day, { value: `claimed:${owner}`, until: clock.now + CLAIM_MS });
            return 'claimed';
          }
          return value === 'sent' ? 'sent' : 'held';
        },
        async markSent(day) {
          faults.markSent?.();
          keys.set(day, { value: 'sent', until: Infinity });
        },
        async release(day) {
          if (live(day) === `claimed:${owner}`) keys.delete(day);
        },
      };
    },
  };
}

const totals: DayTotals = {
  mailings: [{ mailingId: 'm-1', total: 3, byStatus: { sent: 2, failed: 1 } }],
  channels: [{ channel: 'sms', total: 3, byStatus: { sent: 2, failed: 1 } }, { channel: 'email', total: 1, byStatus: { sent: 1 } }],
  failures: [{ reason: 'HTTP 400', count: 1 }],
};

const mailing = { id: 'm-1', text: 'Autumn sale for {{name}}', templateId: null } as Mailing;

function world(options: { config?: Partial<DailyReportConfig>; templates?: Record<string, Template>; totalsFail?: () => boolean } = {}) {
  const clock = { now: DUE };
  const claims = memoryClaims(clock);
  const enqueued: { command: DeliveryCommand; status: DeliveryStatus }[] = [];
  const ranges: { fromMs: number; toMs: number }[] = [];
  const lines: { msg: string; templateId?: string }[] = [];
  const logger = createLogger({
    level: 'debug',
    destination: new Writable({ write(chunk, _encoding, done) { lines.push(JSON.parse(String(chunk))); done(); } }),
  });
  const deliveries: ExpressDeliveries = { enqueue: async (command, status) => { enqueued.push({ command, status }); } };
  const config: DailyReportConfig = { recipients: ['ops@example.com', 'Lead@Example.org'], at: '07:00', timezone: 'UTC', ...options.config };
  const scheduler = (owner: string, faults: { markSent?: () => void } = {}) => createDailyReport({
    config,
    claims: claims.forOwner(owner, faults),
    totals: {
      of: async (range) => {
        ranges.push(range);
        if (options.totalsFail?.()) throw new Error('ClickHouse is down');
        return totals;
      },
    },
    directory: {
      mailings: async (ids) => ids.map((id) => (id === 'm-1' ? mailing : null)),
      template: async (id) => options.templates?.[id] ?? null,
    },
    deliveries,
    renderer: createRenderer(),
    logger,
  });
  return { clock, claims, enqueued, ranges, lines, scheduler };
}

describe('the daily report', () => {
  it('is off without recipients: no claim, no query', async () => {
    const w = world({ config: { recipients: [] } });
    expect(await w.scheduler('a').runIfDue(DUE)).toBe('off');
    expect(w.claims.keys.size).toBe(0);
    expect(w.ranges).toEqual([]);
  });

  it('sends the previous day once its time has come: one express email per recipient, ids deterministic in day and recipient', async () => {
    const w = world();
    expect(await w.scheduler('a').runIfDue(DUE)).toBe('sent');
    expect(w.ranges).toEqual([{ day: DAY, fromMs: at('2026-12-03T00:00:00Z'), toMs: at('2026-12-04T00:00:00Z'), dueAt: DUE }]);
    expect(w.enqueued.map(({ command }) => command.address)).toEqual(['ops@example.com', 'Lead@Example.org']);
    for (const { command, status } of w.enqueued) {
      expect(command).toMatchObject({
        sourceType: 'report', sourceId: DAY, channel: 'email', priority: 'express', promo: false,
        clientId: reportRecipientId(command.address),
        deliveryId: deliveryIdOf('report', DAY, reportRecipientId(command.address), 'email'),
        expiresAt: at('2026-12-05T07:00:00Z'),
      });
      expect(command.clientId).not.toContain('@');
      expect(status).toMatchObject({ deliveryId: command.deliveryId, status: 'queued', reason: `daily report of ${DAY}` });
    }
    expect(w.claims.keys.get(DAY)?.value).toBe('sent');
  });

  it('renders the built-in template with the day\'s model', async () => {
    const w = world();
    await w.scheduler('a').runIfDue(DUE);
    const content = w.enqueued[0]?.command.content;
    expect(content?.subject).toBe('Vestnik daily report 2026-12-03: 4 messages, 1 failed');
    expect(content?.text).toContain('All messages: 4, sent 3, failed 1');
    expect(content?.text).toContain('  sms: 3, sent 2, failed 1\n  email: 1, sent 1\n');
    expect(content?.text).toContain('  m-1 "Autumn sale for {{name}}": 3, sent 2, failed 1\n');
    expect(content?.text).toContain('  1 x HTTP 400\n');
    expect(content?.text).toContain('from=2026-12-03T00:00:00.000Z&to=2026-12-04T00:00:00.000Z');
    expect(content?.html).toContain('<td>sms</td><td>3</td><td>sent 2, failed 1</td>');
  });

  it('before its time, the day before\'s report is the due one (already sent here): nothing more goes out', async () => {
    const w = world();
    w.claims.keys.set('2026-12-02', { value: 'sent', until: Infinity });
    expect(await w.scheduler('a').runIfDue(DUE - 1)).toBe('already-sent');
    expect(w.enqueued).toEqual([]);
  });

  it('goes out once however many schedulers look, and each asks Redis only once it knows the day is sent', async () => {
    const w = world();
    const [a, b] = [w.scheduler('a'), w.scheduler('b')];
    const runs = await Promise.all([a.runIfDue(DUE), b.runIfDue(DUE)]);
    expect(runs.sort()).toEqual(['held-elsewhere', 'sent']);
    expect(await b.runIfDue(DUE + 5_000)).toBe('already-sent');
    const restarted = w.scheduler('a2');
    expect(await restarted.runIfDue(DUE + 10_000)).toBe('already-sent');
    expect(w.enqueued).toHaveLength(2);
    expect(w.ranges).toHaveLength(1);
  });

  it('sends the next day at its own time', async () => {
    const w = world();
    const a = w.scheduler('a');
    await a.runIfDue(DUE);
    expect(await a.runIfDue(DUE + 86_400_000 - 1)).toBe('already-sent');
    expect(await a.runIfDue(DUE + 86_400_000)).toBe('sent');
    expect(w.enqueued.map(({ command }) => command.sourceId)).toEqual([DAY, DAY, '2026-12-04', '2026-12-04']);
  });

  it('after a claimant died between produce and "sent", another redoes it with the same delivery ids once the lease runs out', async () => {
    const w = world();
    const crashing = w.scheduler('a', { markSent: () => { throw new Error('process killed'); } });
    await expect(crashing.runIfDue(DUE)).rejects.toThrow('process killed');
    const first = w.enqueued.map(({ command }) => command.deliveryId);
    const b = w.scheduler('b');
    expect(await b.runIfDue(DUE + 1_000)).toBe('held-elsewhere');
    w.clock.now = DUE + CLAIM_MS;
    expect(await b.runIfDue(w.clock.now)).toBe('sent');
    const redo = w.enqueued.slice(first.length).map(({ command }) => command.deliveryId);
    expect(redo).toEqual(first); // the senders claim each id once: the redo sends nothing already sent
  });

  it('gives the day back when it fails, so the next look need not wait for the lease', async () => {
    let down = true;
    const w = world({ totalsFail: () => down });
    const a = w.scheduler('a');
    await expect(a.runIfDue(DUE)).rejects.toThrow('ClickHouse is down');
    expect(w.claims.keys.has(DAY)).toBe(false);
    down = false;
    expect(await w.scheduler('b').runIfDue(DUE + 5_000)).toBe('sent');
    expect(w.enqueued).toHaveLength(2);
  });

  describe('the admin\'s template (DAILY_REPORT_TEMPLATE_ID)', () => {
    const stored = (email: Template['variants'][string]['email']): Template => ({
      id: 'daily', name: null, defaultLocale: 'ru', contextProvider: null, updatedAt: 1,
      variants: { ru: { email, sms: null, push: null, inapp: null } },
    });

    it('replaces the built-in one, rendered with the same model', async () => {
      const template = stored({ subject: 'Отчёт {{day}}', text: '{{#each channels}}{{channel}}={{total}};{{/each}} {{failures.0.reason}}', html: '<b>{{all.total}}</b>' });
      const w = world({ config: { templateId: 'daily' }, templates: { daily: template } });
      await w.scheduler('a').runIfDue(DUE);
      expect(w.enqueued[0]?.command.content).toMatchObject({ subject: 'Отчёт 2026-12-03', text: 'sms=3;email=1; HTTP 400', html: '<b>4</b>' });
    });

    it.each([
      ['is missing', {}],
      ['has no email part', { daily: stored(null) }],
      ['does not compile', { daily: stored({ subject: '{{#each}}', text: 'x', html: null }) }],
    ])('falls back to the built-in one, with a warning, when it %s', async (_, templates) => {
      const w = world({ config: { templateId: 'daily' }, templates });
      expect(await w.scheduler('a').runIfDue(DUE)).toBe('sent');
      expect(w.enqueued[0]?.command.content.subject).toBe('Vestnik daily report 2026-12-03: 4 messages, 1 failed');
      expect(w.lines).toContainEqual(expect.objectContaining({ level: 40, templateId: 'daily' }));
    });
  });
});

describe('reportRecipientId', () => {
  it('is the same for an address in any case, and differs between addresses', () => {
    expect(reportRecipientId(' Ops@Example.com ')).toBe(reportRecipientId('ops@example.com'));
    expect(reportRecipientId('ops@example.com')).not.toBe(reportRecipientId('lead@example.com'));
    expect(reportRecipientId('ops@example.com')).toMatch(/^report:[0-9a-f]{24}$/);
  });
});
