import type { DeliveryStatus } from '../schemas/types';
import type { ClickHouseClient } from './clickhouse-client';
import { createStatusStore } from './status-store';

function recordingClient() {
  const inserts: { table: string; rows: readonly object[] }[] = [];
  const client: ClickHouseClient = {
    query: async () => [],
    exec: async () => undefined,
    insertJsonRows: async (table, rows) => {
      inserts.push({ table, rows });
    },
    ping: async () => true,
    close: async () => undefined,
  };
  return { client, inserts };
}

const status = (n: number): DeliveryStatus => ({
  statusId: `s${n}`, deliveryId: `d${n}`, sourceType: 'mailing', sourceId: 'm1', clientId: `c${n}`, channel: 'email',
  priority: 'bulk', status: 'sent', attempt: 1, reason: null, providerMessageId: `p${n}`, provider: 'sms-api', occurredAt: 1709287200000 + n,
});

describe('createStatusStore', () => {
  it('writes a whole batch with exactly one insert into db.delivery_status', async () => {
    const { client, inserts } = recordingClient();
    const store = createStatusStore({ client, database: 'vestnik', now: () => 1709287300000 });
    await store.insertBatch([status(1), status(2), status(3)]);
    expect(inserts).toHaveLength(1);
    expect(inserts[0]?.table).toBe('vestnik.delivery_status');
    expect(inserts[0]?.rows.map((r) => (r as { statusId: string }).statusId)).toEqual(['s1', 's2', 's3']);
    expect(inserts[0]?.rows[0]).toMatchObject({ insertedAt: '2024-03-01 10:01:40', providerMessageId: 'p1' });
  });

  it('sends nothing for an empty batch', async () => {
    const { client, inserts } = recordingClient();
    await createStatusStore({ client, database: 'vestnik' }).insertBatch([]);
    expect(inserts).toHaveLength(0);
  });

  it('refuses a database name outside the identifier whitelist at construction', () => {
    const { client } = recordingClient();
    expect(() => createStatusStore({ client, database: 'a-b' })).toThrow(TypeError);
  });

  it('lets the client error through, so the consumer keeps its offset', async () => {
    const { client } = recordingClient();
    const failure = new Error('down');
    client.insertJsonRows = async () => Promise.reject(failure);
    await expect(createStatusStore({ client, database: 'v' }).insertBatch([status(1)])).rejects.toBe(failure);
  });
});
