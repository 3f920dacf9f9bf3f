import request from 'supertest';
import { KEYS, NOW, bearer, createTestApp } from '../../tests/doubles/test-app';

const service = bearer(KEYS.service);

function setup() {
  const t = createTestApp();
  return { ...t, http: request(t.app.callback()) };
}

const bodies = {
  'user-registered': { userId: 'c-1', email: 'ann@example.com', name: 'Ann' },
  'episode-released': { seriesId: 's-1', seriesTitle: 'S', episodeId: 'e-1', episodeTitle: 'E', url: 'https://x.test/e-1' },
  'notification-requested': { templateId: 't-1', userIds: ['c-1'] },
  'user-activity': { userId: 'c-1', actorId: 'c-2', actorName: 'Bob', kind: 'comment', objectId: 'o-1' },
};

describe('POST /api/events/{type}', () => {
  it.each(Object.entries(bodies))('publishes %s to its topic with ids filled (202)', async (type, body) => {
    const { http, events } = setup();
    const res = await http.post(`/api/events/${type}`).set('Authorization', service).send(body);
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ id: 'id-1' });
    expect(events.published).toHaveLength(1);
    const [record] = events.published;
    expect(record?.topic).toBe(`events.${type}`);
    const idField = type === 'notification-requested' ? 'requestId' : 'eventId';
    expect(record?.value).toMatchObject({ ...body, [idField]: 'id-1', occurredAt: NOW });
  });

  it('keeps the given event id and occurredAt, keys by the entity id', async () => {
    const { http, events } = setup();
    const body = { ...bodies['user-registered'], eventId: 'ev-7', occurredAt: 123 };
    const res = await http.post('/api/events/user-registered').set('Authorization', service).send(body);
    expect(res.body).toEqual({ id: 'ev-7' });
    expect(events.published[0]).toMatchObject({ key: 'c-1', value: { eventId: 'ev-7', occurredAt: 123 } });
  });

  it('answers 422 with the failing Avro paths', async () => {
    const { http, events } = setup();
    const res = await http
      .post('/api/events/user-registered')
      .set('Authorization', service)
      .send({ ...bodies['user-registered'], email: 42 });
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: ['email'] });
    expect(events.published).toHaveLength(0);
  });

  it('answers 422 when the key field is missing', async () => {
    const { http } = setup();
    const res = await http.post('/api/events/user-activity').set('Authorization', service).send({ actorId: 'x' });
    expect(res.status).toBe(422);
    expect(res.body.error.details).toEqual([expect.objectContaining({ path: 'userId' })]);
  });

  it('answers 422 to a body that is not an object', async () => {
    const { http } = setup();
    const res = await http.post('/api/events/user-activity').set('Authorization', service).send([1, 2]);
    expect(res.status).toBe(422);
  });

  it('answers 404 to an unknown event type', async () => {
    const { http } = setup();
    const res = await http.post('/api/events/mailing-started').set('Authorization', service).send({ mailingId: 'm' });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('NOT_FOUND');
  });
});

describe('POST /api/notifications', () => {
  it('publishes a notification request stamped with the caller', async () => {
    const { http, events } = setup();
    const res = await http.post('/api/notifications').set('Authorization', service).send(bodies['notification-requested']);
    expect(res.status).toBe(202);
    expect(events.published[0]).toMatchObject({
      topic: 'events.notification-requested',
      key: 'id-1',
      value: { requestId: 'id-1', priority: 'bulk', requestedBy: expect.stringMatching(/^key:[0-9a-f]{12}$/) },
    });
    expect(JSON.stringify(events.published[0])).not.toContain(KEYS.service);
  });
});

describe('DELETE /api/notifications/{id}', () => {
  it('cancels a scheduled recurring request, then says it is gone', async () => {
    const { app, recurring } = createTestApp();
    recurring.ids.add('r-1');
    const first = await request(app.callback()).delete('/api/notifications/r-1').set('authorization', bearer(KEYS.service));
    expect(first.status).toBe(204);
    expect(recurring.ids.has('r-1')).toBe(false);
    const second = await request(app.callback()).delete('/api/notifications/r-1').set('authorization', bearer(KEYS.service));
    expect(second.status).toBe(404);
    expect(second.body.error.code).toBe('NOT_FOUND');
  });

  it('needs the service role', async () => {
    const { app } = createTestApp();
    const response = await request(app.callback()).delete('/api/notifications/r-1').set('authorization', bearer(KEYS.stats));
    expect(response.status).toBe(403);
  });
});
