import type { TopicBatch } from '../platform/kafka';
import { commandOf, deliveryOf, deliver, skip } from '../domain/deliveries/build';
import { produceFanoutPage } from './produce-fanout-page';

const command = (clientId: string, text: string) => commandOf(
  deliveryOf({ sourceType: 'mailing', sourceId: 'm-1', clientId, channel: 'email', priority: 'bulk' }),
  { address: `${clientId}@example.org`, content: { text, subject: 'Новости', html: null, title: null, headers: {} }, timezone: 'UTC' },
  1_000,
);

async function produced(texts: (i: number) => string, n: number): Promise<string[][]> {
  const requests: string[][] = [];
  const producer = { sendBatch: async (batches: readonly TopicBatch[]) => void requests.push(batches.map((b) => `${b.topic} ${b.records.length}`)) };
  const decisions = Array.from({ length: n }, (_, i) => deliver(command(`c-${i}`, texts(i)), 1_000));
  await produceFanoutPage(producer as never, decisions.flatMap((d) => (d.kind === 'deliver' ? [d.command] : [])), 'bulk', decisions.map((d) => d.status));
  return requests;
}

describe('produceFanoutPage', () => {
  it('sends a page of short messages in one request: its command page and its status page', async () => {
    expect(await produced((i) => `Hello ${i}`, 1000)).toEqual([['deliveries.bulk-pages 1', 'deliveries.status-pages 1']]);
  });

  it('sends large contents in several requests, the statuses with the last, once every command is out', async () => {
    const requests = await produced((i) => `${'Здравствуйте! '.repeat(143)} №${i}`, 1000);
    expect(requests.length).toBeGreaterThan(4);
    expect(requests.slice(0, -1).every((r) => r.length === 1 && r[0]!.startsWith('deliveries.bulk-pages '))).toBe(true);
    expect(requests.at(-1)).toEqual([expect.stringMatching(/^deliveries\.bulk-pages \d+$/), 'deliveries.status-pages 1']);
  });

  it('sends only the statuses when nobody of the page gets a message', async () => {
    const requests: string[][] = [];
    const producer = { sendBatch: async (batches: readonly TopicBatch[]) => void requests.push(batches.map((b) => `${b.topic} ${b.records.length}`)) };
    const suppressed = ['c-1', 'c-2'].map((id) => skip(command(id, 'x'), 'suppressed', 'opted out of promo', 1_000).status);
    await produceFanoutPage(producer as never, [], 'bulk', suppressed);
    expect(requests).toEqual([['deliveries.status-pages 1']]);
  });
});
