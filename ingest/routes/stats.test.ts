import request from 'supertest';
import type { MessageStat } from '../../analytics/ports';
import { MailingStatsDetailSchema, MailingStatsListSchema } from '../openapi/stats';
import { KEYS, NOW, bearer, createTestApp } from '../../tests/doubles/test-app';
import type { Mailing } from '../../schemas/types';

const stats = bearer(KEYS.stats);

const mailing = (id: string): Mailing => ({
  id, text: 'hi', templateId: null, startAt: NOW, endAt: NOW + 1000, filter: { operatorCodes: [], tags: [] },
  channel: 'sms', sendWindow: null, promo: false, priority: 'bulk', status: 'running', createdAt: NOW, updatedAt: NOW,
});

const message = (n: number, status: string): MessageStat => ({
  deliveryId: `d-${n}`, clientId: `c-${n}`, channel: 'sms', status, attempts: 1, lastError: null,
  firstAt: new Date(NOW).toISOString(), lastAt: new Date(NOW).toISOString(),
});

async function setup(mailingCount = 3) {
  const t = createTestApp();
  for (let i = 1; i <= mailingCount; i++) await t.mailings.put(mailing(`m-${String(i).padStart(4, '0')}`));
  t.stats.messages.set('m-0001', [message(1, 'sent'), message(2, 'sent'), message(3, 'failed')]);
  return { ...t, http: request(t.app.callback()) };
}

describe('GET /api/stats/mailings', () => {
  it('lists every mailing with its counts; those without messages show zeros', async () => {
    const { http } = await setup();
    const res = await http.get('/api/stats/mailings').set('Authorization', stats).expect(200);
    const body = MailingStatsListSchema.parse(res.body);
    expect(body.items).toEqual([
      { id: 'm-0001', status: 'running', startAt: new Date(NOW).toISOString(), endAt: new Date(NOW + 1000).toISOString(), total: 3, byStatus: { sent: 2, failed: 1 } },
      expect.objectContaining({ id: 'm-0002', total: 0, byStatus: {} }),
      expect.objectContaining({ id: 'm-0003', total: 0, byStatus: {} }),
    ]);
  });

  it('counts only the messages of a range, and says which range', async () => {
    const { http, stats: fake } = await setup();
    fake.messages.set('m-0002', [{ ...message(4, 'sent'), lastAt: new Date(NOW + 3_600_000).toISOString() }]);
    const from = new Date(NOW + 1_800_000).toISOString();
    const to = new Date(NOW + 7_200_000).toISOString();
    const res = await http.get(`/api/stats/mailings?from=${from}&to=${to}`).set('Authorization', stats).expect(200);
    const body = MailingStatsListSchema.parse(res.body);
    expect(body).toMatchObject({ from, to });
    expect(body.items.map((m) => [m.id, m.total])).toEqual([['m-0001', 0], ['m-0002', 1], ['m-0003', 0]]);
  });

  it('accepts instants with an offset and answers them in UTC', async () => {
    const { http } = await setup();
    const res = await http.get('/api/stats/mailings?from=2026-12-03T00:00:00%2B03:00&to=2026-12-04T00:00:00%2B03:00').set('Authorization', stats).expect(200);
    expect(res.body).toMatchObject({ from: '2026-12-02T21:00:00.000Z', to: '2026-12-03T21:00:00.000Z' });
  });

  it.each([
    ['from=2026-12-03T00:00:00Z', 'to', 'from and to go together'],
    ['to=2026-12-03T00:00:00Z', 'from', 'from and to go together'],
    ['from=2026-12-03T00:00:00Z&to=2026-12-03T00:00:00Z', 'to', 'to must be after from'],
    ['from=2026-12-04T00:00:00Z&to=2026-12-03T00:00:00Z', 'to', 'to must be after from'],
    ['from=2026-11-01T00:00:00Z&to=2026-12-03T00:00:00Z', 'to', 'the range may span at most 31 days'],
    ['from=yesterday&to=2026-12-03T00:00:00Z', 'from', ''],
    ['from=2026-12-03T00:00:00&to=2026-12-04T00:00:00Z', 'from', ''],
  ])('answers 400 to %s, naming %s', async (query, path, message) => {
    const { http } = await setup();
    const res = await http.get(`/api/stats/mailings?${query}`).set('Authorization', stats).expect(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path, message: expect.stringContaining(message) })]));
  });

  it('walks past the first page of the store', async () => {
    const { http } = await setup(1203);
    const res = await http.get('/api/stats/mailings').set('Authorization', stats).expect(200);
    expect(res.body.items).toHaveLength(1203);
    expect(res.body.items[1202].id).toBe('m-1203');
  });
});

describe('GET /api/stats/mailings/{id}', () => {
  it('answers counts and a page of messages', async () => {
    const { http } = await setup();
    const first = await http.get('/api/stats/mailings/m-0001?limit=2').set('Authorization', stats).expect(200);
    const body = MailingStatsDetailSchema.parse(first.body);
    expect(body).toMatchObject({ id: 'm-0001', total: 3, byStatus: { sent: 2, failed: 1 } });
    expect(body.messages.map((m) => m.deliveryId)).toEqual(['d-1', 'd-2']);
    const second = await http.get(`/api/stats/mailings/m-0001?limit=2&cursor=${body.nextCursor}`).set('Authorization', stats).expect(200);
    expect(second.body.messages.map((m: MessageStat) => m.deliveryId)).toEqual(['d-3']);
    expect(second.body.nextCursor).toBeNull();
  });

  it('answers 404 for an unknown mailing', async () => {
    const { http } = await setup();
    const res = await http.get('/api/stats/mailings/nope').set('Authorization', stats);
    expect(res.status).toBe(404);
  });
});

describe('GET /api/stats/channels', () => {
  it('answers the counts per channel', async () => {
    const { http, stats: fake } = await setup();
    fake.channels.push({ channel: 'sms', byStatus: { sent: 5 } });
    const res = await http.get('/api/stats/channels?sourceType=mailing&sourceId=m-0001').set('Authorization', stats).expect(200);
    expect(res.body).toEqual({ items: [{ channel: 'sms', byStatus: { sent: 5 } }] });
  });

  it('passes a range on, and says which', async () => {
    const { http, stats: fake } = await setup();
    const res = await http.get('/api/stats/channels?from=2026-12-03T00:00:00Z&to=2026-12-04T00:00:00Z').set('Authorization', stats).expect(200);
    expect(res.body).toEqual({ from: '2026-12-03T00:00:00.000Z', to: '2026-12-04T00:00:00.000Z', items: [] });
    expect(fake.channelRanges).toEqual([{ fromMs: Date.parse('2026-12-03T00:00:00Z'), toMs: Date.parse('2026-12-04T00:00:00Z') }]);
  });

  it.each(['sourceType=planet', 'sourceId=m-1', 'from=2026-12-03T00:00:00Z', 'from=2026-12-03T00:00:00Z&to=2026-12-02T00:00:00Z'])('answers 400 to the query %s', async (query) => {
    const { http } = await setup();
    await http.get(`/api/stats/channels?${query}`).set('Authorization', stats).expect(400);
  });
});
