/**
 * The image's HEALTHCHECK script (deploy/docker/healthcheck.cjs) run as Docker runs it, a node process,
 * against HTTP servers on loopback: it asks METRICS_PORT when set, else HTTP_PORT, and succeeds only on a 200.
 */
import { execFile } from 'child_process';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as path from 'path';

const SCRIPT = path.resolve(__dirname, '../../deploy/docker/healthcheck.cjs');

/** A server answering /healthz with `status` (404 elsewhere); closed after the test. */
async function serve(status: number): Promise<{ port: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    res.statusCode = req.url === '/healthz' ? status : 404;
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = String((server.address() as AddressInfo).port);
  return { port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** The script's exit code with these variables (and none of the caller's METRICS_PORT/HTTP_PORT). */
function probe(env: Record<string, string>): Promise<number> {
  const { METRICS_PORT: _m, HTTP_PORT: _h, ...rest } = process.env;
  return new Promise((resolve) => {
    execFile(process.execPath, [SCRIPT], { env: { ...rest, ...env }, timeout: 10_000 }, (error) => {
      resolve(error ? Number((error as { code?: number }).code ?? 1) : 0);
    });
  });
}

describe('docker HEALTHCHECK script', () => {
  const servers: { close: () => Promise<void> }[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });
  const start = async (status: number) => {
    const server = await serve(status);
    servers.push(server);
    return server.port;
  };

  it('is healthy when /healthz on METRICS_PORT answers 200, whatever HTTP_PORT says', async () => {
    const metrics = await start(200);
    const api = await start(503);
    expect(await probe({ METRICS_PORT: metrics, HTTP_PORT: api })).toBe(0);
  });

  it('is unhealthy when /healthz on METRICS_PORT answers 503', async () => {
    const metrics = await start(503);
    const api = await start(200);
    expect(await probe({ METRICS_PORT: metrics, HTTP_PORT: api })).toBe(1);
  });

  it('is unhealthy on any answer but 200 (a 404: the port serves no /healthz)', async () => {
    const other = await start(404);
    expect(await probe({ METRICS_PORT: other })).toBe(1);
  });

  it('asks the API port when METRICS_PORT is unset or empty', async () => {
    const api = await start(200);
    expect(await probe({ HTTP_PORT: api })).toBe(0);
    expect(await probe({ HTTP_PORT: api, METRICS_PORT: '' })).toBe(0);
  });

  it('is unhealthy when nothing listens', async () => {
    const closed = await serve(200);
    await closed.close();
    expect(await probe({ METRICS_PORT: closed.port })).toBe(1);
  });
});
