import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createProviderHttp } from '../../senders/policy/provider-http';

/**
 * The provider client's concurrency limit against a real loopback server: a request written and left
 * unanswered past its deadline is an ambiguous result and a drop (the limit falls by a tenth); an
 * answered one is not. A request that waited for a slot still has its whole timeout once sent.
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
    const http = createProviderHttp({ url, concurrency: 8, timeoutMs: 200 });
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
});
