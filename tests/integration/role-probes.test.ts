/**
 * A worker role's probe port (METRICS_PORT, cli/probe-server.ts) on a real `vestnik senders` process:
 * /healthz answers while it runs, /readyz turns 200 once each of its consumers has joined its group and
 * Kafka, Redis and ClickHouse answer, /metrics serves the process's metrics; anything else is 404 or 405.
 * It runs at the nice value PROCESS_NICE gave it, as the bulk processes of a shared machine do.
 */
import { getPriority } from 'node:os';
import { freePort } from '../../infra/local/private-services';
import { createRoleProcess, killAllChildren, type ManagedChild } from '../support/processes';
import { uniqueName } from '../support/unique';
import { waitFor } from '../support/wait-for';

jest.setTimeout(180_000);

let senders: ManagedChild;
let base: string;

beforeAll(async () => {
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  senders = createRoleProcess({
    roles: ['senders'], id: uniqueName('probes', { separator: '_' }), name: 'probes-senders',
    env: { METRICS_PORT: String(port), METRICS_ENABLED: 'true', PROCESS_NICE: '10' },
  });
  await senders.start();
});

afterAll(killAllChildren);

const get = async (path: string, method = 'GET') => {
  const res = await fetch(`${base}${path}`, { method });
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
};

describe('the probe port of a worker role', () => {
  it('/healthz: 200 while the process runs', async () => {
    expect(await get('/healthz')).toMatchObject({ status: 200, text: '{"status":"ok"}' });
  });

  it('/readyz: 200 once every consumer of the process has joined and the dependencies answer', async () => {
    const ready = await waitFor(async () => {
      const res = await get('/readyz');
      return res.status === 200 ? JSON.parse(res.text) : null;
    }, { timeoutMs: 90_000, intervalMs: 500, description: 'senders ready' });
    expect(ready.checks).toEqual({ kafka: 'up', redis: 'up', clickhouse: 'up' });
    const parts = Object.keys(ready.parts);
    expect(parts.length).toBeGreaterThanOrEqual(2); // the express and the bulk lane's consumers at least
    expect(Object.values(ready.parts).every((state) => state === 'up')).toBe(true);
  });

  it('/metrics: the process metrics in the Prometheus text format', async () => {
    const res = await get('/metrics');
    expect(res.status).toBe(200);
    expect(res.type).toContain('text/plain');
    expect(res.text).toMatch(/^process_cpu_user_seconds_total \d/m);
  });

  it('runs at the nice value PROCESS_NICE gave it (the test runner stays at its own)', () => {
    expect(getPriority(senders.pid!)).toBe(10);
    expect(getPriority()).not.toBe(10);
  });

  it('answers 404 for other paths and 405 for writes', async () => {
    expect((await get('/other')).status).toBe(404);
    expect((await get('/readyz', 'POST')).status).toBe(405);
  });
});
