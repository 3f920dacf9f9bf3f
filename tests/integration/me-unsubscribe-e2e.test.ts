import jwt from 'jsonwebtoken';
import { deliveryIdOf } from '../../platform/ids';
import { createSmtpSink, type ReceivedEmail, type SmtpSink } from '../../simulators/smtp';
import { TEST_ADMIN_KEY, startStack, type TestStack } from '../support/stack';
import { uniqueName } from '../support/unique';
import { waitFor } from '../support/wait-for';
import { randomPhone } from '../support/clients';

jest.setTimeout(240_000);

/**
 * Topics are shared with other stacks running at the same time (each with its own groups), so a command
 * may come from another stack's fan-out: this stack keeps the default JWT secret (hence the same derived
 * unsubscribe secret) and the default PUBLIC_BASE_URL, and the test opens a link's path on its own API.
 */
const LINK = /^<(https?:\/\/[^>]+\/u\/[A-Za-z0-9_.-]+)>$/;

/** Users' own view and the one-click unsubscribe of promo email, through every wired role. */
describe('users\' own view and unsubscribe end to end', () => {
  let smtp: SmtpSink;
  let stack: TestStack;
  let userToken: (clientId: string) => string;
  /** The link's path on this stack's API (the link names PUBLIC_BASE_URL). */
  const onThisApi = (link: string) => `${stack.apiUrl}${new URL(link).pathname}`;
  let templateId: string;

  beforeAll(async () => {
    smtp = createSmtpSink();
    await smtp.start();
    stack = await startStack({ roles: ['api', 'processors', 'senders', 'analytics', 'scheduler'], env: { SMTP_URL: smtp.url } });
    const secret = stack.runtime.config.auth.jwtSecret;
    userToken = (clientId) => jwt.sign({ sub: clientId }, secret, { algorithm: 'HS256', expiresIn: '1h' });
    const template = await stack.api('POST', '/api/templates', {
      defaultLocale: 'en',
      variants: { en: { email: { subject: 'Offer: {{offer}}', text: 'Hi {{name}}, {{offer}}', html: '<p>Hi {{name}}, {{offer}}</p>' } } },
    });
    expect(template.status).toBe(201);
    templateId = template.body.id;
  });

  afterAll(async () => {
    await stack?.stop();
    await smtp?.stop();
  });

  /** Calls the API with a given Authorization (or none); JSON in, JSON out. */
  async function call(method: string, path: string, authorization: string | null, body?: unknown) {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (authorization) headers.authorization = authorization;
    const response = await fetch(`${stack.apiUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  }

  async function client(name: string): Promise<{ id: string; email: string }> {
    const email = `${uniqueName(name.toLowerCase())}@example.com`;
    const phone = randomPhone();
    const response = await stack.api('POST', '/api/clients', { phone, timezone: 'UTC', name, email });
    expect(response.status).toBe(201);
    return { id: response.body.id, email };
  }

  async function notify(userId: string, offer: string, promo: boolean): Promise<string> {
    const accepted = await stack.api('POST', '/api/notifications', {
      templateId, userIds: [userId], contextJson: JSON.stringify({ offer }), promo, channels: ['email'],
    });
    expect(accepted.status).toBe(202);
    return accepted.body.id;
  }

  const mailWith = (email: string, offer: string): Promise<ReceivedEmail> =>
    waitFor(() => smtp.messagesTo(email).find((m) => m.subject === `Offer: ${offer}`), { timeoutMs: 60_000, description: `the "${offer}" email` });

  /** The user's own deliveries, as the user sees them, once `ready` holds. */
  const myNotifications = (id: string, ready: (items: { id: string; status: string; reason: string | null }[]) => boolean) =>
    waitFor(async () => {
      const res = await call('GET', '/api/me/notifications?limit=100', `Bearer ${userToken(id)}`);
      return res.status === 200 && ready(res.body.items) ? res.body.items as { id: string; status: string; reason: string | null }[] : null;
    }, { timeoutMs: 60_000, intervalMs: 500, description: 'the user\'s notifications' });

  const emailDelivery = (requestId: string, clientId: string) => deliveryIdOf('notification', requestId, clientId, 'email');

  let ann: { id: string; email: string };
  let bob: { id: string; email: string };
  const requests: Record<'promo1' | 'promo2' | 'plain', string> = { promo1: '', promo2: '', plain: '' };

  it('a promo email carries List-Unsubscribe headers and a link whose POST turns promo off', async () => {
    ann = await client('Ann');
    const offer = uniqueName('sale');
    requests.promo1 = await notify(ann.id, offer, true);
    const mail = await mailWith(ann.email, offer);

    const header = mail.headers['list-unsubscribe'] ?? '';
    const link = LINK.exec(header)?.[1];
    expect(link).toBeDefined();
    expect(mail.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
    expect(mail.text).toContain(`Unsubscribe from promotional messages: ${link}`);
    expect(mail.html).toContain(`href="${link}"`);

    // A mail scanner's prefetch (GET) only shows the confirmation page.
    const page = await fetch(onThisApi(link!));
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<form method="post">');
    expect((await stack.api('GET', `/api/clients/${ann.id}`)).body.preferences.promo).toBe(true);

    // The RFC 8058 one-click POST, as a mail client sends it: no auth, the token is the credential.
    const oneClick = await fetch(onThisApi(link!), {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click',
    });
    expect(oneClick.status).toBe(200);
    expect(await oneClick.text()).toContain('You are unsubscribed');
    expect((await stack.api('GET', `/api/clients/${ann.id}`)).body.preferences.promo).toBe(false);

    // A tampered token is a clear 404 page and changes nothing.
    const tampered = await fetch(`${onThisApi(link!).slice(0, -3)}abc`, { method: 'POST' });
    expect(tampered.status).toBe(404);
    expect(await tampered.text()).toContain('Link not valid');
  });

  it('after opting out the next promo is suppressed and not sent, while a non-promo message still arrives', async () => {
    const promoOffer = uniqueName('promo-after-optout');
    requests.promo2 = await notify(ann.id, promoOffer, true);
    const items = await myNotifications(ann.id, (list) => list.some((d) => d.id === emailDelivery(requests.promo2, ann.id)));
    expect(items.find((d) => d.id === emailDelivery(requests.promo2, ann.id))).toMatchObject({ status: 'suppressed', reason: 'promo opt-out' });

    // Requested after the suppression is recorded, so it is also the newer delivery in the listing below.
    const plainOffer = uniqueName('account-notice');
    requests.plain = await notify(ann.id, plainOffer, false);
    const plain = await mailWith(ann.email, plainOffer);
    expect(plain.headers['list-unsubscribe']).toBeUndefined();
    expect(plain.text).not.toContain('/u/');
    // The promo was requested before the plain message that has arrived: it was never sent.
    expect(smtp.messagesTo(ann.email).some((m) => m.subject.includes(promoOffer))).toBe(false);
  });

  it('promo email mailings carry the link too, and skip opted-out clients', async () => {
    const tag = uniqueName('promo-tag');
    bob = await client('Bob');
    expect((await stack.api('PATCH', `/api/clients/${bob.id}`, { tags: [tag] })).status).toBe(200);
    expect((await stack.api('PATCH', `/api/clients/${ann.id}`, { tags: [tag] })).status).toBe(200);
    const now = Date.now();
    const created = await stack.api('POST', '/api/mailings', {
      text: 'Spring sale for {{name}}', channel: 'email', promo: true, filter: { tags: [tag], operatorCodes: [] },
      startAt: new Date(now).toISOString(), endAt: new Date(now + 10 * 60_000).toISOString(),
    });
    expect(created.status).toBe(201);
    const mail = await waitFor(() => smtp.messagesTo(bob.email).find((m) => m.text.startsWith('Spring sale for Bob')), {
      timeoutMs: 60_000, description: "Bob's mailing email",
    });
    expect(mail.headers['list-unsubscribe']).toMatch(LINK);
    expect(mail.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
    const mailingDelivery = deliveryIdOf('mailing', created.body.id, ann.id, 'email');
    const items = await myNotifications(ann.id, (list) => list.some((d) => d.id === mailingDelivery));
    expect(items.find((d) => d.id === mailingDelivery)).toMatchObject({ status: 'suppressed', reason: 'promo opt-out' });
    expect(smtp.messagesTo(ann.email).some((m) => m.text.startsWith('Spring sale'))).toBe(false);
  });

  it("GET /api/me/notifications lists the caller's deliveries only, newest first, a page at a time", async () => {
    const own = [requests.plain, requests.promo2, requests.promo1].map((r) => emailDelivery(r, ann.id));
    const items = await myNotifications(ann.id, (list) => own.every((id) => list.some((d) => d.id === id)));
    const notificationIds = items.filter((d) => own.includes(d.id)).map((d) => d.id);
    expect(notificationIds).toEqual(own); // newest first
    const bobs = await myNotifications(bob.id, (list) => list.length > 0);
    for (const delivery of bobs) expect(own).not.toContain(delivery.id);
    expect(items.some((d) => bobs.some((b) => b.id === d.id))).toBe(false);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const path: string = `/api/me/notifications?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const page = await call('GET', path, `Bearer ${userToken(ann.id)}`);
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((d: { id: string }) => d.id));
      cursor = page.body.nextCursor;
    } while (cursor && seen.length < 50);
    expect(seen).toEqual(items.map((d) => d.id));
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('PUT /api/me/preferences changes the caller\'s preferences; keys and strangers cannot', async () => {
    const me = `Bearer ${userToken(ann.id)}`;
    const preferences = { promo: true, channels: { sms: false, email: true }, quietHours: { from: '23:00', to: '07:00' } };
    const put = await call('PUT', '/api/me/preferences', me, preferences);
    expect(put.status).toBe(200);
    expect(put.body).toEqual(preferences);
    expect((await stack.api('GET', `/api/clients/${ann.id}`)).body.preferences).toEqual(preferences);
    expect((await call('GET', '/api/me/preferences', me)).body).toEqual(preferences);

    const invalid = await call('PUT', '/api/me/preferences', me, { ...preferences, channels: { fax: true } });
    expect(invalid.status).toBe(422);
    expect((await call('GET', '/api/me/notifications', null)).status).toBe(401);
    expect((await call('PUT', '/api/me/preferences', null, preferences)).status).toBe(401);
    expect((await call('GET', '/api/me/notifications', `Bearer ${TEST_ADMIN_KEY}`)).status).toBe(403);
    expect((await call('PUT', '/api/me/preferences', `Bearer ${TEST_ADMIN_KEY}`, preferences)).status).toBe(403);
    expect((await call('GET', '/api/me/preferences', `Bearer ${userToken(uniqueName('ghost'))}`)).status).toBe(404);
  });
});
