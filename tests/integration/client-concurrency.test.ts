/**
 * An opt-out (PATCH through the API) and the push sender's dead-token cleanup race on the same client,
 * on the real Kafka state topic and Redis view: both changes survive, every round. Before, the cleanup
 * read the whole client, dropped the token and put it back, so an opt-out landing in between was undone.
 */
import request from 'supertest';
import { removeDeviceTokens } from '../../platform/device-tokens';
import { KEYS, bearer, createTestApp } from '../doubles/test-app';
import { uniqueName } from '../support/unique';
import { useViewWorld } from '../support/view-world';

jest.setTimeout(120_000);

const world = useViewWorld('cas');

it('an opt-out and a token cleanup racing on one client both survive, every round', async () => {
  const { clients } = world();
  const http = request(createTestApp({ clients }).app.callback());
  for (let round = 0; round < 6; round++) {
    const id = uniqueName(`cas-${round}`);
    await clients.put({
      id, phone: '79001234567', operatorCode: '900', tags: [], timezone: 'UTC', email: 'a@example.com', emailConfirmed: false,
      name: 'Ann', locale: 'en', deviceTokens: ['dead', 'live'], preferences: { promo: true, channels: {}, quietHours: null },
      subscriptions: [], updatedAt: 1,
    });
    const [optOut, cleaned] = await Promise.all([
      http.patch(`/api/clients/${id}`).set('Authorization', bearer(KEYS.admin))
        .send({ preferences: { promo: false, channels: { sms: false }, quietHours: null } }),
      removeDeviceTokens(clients, id, ['dead']),
    ]);
    expect(optOut.status).toBe(200);
    expect(cleaned).toBe(true);
    const stored = await clients.get(id);
    expect(stored?.preferences).toEqual({ promo: false, channels: { sms: false }, quietHours: null });
    expect(stored?.deviceTokens).toEqual(['live']);
  }
});
