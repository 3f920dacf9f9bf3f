import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Redis from 'ioredis';
import WebSocket from 'ws';
import { createAuthenticator } from '../../ingest/middleware/auth';
import { createLogger } from '../../platform/logger';
import { createInappGateway, TOKEN_EXPIRED_CLOSE, type InappGateway } from '../../ingest/ws/gateway';
import { nowS, signHs256 } from '../doubles/test-app';
import { createInbox, type Inbox } from '../../senders/inapp/inbox';
import type { InboxMessage } from '../../senders/inapp/message';
import { deleteKeysWithPrefix, TEST_REDIS_URL } from '../support/redis';
import { uniqueName } from '../support/unique';
import { waitFor } from '../support/wait-for';

const SECRET = 'gateway-test-secret-0123456789';

/** One gateway process: an HTTP server, its gateway, its command and subscriber connections. */
async function startGatewayProcess(prefix: string) {
  const redis = new Redis(TEST_REDIS_URL, { keyPrefix: prefix, enableAutoPipelining: true });
  const subscriber = new Redis(TEST_REDIS_URL, { keyPrefix: prefix });
  const server = http.createServer((_req, res) => res.writeHead(404).end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const inbox = createInbox({ redis, inboxMax: 5, historyMax: 10 });
  const gateway: InappGateway = createInappGateway({
    server, authenticate: createAuthenticator({ apiKeys: [], jwtSecret: SECRET, clockToleranceS: 0 }), inbox, subscriber,
    logger: createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }), pingIntervalMs: 200,
  });
  const { port } = server.address() as AddressInfo;
  return {
    inbox,
    gateway,
    subscriber,
    url: `ws://127.0.0.1:${port}/ws`,
    async stop() {
      await gateway.close();
      await new Promise((resolve) => server.close(resolve));
      await subscriber.quit();
      await redis.quit();
    },
  };
}

