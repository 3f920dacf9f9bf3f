/**
 * A client's own deliveries (GET /api/me/notifications) on the real ClickHouse: newest first, one entry per
 * delivery however many duplicate rows a replay wrote, the latest status and its reason, keyset pages that
 * neither skip nor repeat, and nothing of other clients. Own database, dropped in afterAll.
 */
import { createClickHouseClient, type ClickHouseClient } from '../../analytics/clickhouse-client';
import { createClientDeliveries, type ClientDeliveries, type ClientDelivery } from '../../analytics/client-deliveries';
import { migrate } from '../../analytics/schema';
import { sql, sqlIdentifier } from '../../analytics/sql-escape';
import { createStatusStore } from '../../analytics/status-store';
import { loadConfig } from '../../platform/config';
import type { DeliveryStatus, DeliveryStatusName } from '../../schemas/types';
import { uniqueName } from '../support/unique';

jest.setTimeout(60_000);

const T = Date.UTC(2024, 4, 1, 12, 0, 0);
const database = uniqueName('vestnik_test_me', { separator: '_' });
let client: ClickHouseClient;
let deliveries: ClientDeliveries;

function change(deliveryId: string, clientId: string, status: DeliveryStatusName, attempt: number, at: number, reason: string | null = null): DeliveryStatus {
  return {
    statusId: `${deliveryId}:${status}:${attempt}`, deliveryId, sourceType: 'notification', sourceId: `r-${deliveryId}`, clientId,
    channel: 'email', priority: 'bulk', status, attempt, reason, providerMessageId: null, provider: null, occurredAt: at,
  };
}

// Ann ("c'1", a quote on purpose) has five deliveries; two start in the same millisecond (a, b).
const rows = [
  change('a', "c'1", 'queued', 0, T), change('a', "c'1", 'sent', 1, T + 10),
  change('b', "c'1", 'queued', 0, T), change('b', "c'1", 'retrying', 1, T + 5, 'HTTP 503'), change('b', "c'1", 'failed', 2, T + 9, 'HTTP 500'),
  change('c', "c'1", 'suppressed', 0, T + 1000, 'promo opt-out'),
  change('d', "c'1", 'queued', 0, T + 2000),
  change('e', "c'1", 'queued', 0, T - 5000), change('e', "c'1", 'delivered', 1, T + 3000),
  change('z', 'c2', 'queued', 0, T + 9000),
];

beforeAll(async () => {
  const config = loadConfig();
  client = createClickHouseClient({ url: config.clickhouse.url, username: config.clickhouse.user, password: config.clickhouse.password });
  if (!(await client.ping())) throw new Error(`ClickHouse is not answering at ${config.clickhouse.url}: run bash infra/up.sh`);
  await migrate(client, database);
  const store = createStatusStore({ client, database });
  await store.insertBatch(rows);
  await store.insertBatch(rows.slice(0, 5)); // a replayed batch: duplicate rows
  deliveries = createClientDeliveries({ client, database });
});

afterAll(async () => {
  if (!client) return;
  await client.exec(sql`DROP DATABASE IF EXISTS ${sqlIdentifier(database)}`);
  await client.close();
});

async function walk(clientId: string, limit: number): Promise<{ pages: ClientDelivery[][] }> {
  const pages: ClientDelivery[][] = [];
  let cursor: string | null = null;
  do {
    const page = await deliveries.forClient(clientId, { limit, cursor });
    pages.push(page.items);
    cursor = page.nextCursor;
  } while (cursor && pages.length < 10);
  return { pages };
}

describe('createClientDeliveries on ClickHouse', () => {
  it('lists each delivery once, newest first by first status, with its latest status and reason', async () => {
    const page = await deliveries.forClient("c'1", { limit: 50 });
    expect(page.nextCursor).toBeNull();
    expect(page.items.map((d) => d.deliveryId)).toEqual(['d', 'c', 'b', 'a', 'e']);
    expect(page.items.find((d) => d.deliveryId === 'b')).toEqual({
      deliveryId: 'b', channel: 'email', sourceType: 'notification', sourceId: 'r-b', status: 'failed', attempts: 2,
      reason: 'HTTP 500', firstAt: T, lastAt: T + 9,
    });
    expect(page.items.find((d) => d.deliveryId === 'c')).toMatchObject({ status: 'suppressed', reason: 'promo opt-out', attempts: 0 });
    expect(page.items.find((d) => d.deliveryId === 'e')).toMatchObject({ status: 'delivered', reason: null, firstAt: T - 5000, lastAt: T + 3000 });
  });

  it.each([1, 2, 3])('walks pages of %i without skipping or repeating (ties on firstAt included)', async (limit) => {
    const { pages } = await walk("c'1", limit);
    expect(pages.flat().map((d) => d.deliveryId)).toEqual(['d', 'c', 'b', 'a', 'e']);
    for (const page of pages) expect(page.length).toBeLessThanOrEqual(limit);
  });

  it("shows nothing of other clients, and nothing for a client without messages", async () => {
    expect((await deliveries.forClient('c2', { limit: 10 })).items.map((d) => d.deliveryId)).toEqual(['z']);
    expect(await deliveries.forClient('nobody', { limit: 10 })).toEqual({ items: [], nextCursor: null });
  });
});
