/**
 * A user-registered event for a user who is not a client yet, on the real stack: the welcome processor
 * creates the client (GET /api/clients/{id}), the link in the welcome email confirms its email, and once
 * subscribed to a series the user gets the new-episode email like any client. A replayed registration
 * changes nothing and sends no second welcome.
 */
import { randomUUID } from 'node:crypto';
import { TOPICS } from '../../platform/topics';
import type { UserRegistered } from '../../schemas/types';
import { createSmtpSink, type SmtpSink } from '../../simulators/smtp';
import { startStack, type TestStack } from '../support/stack';
import { uniqueName } from '../support/unique';
import { waitFor } from '../support/wait-for';

jest.setTimeout(180_000);

let smtp: SmtpSink;
let stack: TestStack;
const created: string[] = [];

beforeAll(async () => {
  smtp = createSmtpSink();
  await smtp.start();
  stack = await startStack({ roles: ['api', 'processors', 'senders'], env: { SMTP_URL: smtp.url } });
});

afterAll(async () => {
  // The client went to the shared compacted state.clients topic: tombstoned so later runs do not replay it.
  for (const id of created) await stack?.api('DELETE', `/api/clients/${id}`);
  await stack?.stop();
  await smtp?.stop();
});

async function register(event: UserRegistered): Promise<void> {
  const producer = await stack.runtime.producer();
  await producer.send(TOPICS.userRegistered, [{ key: event.userId, value: event }], { schema: 'events.user-registered' });
}

describe('user-registered for a user who is not a client', () => {
  const event: UserRegistered = {
    eventId: `evt-${randomUUID()}`, occurredAt: Date.now(), userId: uniqueName('new-user').replace(/[^A-Za-z0-9._:-]/g, '-'),
    email: `${uniqueName('newcomer')}@example.test`, name: 'Ann Lee', locale: 'en', timezone: 'Europe/Berlin',
  };
  let code = '';

  it('creates the client from the event, and sends the welcome email with a link', async () => {
    created.push(event.userId);
    await register(event);
    const client = await waitFor(async () => {
      const response = await stack.api('GET', `/api/clients/${event.userId}`);
      return response.status === 200 ? response.body : null;
    }, { timeoutMs: 60_000, description: 'the new client in the directory' });
    expect(client).toMatchObject({
      id: event.userId, email: event.email, emailConfirmed: false, name: 'Ann Lee', locale: 'en', timezone: 'Europe/Berlin',
      phone: '', tags: [], subscriptions: [],
    });
    const [welcome] = await waitFor(() => {
      const messages = smtp.messagesTo(event.email);
      return messages.length > 0 ? messages : null;
    }, { timeoutMs: 60_000, description: 'the welcome email' });
    code = /\/l\/([A-Za-z0-9_-]+)/.exec(welcome!.text)?.[1] ?? '';
    expect(code).not.toBe('');
  });

  it('the confirmation link marks the client\'s email confirmed', async () => {
    const opened = await fetch(`${stack.apiUrl}/l/${code}`, { redirect: 'manual' });
    expect(opened.status).toBe(302);
    await waitFor(async () => (await stack.api('GET', `/api/clients/${event.userId}`)).body?.emailConfirmed === true,
      { timeoutMs: 30_000, description: 'the email confirmed' });
  });

  it('a replayed registration changes nothing and sends no second welcome', async () => {
    const before = (await stack.api('GET', `/api/clients/${event.userId}`)).body;
    await register(event);
    // A later registration of another user is the marker that the replay was handled.
    const other: UserRegistered = { ...event, eventId: `evt-${randomUUID()}`, userId: `${event.userId}-b`, email: `b-${event.email}` };
    created.push(other.userId);
    await register(other);
    await waitFor(async () => (await stack.api('GET', `/api/clients/${other.userId}`)).status === 200,
      { timeoutMs: 60_000, description: 'the marker registration handled' });
    expect((await stack.api('GET', `/api/clients/${event.userId}`)).body).toEqual(before);
    expect(smtp.messagesTo(event.email)).toHaveLength(1);
  });

  it('once subscribed to a series, the new episode reaches them by email', async () => {
    const series = uniqueName('series');
    const patched = await stack.api('PATCH', `/api/clients/${event.userId}`, { subscriptions: [series] });
    expect(patched.status).toBe(200);
    const title = uniqueName('Truths');
    const released = await stack.api('POST', '/api/events/episode-released', {
      eventId: uniqueName('evt'), occurredAt: Date.now(), seriesId: series, seriesTitle: 'Dark', episodeId: uniqueName('e'),
      episodeTitle: title, seasonNumber: 1, episodeNumber: 5, url: 'https://films.test/dark/1/5',
    });
    expect(released.status).toBe(202);
    await waitFor(() => smtp.messagesTo(event.email).some((m) => m.subject.includes(title) || m.text.includes(title)),
      { timeoutMs: 60_000, description: 'the episode email to the new user' });
  });
});
