import { deliveryIdOf } from '../../platform/ids';
import { startStack, TEST_ADMIN_KEY, type TestStack } from '../support/stack';
import { uniqueName } from '../support/unique';
import { waitFor } from '../support/wait-for';
import { createTestClient } from '../support/clients';
import { channelStats, connectSocket, postUserActivity, userToken, type TestSocket } from '../support/inapp';

/**
 * events.user-activity → processors → deliveries.express → senders (in-app inbox in Redis) → the API's
 * websocket gateway, on the real stack; statuses through analytics into ClickHouse.
 */
describe('in-app notifications end to end', () => {
  let stack: TestStack;
  let wsUrl: string;
  const open: TestSocket[] = [];

  beforeAll(async () => {
    stack = await startStack({ roles: ['api', 'processors', 'senders', 'analytics'] });
    wsUrl = `${stack.apiUrl.replace(/^http/, 'ws')}/ws`;
  }, 240_000);

  afterAll(async () => {
    await Promise.all(open.map((socket) => socket.close()));
    await stack?.stop();
  });

  const tokenFor = (userId: string, secret?: string) => userToken(stack, userId, secret);

  const client = (fields: Record<string, unknown> = {}) => createTestClient(stack, { name: 'Ann', locale: 'en', ...fields });

  const activity = (userId: string, fields: Record<string, unknown> = {}) => postUserActivity(stack, userId, fields);

  async function connect(options: { token?: string; header?: string } = {}): Promise<TestSocket> {
    const socket = await connectSocket(wsUrl, options);
    open.push(socket);
    return socket;
  }

  /** The HTTP status an upgrade attempt is answered with (101 when it is accepted). */
  function upgradeStatus(options: { token?: string; header?: string }): Promise<number> {
    return connect(options).then(
      async (socket) => {
        await socket.close();
        return 101;
      },
      (error: Error) => Number(/refused with (\d+)/.exec(error.message)?.[1] ?? Number.NaN),
    );
  }

  const deliveryOf = (eventId: string, userId: string) => deliveryIdOf('activity', eventId, userId, 'inapp');

  /** Waits until analytics (ClickHouse) shows the event's in-app delivery with this status. */
  async function statusInClickHouse(eventId: string, status: string): Promise<void> {
    await waitFor(async () => {
      const row = await channelStats(stack, 'activity', eventId, 'inapp');
      return row?.byStatus?.[status] === 1;
    }, { timeoutMs: 45_000, intervalMs: 250, description: `${status} of ${eventId} in ClickHouse` });
  }

  // Another user's socket stays open through every test: it must never see their messages.
  let bystander: string;
  let bystanderSocket: TestSocket;
  const seenByOthers: string[] = [];

  beforeAll(async () => {
    bystander = await client({ name: 'Zed' });
    bystanderSocket = await connect({ token: tokenFor(bystander) });
  });

  it('delivers a live notification to a connected user', async () => {
    const user = await client({ name: 'Ann' });
    const socket = await connect({ header: `Bearer ${tokenFor(user)}` });
    const eventId = await activity(user, { objectTitle: 'Summer photos' });
    seenByOthers.push(deliveryOf(eventId, user));
    const [frame] = await waitFor(() => (socket.notifications().length > 0 ? socket.notifications() : null), {
      timeoutMs: 45_000, description: 'the live notification',
    });
    expect(frame).toEqual({
      type: 'notification', id: deliveryOf(eventId, user), title: 'New like', text: 'Bob liked your Summer photos',
      url: 'https://app.example.test/posts/1', createdAt: expect.any(Number),
    });
    await statusInClickHouse(eventId, 'sent');
  });

  it('queues messages for a disconnected user and delivers them on connect, oldest first, each once; read marks work', async () => {
    const user = await client({ name: 'Иван', locale: 'ru' });
    const eventIds: string[] = [];
    for (const kind of ['like', 'comment', 'follow']) eventIds.push(await activity(user, { kind, actorName: `actor-${kind}` }));
    const ids = eventIds.map((eventId) => deliveryOf(eventId, user));
    seenByOthers.push(...ids);
    // Sent = in the user's inbox (and counted in ClickHouse) while nobody is connected.
    for (const eventId of eventIds) await statusInClickHouse(eventId, 'sent');

    const first = await connect({ token: tokenFor(user) });
    await waitFor(() => first.notifications().length >= 3, { timeoutMs: 15_000, description: 'the three queued notifications' });
    expect(first.notifications().map((f) => f.id)).toEqual(ids);
    expect(first.notifications().map((f) => f.text)).toEqual([
      'actor-like оценил(а) «Summer photos»', 'actor-comment прокомментировал(а) «Summer photos»', 'actor-follow подписался(-ась) на вас',
    ]);
    await first.close();

    // Reconnect: none of the three again. A fourth event afterwards is the marker that the socket is live.
    const second = await connect({ token: tokenFor(user) });
    const marker = await activity(user, { kind: 'follow' });
    seenByOthers.push(deliveryOf(marker, user));
    await waitFor(() => second.notifications().length > 0, { timeoutMs: 45_000, description: 'the marker notification' });
    expect(second.notifications().map((f) => f.id)).toEqual([deliveryOf(marker, user)]);

    second.send({ type: 'read', id: ids[0] });
    await waitFor(() => second.frames.some((f) => f.type === 'read'), { timeoutMs: 10_000, description: 'the read ack' });
    expect(second.frames.filter((f) => f.type === 'read')).toEqual([{ type: 'read', id: ids[0] }]);
    second.send({ type: 'read', id: 'not-a-message-of-mine' });
    second.send({ type: 'history', limit: 10 });
    const history = await waitFor(() => second.frames.find((f) => f.type === 'history'), { timeoutMs: 10_000, description: 'the history' });
    expect(history.items.map((i: any) => [i.id, i.read])).toEqual([
      [deliveryOf(marker, user), false], [ids[2], false], [ids[1], false], [ids[0], true],
    ]);
    expect(second.frames.find((f) => f.type === 'error')).toEqual({
      type: 'error', code: 'NOT_FOUND', message: 'no such message', id: 'not-a-message-of-mine',
    });
    // Another user cannot mark them: from the bystander's socket the id is not found.
    bystanderSocket.send({ type: 'read', id: ids[1] });
    await waitFor(() => bystanderSocket.frames.some((f) => f.type === 'error' && f.id === ids[1]), { timeoutMs: 10_000, description: 'refusal' });
    await second.close();
  });

  it('suppresses users who opted out of in-app and users not in the directory', async () => {
    const optedOut = await client({ preferences: { promo: true, channels: { inapp: false } } });
    const optedOutEvent = await activity(optedOut);
    const unknownEvent = await activity(uniqueName('nobody'));
    await statusInClickHouse(optedOutEvent, 'suppressed');
    await statusInClickHouse(unknownEvent, 'suppressed');
  });

  it('refuses an upgrade without a valid user JWT (401)', async () => {
    const user = await client();
    expect(await upgradeStatus({})).toBe(401);
    expect(await upgradeStatus({ token: 'garbage' })).toBe(401);
    expect(await upgradeStatus({ token: tokenFor(user, 'another-secret-that-is-long-enough') })).toBe(401);
    expect(await upgradeStatus({ header: `Bearer ${TEST_ADMIN_KEY}` })).toBe(401); // an API key is not a user
    expect(await upgradeStatus({ token: tokenFor(user) })).toBe(101);
  });

  it("never shows a user another user's messages", async () => {
    // The bystander's socket works: its own notification arrives, and nothing else ever did.
    const own = await activity(bystander, { kind: 'comment' });
    await waitFor(() => bystanderSocket.notifications().length > 0, { timeoutMs: 45_000, description: "the bystander's own notification" });
    expect(seenByOthers.length).toBeGreaterThanOrEqual(5);
    expect(bystanderSocket.notifications().map((f) => f.id)).toEqual([deliveryOf(own, bystander)]);
  });
});
