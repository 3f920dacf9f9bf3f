import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { createProviderHttp } from '../../senders/policy/provider-http';

/**
 * The provider client's concurrency limit against a real loopback server: a request written and left
 * unanswered past its deadline is an ambiguous result and a drop (the limit falls by a tenth); an
 * answered one is not. A request that waited for a slot still has its whole timeout once sent. A
 * provider whose listen backlog is full (it takes no more connections) is a drop too, though nothing was
 * written: the request is a plain "not sent".
 */
describe('the provider client\'s limit on a loopback server', () => {
  let server: Server;
  let url: string;
  const held: (() => void)[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      if (request.url === '/hang') held.push(() => response.end());
      else if (request.url === '/slow') setTimeout(() => response.end('{}'), 200);
      else response.end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    for (const release of held) release();
    await new Promise((resolve) => server.close(resolve));
  });

  it('reads a request unanswered by its deadline as ambiguous and lowers the limit; an answer leaves it', async () => {
    // Long enough that the first request, on a cold connection, stays under the slow mark (a quarter of it).
    const http = createProviderHttp({ url, concurrency: 8, timeoutMs: 2_000 });
    try {
      const start = http.concurrency.limit();
      expect(await http.post('/ok', '{}')).toMatchObject({ kind: 'answer', status: 200 });
      expect(http.concurrency.limit()).toBe(start);

      const unanswered = await http.post('/hang', '{}');
      expect(unanswered).toMatchObject({ kind: 'failed', result: { kind: 'retriable', ambiguous: true } });
      expect(http.concurrency.limit()).toBe(Math.floor(start * 0.9));
    } finally {
      for (const release of held.splice(0)) release();
      await http.close();
    }
  });

  it('gives a request that waited for a slot its whole timeout from when it is sent', async () => {
    // One in flight at most; each answer takes 200 ms of a 300 ms timeout, so the second waits 200 ms first.
    const http = createProviderHttp({ url, concurrency: 1, timeoutMs: 300 });
    try {
      const started = performance.now();
      const [first, second] = await Promise.all([http.post('/slow', '{}'), http.post('/slow', '{}')]);
      expect(first).toMatchObject({ kind: 'answer', status: 200 });
      expect(second).toMatchObject({ kind: 'answer', status: 200 });
      expect(performance.now() - started).toBeGreaterThan(390);
    } finally {
      await http.close();
    }
  });

  it('reads a provider whose listen backlog is full as overloaded: not sent, not ambiguous, and the limit falls', async () => {
    // A socket that never accepts (Node's servers accept at once): once its backlog of one is full, the
    // kernel drops further connection attempts, as at Python's http.server under load.
    const python: ChildProcess = spawn('/usr/bin/python3', ['-c', [
      'import socket, time',
      's = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(0)',
      'print(s.getsockname()[1], flush=True); time.sleep(60)',
    ].join('\n')], { stdio: ['ignore', 'pipe', 'inherit'] });
    const held: Socket[] = [];
    try {
      const port = await new Promise<number>((resolve) => python.stdout!.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim()))));
      // Fill the backlog: these complete in the kernel and are never accepted.
      for (let i = 0; i < 3; i++) held.push(connect(port, '127.0.0.1'));
      const http = createProviderHttp({ url: `http://127.0.0.1:${port}`, concurrency: 8, timeoutMs: 300 });
      try {
        const start = http.concurrency.limit();
        const result = await http.post('/v1/send/1', '{}');
        expect(result).toMatchObject({ kind: 'failed', result: { kind: 'retriable' } });
        expect(result).not.toMatchObject({ result: { ambiguous: true } });
        expect(http.concurrency.limit()).toBe(Math.floor(start * 0.9));
      } finally {
        await http.close();
      }
    } finally {
      for (const socket of held) socket.destroy();
      python.kill();
    }
  });
});
