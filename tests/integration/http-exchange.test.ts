import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer } from 'node:net';
import { Pool } from 'undici';
import { exchange, type Exchange } from '../../platform/http/exchange';
import { waitFor } from '../support/wait-for';

/**
 * platform/http/exchange.ts against real loopback servers: the answer read whole, and each way a request
 * can end without one told apart by whether it may have reached the server (written) or certainly did
 * not. The providers' calls stand on that line (ambiguous or safe to send again).
 */
describe('one HTTP exchange over undici\'s handler API', () => {
  let server: Server;
  let origin: string;
  /** Paths the server received, in order. */
  const received: string[] = [];
  const held: (() => void)[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      received.push(request.url ?? '');
      request.resume();
      request.on('end', () => {
        if (request.url === '/hang') {
          held.push(() => response.end());
        } else if (request.url === '/reset') {
          request.socket.destroy();
        } else if (request.url === '/busy') {
          response.writeHead(429, { 'retry-after': '7' });
          response.end('{"error":"slow down"}');
        } else if (request.url === '/chunks') {
          // An answer in several writes, a Cyrillic letter split across two of them.
          const bytes = Buffer.from('{"text":"Привет"}');
          response.writeHead(200, { 'content-type': 'application/json' });
          response.write(bytes.subarray(0, 10));
          setImmediate(() => response.end(bytes.subarray(10)));
        } else if (request.url === '/big') {
          response.end('x'.repeat(4096));
        } else {
          response.end('{"ok":true}');
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterEach(() => {
    for (const release of held.splice(0)) release();
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  async function withPool<T>(options: ConstructorParameters<typeof Pool>[1], use: (pool: Pool) => Promise<T>, at = origin): Promise<T> {
    const pool = new Pool(at, options);
    try {
      return await use(pool);
    } finally {
      await pool.destroy();
    }
  }

  const post = (path: string) => ({ method: 'POST' as const, path, headers: { 'content-type': 'application/json' }, body: '{}' });

  it('reads the whole answer, its status and Retry-After, in one piece however it arrived', async () => {
    await withPool({ connections: 2 }, async (pool) => {
      expect(await exchange(pool, post('/ok'), 2_000)).toEqual({ kind: 'answer', status: 200, body: '{"ok":true}' });
      expect(await exchange(pool, post('/chunks'), 2_000)).toEqual({ kind: 'answer', status: 200, body: '{"text":"Привет"}' });
      expect(await exchange(pool, post('/busy'), 2_000)).toEqual({ kind: 'answer', status: 429, body: '{"error":"slow down"}', retryAfter: '7' });
    });
  });

  it('ends a written request that gets no answer at its deadline: written, timed out', async () => {
    await withPool({ connections: 1 }, async (pool) => {
      const started = performance.now();
      const done = await exchange(pool, post('/hang'), 300);
      expect(done).toMatchObject({ kind: 'failed', written: true, timedOut: true, cancelled: false });
      expect(performance.now() - started).toBeGreaterThanOrEqual(295);
      expect(performance.now() - started).toBeLessThan(1_000);
    });
  });

  it('ends a request still waiting for a connection at its deadline, not written, and it never reaches the server', async () => {
    await withPool({ connections: 1 }, async (pool) => {
      const first = exchange(pool, post('/hang'), 600);
      const queued = await exchange(pool, post('/queued'), 200);
      expect(queued).toMatchObject({ kind: 'failed', written: false, timedOut: true });
      for (const release of held.splice(0)) release(); // the one connection is free again
      expect(await first).toMatchObject({ kind: 'answer', status: 200 });
      expect(await exchange(pool, post('/after'), 2_000)).toMatchObject({ kind: 'answer', status: 200 });
      expect(received.slice(-2)).toEqual(['/hang', '/after']);
    });
  });

  it('tells a reset after the server read the request (written) from a refused connection (not written)', async () => {
    await withPool({ connections: 1 }, async (pool) => {
      expect(await exchange(pool, post('/reset'), 2_000)).toMatchObject({ kind: 'failed', written: true, timedOut: false });
    });
    const closed: TcpServer = createTcpServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    await withPool({ connections: 1 }, async (pool) => {
      const refused = await exchange(pool, post('/ok'), 2_000);
      expect(refused).toMatchObject({ kind: 'failed', written: false, timedOut: false, cancelled: false });
      expect((refused as Extract<Exchange, { kind: 'failed' }>).error).toMatchObject({ code: 'ECONNREFUSED' });
    }, `http://127.0.0.1:${port}`);
  });

  it('ends at once when its caller cancels: written if it was, and not at all if cancelled before', async () => {
    await withPool({ connections: 1 }, async (pool) => {
      const caller = new AbortController();
      const pending = exchange(pool, post('/hang'), 5_000, caller.signal);
      await waitFor(() => received.at(-1) === '/hang' && held.length === 1, { intervalMs: 5, description: 'the request at the server' });
      const started = performance.now();
      caller.abort();
      const done = await pending;
      expect(done).toMatchObject({ kind: 'failed', written: true, timedOut: false, cancelled: true });
      expect((done as Extract<Exchange, { kind: 'failed' }>).error).toMatchObject({ name: 'AbortError' });
      expect(performance.now() - started).toBeLessThan(100);
      const count = received.length;
      expect(await exchange(pool, post('/ok'), 2_000, caller.signal)).toMatchObject({ kind: 'failed', written: false, cancelled: true });
      expect(received.length).toBe(count);
    });
  });

  it('refuses an answer over the pool\'s size limit as an error, after the request was written', async () => {
    await withPool({ connections: 1, maxResponseSize: 1024 }, async (pool) => {
      const done = await exchange(pool, post('/big'), 2_000);
      expect(done).toMatchObject({ kind: 'failed', written: true });
      expect((done as Extract<Exchange, { kind: 'failed' }>).error).toMatchObject({ code: 'UND_ERR_RES_EXCEEDED_MAX_SIZE' });
    });
  });

  it('gives each request its own error, so one written request does not mark another that was not', async () => {
    await withPool({ connections: 1 }, async (pool) => {
      const [written, queued] = await Promise.all([exchange(pool, post('/hang'), 300), exchange(pool, post('/queued'), 300)]);
      expect(written).toMatchObject({ kind: 'failed', written: true, timedOut: true });
      expect(queued).toMatchObject({ kind: 'failed', written: false, timedOut: true });
      expect((written as Extract<Exchange, { kind: 'failed' }>).error).not.toBe((queued as Extract<Exchange, { kind: 'failed' }>).error);
    });
  });
});
