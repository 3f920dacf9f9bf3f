import net from 'node:net';
import { errorCode, isRetriable, VestnikError } from '../../platform/errors';
import { silentLogger } from '../../platform/logger';
import { createRedis, type Redis } from '../../platform/redis/client';
import { deleteKeysWithPrefix, TEST_REDIS_URL } from '../support/redis';
import { uniqueName } from '../support/unique';

/**
 * The Redis edge (platform/redis/client.ts) on real sockets: a client whose server is gone fails every
 * kind of command with a retriable REDIS_UNAVAILABLE; a real Redis's answers to bad commands stay
 * permanent and untouched.
 */
const prefix = `vestnik-test-${uniqueName('redis-edge')}:`;
const clients: Redis[] = [];

/** A port nothing listens on: bound by the OS, then released. */
async function deadPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
  return port;
}

function client(url: string, options: { maxRetriesPerRequest?: number } = {}): Redis {
  const redis = createRedis({ url, keyPrefix: prefix, logger: silentLogger, name: 'redis-edge-test', ...options });
  clients.push(redis);
  return redis;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(() => {
    throw new Error('expected a rejection');
  }, (error: unknown) => error);
}

const unavailable = expect.objectContaining({ name: 'VestnikError', code: 'REDIS_UNAVAILABLE', retriable: true });

afterAll(async () => {
  await Promise.all(clients.map(async (redis) => (redis.status === 'ready' ? void (await redis.quit()) : redis.disconnect())));
  await deleteKeysWithPrefix(prefix);
});

describe('a client whose Redis does not answer', () => {
  // A fresh client per test: ioredis waits longer after each failed reconnect, so a shared one slows down.
  let dead: Redis;
  beforeEach(async () => {
    dead = client(`redis://127.0.0.1:${await deadPort()}`, { maxRetriesPerRequest: 1 });
  });

  it('fails a GET with a retriable REDIS_UNAVAILABLE, the client error as its cause', async () => {
    const error = await rejection(dead.get('k'));
    expect(error).toEqual(unavailable);
    expect(isRetriable(error)).toBe(true);
    expect((error as VestnikError).cause).toMatchObject({ name: 'MaxRetriesPerRequestError' });
  });

  it('fails every command of a pipeline exec with it', async () => {
    const results = await dead.pipeline().get('a').set('b', '1').incr('c').exec();
    expect(results?.map(([error]) => error)).toEqual([unavailable, unavailable, unavailable]);
  });

  it('fails a MULTI exec with it', async () => {
    expect(await rejection(dead.multi().set('a', '1').incr('c').exec())).toEqual(unavailable);
  });

  it('fails EVAL and a defineCommand script with it', async () => {
    expect(await rejection(dead.eval('return 1', 0))).toEqual(unavailable);
    dead.defineCommand('edgeEcho', { numberOfKeys: 1, lua: 'return KEYS[1]' });
    const custom = (dead as unknown as { edgeEcho(key: string): Promise<string> }).edgeEcho('k');
    expect(await rejection(custom)).toEqual(unavailable);
  });

  it('fails auto-pipelined commands sent together, and callback-style calls, with it', async () => {
    const errors = await Promise.all(['a', 'b', 'c'].map((key) => rejection(dead.get(key))));
    expect(errors).toEqual([unavailable, unavailable, unavailable]);
    const viaCallback = await new Promise((resolve) => dead.get('k', (error) => resolve(error)));
    expect(viaCallback).toEqual(unavailable);
  });

  it('fails commands on a closed connection with it', async () => {
    dead.disconnect();
    const error = await rejection(dead.get('k'));
    expect(error).toEqual(unavailable);
    expect(errorCode(error)).toBe('REDIS_UNAVAILABLE');
  });
});

describe('a real Redis answering a bad command', () => {
  let redis: Redis;
  beforeAll(() => {
    redis = client(TEST_REDIS_URL);
  });

  it('leaves WRONGTYPE as the reply error it is: permanent', async () => {
    await redis.set('string', 'x');
    const error = await rejection(redis.lpush('string', 'y'));
    expect(error).not.toBeInstanceOf(VestnikError);
    expect(error).toMatchObject({ name: 'ReplyError' });
    expect((error as Error).message).toMatch(/^WRONGTYPE /);
    expect(isRetriable(error)).toBe(false);
    const inPipeline = (await redis.pipeline().lpush('string', 'y').exec())?.[0]?.[0];
    expect(isRetriable(inPipeline)).toBe(false);
    expect(inPipeline).toMatchObject({ name: 'ReplyError' });
  });

  it('leaves a script error of our own Lua permanent', async () => {
    const error = await rejection(redis.eval("return redis.error_reply('CONFLICT already claimed')", 0));
    expect(error).toMatchObject({ name: 'ReplyError', message: expect.stringMatching(/^CONFLICT already claimed/) });
    expect(isRetriable(error)).toBe(false);
  });

  it('still runs scripts defined with defineCommand (the EVALSHA/EVAL path goes through the edge)', async () => {
    redis.defineCommand('edgeEcho', { numberOfKeys: 1, lua: 'return KEYS[1]' });
    const echo = (redis as unknown as { edgeEcho(key: string): Promise<string> }).edgeEcho.bind(redis);
    expect(await echo('k')).toBe(`${prefix}k`);
    expect(await echo('k')).toBe(`${prefix}k`);
  });
});