/** The gateway on a real Redis and real sockets (no Kafka): live, queued, several gateways, keepalive. */
describe('in-app websocket gateway', () => {
  const prefix = `${uniqueName('gateway')}:`;
  let one: Awaited<ReturnType<typeof startGatewayProcess>>;
  let two: Awaited<ReturnType<typeof startGatewayProcess>>;
  let sender: Inbox;
  let senderRedis: Redis;
  const sockets: WebSocket[] = [];

  beforeAll(async () => {
    one = await startGatewayProcess(prefix);
    two = await startGatewayProcess(prefix);
    senderRedis = new Redis(TEST_REDIS_URL, { keyPrefix: prefix });
    sender = createInbox({ redis: senderRedis, inboxMax: 5, historyMax: 10 });
  });

  afterAll(async () => {
    for (const ws of sockets) ws.terminate();
    await one?.stop();
    await two?.stop();
    await senderRedis?.quit();
    await deleteKeysWithPrefix(prefix);
  });

  const message = (id: string): InboxMessage => ({ id, title: 't', text: `text ${id}`, url: null, createdAt: 1 });

  async function connect(url: string, userId: string, exp = nowS() + 600) {
    const ws = new WebSocket(`${url}?token=${signHs256({ sub: userId, exp }, SECRET)}`);
    sockets.push(ws);
    const frames: any[] = [];
    ws.on('message', (data) => frames.push(JSON.parse(data.toString())));
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const ids = () => frames.filter((f) => f.type === 'notification').map((f) => f.id);
    return { ws, frames, ids };
  }

  it('sends live messages to a connected socket, in order', async () => {
    const user = uniqueName('live');
    const socket = await connect(one.url, user);
    for (const id of ['l1', 'l2', 'l3']) await sender.append(user, message(`${user}-${id}`));
    await waitFor(() => socket.ids().length >= 3, { timeoutMs: 5_000, description: 'three live messages' });
    expect(socket.ids()).toEqual(['l1', 'l2', 'l3'].map((id) => `${user}-${id}`));
  });

  it('sends queued messages on connect, and never again on reconnect', async () => {
    const user = uniqueName('queued');
    for (const id of ['q1', 'q2']) await sender.append(user, message(`${user}-${id}`));
    const first = await connect(one.url, user);
    await waitFor(() => first.ids().length >= 2, { timeoutMs: 5_000, description: 'the queued messages' });
    first.ws.close();
    const second = await connect(two.url, user);
    await sender.append(user, message(`${user}-after`));
    await waitFor(() => second.ids().length > 0, { timeoutMs: 5_000, description: 'the marker' });
    expect(second.ids()).toEqual([`${user}-after`]);
  });

  it('gives every socket of a user on two gateways each message once', async () => {
    const user = uniqueName('tabs');
    const [a, b, c] = [await connect(one.url, user), await connect(two.url, user), await connect(two.url, user)];
    const ids = Array.from({ length: 10 }, (_, i) => `${user}-m${i}`);
    for (const id of ids) await sender.append(user, message(id));
    for (const socket of [a, b, c]) {
      await waitFor(() => socket.ids().length >= 10, { timeoutMs: 5_000, description: 'ten messages on every socket' });
    }
    for (const socket of [a, b, c]) expect([...socket.ids()].sort()).toEqual([...ids].sort());
    expect(await sender.drain(user)).toEqual([]);
  });

  it('marks read and answers history and errors', async () => {
    const user = uniqueName('reader');
    const socket = await connect(one.url, user);
    await sender.append(user, message(`${user}-r`));
    await waitFor(() => socket.ids().length > 0, { timeoutMs: 5_000 });
    const reply = async (frame: string, type: string) => {
      const seen = socket.frames.length;
      socket.ws.send(frame);
      return waitFor(() => socket.frames.slice(seen).find((f) => f.type === type), { timeoutMs: 5_000, description: `a ${type} frame` });
    };
    expect(await reply(JSON.stringify({ type: 'read', id: `${user}-r` }), 'read')).toEqual({ type: 'read', id: `${user}-r` });
    expect(await reply('not json', 'error')).toEqual({ type: 'error', code: 'BAD_REQUEST', message: 'not JSON' });
    expect(await reply(JSON.stringify({ type: 'read', id: 'not-mine' }), 'error')).toEqual({
      type: 'error', code: 'NOT_FOUND', message: 'no such message', id: 'not-mine',
    });
    const history = await reply(JSON.stringify({ type: 'history' }), 'history');
    expect(history.items).toEqual([{ ...message(`${user}-r`), read: true, readAt: expect.any(Number) }]);
  });

  it('drains after its subscriber connection comes back (wake-ups sent meanwhile are lost)', async () => {
    const user = uniqueName('reconnect');
    const socket = await connect(one.url, user);
    await waitFor(async () => (await senderRedis.pubsub('NUMSUB', sender.channelOf(user)))[1] === 1, { timeoutMs: 5_000 });
    const lost = new Promise((resolve) => one.subscriber.once('close', resolve));
    one.subscriber.disconnect(true);
    await lost;
    await sender.append(user, message(`${user}-while-away`));
    await waitFor(() => socket.ids().length > 0, { timeoutMs: 10_000, description: 'the message appended while away' });
    expect(socket.ids()).toEqual([`${user}-while-away`]);
  });

  it('drops a socket that stops answering pings', async () => {
    const user = uniqueName('silent');
    const socket = await connect(one.url, user);
    const before = one.gateway.connections();
    // Stop answering: the ws client answers pings automatically, so pause the underlying stream.
    (socket.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    await waitFor(() => one.gateway.connections() < before, { timeoutMs: 5_000, description: 'the silent socket dropped' });
  });

  it('closes a socket with 4401 "token expired" when its token expires, not before', async () => {
    const user = uniqueName('expiring');
    const exp = nowS() + 2; // the token's own lifetime (1–2 s): what the test waits for
    const socket = await connect(one.url, user, exp);
    let closed: { code: number; reason: string; at: number } | null = null;
    socket.ws.once('close', (code, reason) => void (closed = { code, reason: reason.toString(), at: Date.now() }));
    await sender.append(user, message(`${user}-before-expiry`));
    await waitFor(() => socket.ids().length > 0, { timeoutMs: 5_000, description: 'a message while the token is valid' });
    const result = await waitFor(() => closed, { timeoutMs: 6_000, description: 'the close at expiry' });
    expect({ code: result.code, reason: result.reason }).toEqual(TOKEN_EXPIRED_CLOSE);
    expect(result.at).toBeGreaterThanOrEqual(exp * 1000);
    // A reconnect with the same token is refused at the upgrade.
    const again = new WebSocket(`${one.url}?token=${signHs256({ sub: user, exp }, SECRET)}`);
    again.on('error', () => undefined); // the refusal ends the handshake
    sockets.push(again);
    const status = await new Promise<number>((resolve) => again.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)));
    expect(status).toBe(401);
  });
});
