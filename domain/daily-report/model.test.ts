import type { Mailing } from '../../schemas/types';
import { buildReportModel, mailingLabel, type DayTotals } from './model';
import { reportDayOf } from './schedule';

const mailing = (id: string, text: string | null, templateId: string | null = null): Mailing => ({
  id, text, templateId, startAt: 0, endAt: 1, filter: { operatorCodes: [], tags: [] }, channel: 'sms', sendWindow: null,
  promo: false, priority: 'bulk', status: 'finished', createdAt: 0, updatedAt: 0,
});

const totals: DayTotals = {
  mailings: [
    { mailingId: 'm-small', total: 2, byStatus: { sent: 2 } },
    { mailingId: 'm-gone', total: 5, byStatus: { failed: 1, sent: 4 } },
    { mailingId: 'm-big', total: 5, byStatus: { suppressed: 1, sent: 3, failed: 1 } },
  ],
  channels: [
    { channel: 'email', total: 3, byStatus: { sent: 2, failed: 1 } },
    { channel: 'sms', total: 9, byStatus: { queued: 0, sent: 7, failed: 1, suppressed: 1 } },
  ],
  failures: [{ reason: 'HTTP 400', count: 2 }],
};

describe('buildReportModel', () => {
  const model = buildReportModel({
    range: reportDayOf('2026-10-25', 'Europe/Berlin'),
    timezone: 'Europe/Berlin',
    totals,
    mailings: new Map([['m-small', mailing('m-small', 'Hello {{name}},\n  our   autumn sale')], ['m-big', mailing('m-big', null, 'tpl-1')]]),
    generatedAt: Date.parse('2026-10-26T06:00:00Z'),
  });

  it('names the day, its zone, its instants and its length', () => {
    expect(model).toMatchObject({
      day: '2026-10-25', timezone: 'Europe/Berlin', from: '2026-10-24T22:00:00.000Z', to: '2026-10-25T23:00:00.000Z', hours: 25,
      generatedAt: '2026-10-26T06:00:00.000Z',
    });
  });

  it('sums every channel into the day\'s totals, statuses in lifecycle order, zeros left out', () => {
    expect(model.all).toEqual({
      total: 12,
      byStatus: { sent: 9, suppressed: 1, failed: 2 },
      statuses: [{ status: 'sent', count: 9 }, { status: 'failed', count: 2 }, { status: 'suppressed', count: 1 }],
    });
  });

  it('lists channels in a fixed order and mailings by size, then id, with labels', () => {
    expect(model.channels.map((c) => [c.channel, c.total])).toEqual([['sms', 9], ['email', 3]]);
    expect(model.channels[0]?.statuses).toEqual([{ status: 'sent', count: 7 }, { status: 'failed', count: 1 }, { status: 'suppressed', count: 1 }]);
    expect(model.mailings.map((m) => [m.id, m.label, m.total])).toEqual([
      ['m-big', 'template tpl-1', 5], ['m-gone', null, 5], ['m-small', 'Hello {{name}}, our autumn sale', 2],
    ]);
    expect(model.failures).toEqual([{ reason: 'HTTP 400', count: 2 }]);
  });

  it('is empty, not missing, on a day without messages', () => {
    const empty = buildReportModel({
      range: reportDayOf('2026-12-03', 'UTC'), timezone: 'UTC', totals: { mailings: [], channels: [], failures: [] }, mailings: new Map(), generatedAt: 0,
    });
    expect(empty).toMatchObject({ hours: 24, all: { total: 0, byStatus: {}, statuses: [] }, mailings: [], channels: [], failures: [] });
  });

  it('keeps an unknown status after the known ones', () => {
    const odd = buildReportModel({
      range: reportDayOf('2026-12-03', 'UTC'), timezone: 'UTC', generatedAt: 0, mailings: new Map(),
      totals: { mailings: [], channels: [{ channel: 'push', total: 2, byStatus: { zeta: 1, sent: 1 } }], failures: [] },
    });
    expect(odd.channels[0]?.statuses.map((s) => s.status)).toEqual(['sent', 'zeta']);
  });
});

describe('mailingLabel', () => {
  it('shortens a long text to one line', () => {
    const label = mailingLabel(mailing('m', `${'word '.repeat(30)}end`));
    expect(label).toHaveLength(60);
    expect(label?.endsWith('…')).toBe(true);
  });

  it('names the template of a mailing without text, and nothing for a deleted one', () => {
    expect(mailingLabel(mailing('m', null, 't-1'))).toBe('template t-1');
    expect(mailingLabel(null)).toBeNull();
  });
});
