import { newId } from '../platform/ids';
import { KEYS } from '../platform/redis/keys';
import { TOPICS } from '../platform/topics';
import type { Client } from '../schemas/types';
import { outputModeOf } from '../cli/output/mode';
import { createProgressView } from '../cli/output/progress';
import type { Deployment } from './deployment';
import { perSecond, pollUntil } from './stats';

/** Records per produce request: big enough to amortise the request, small enough to keep memory flat. */
const PRODUCE_BATCH = 2000;

export interface LoadResult {
  clients: number;
  produceMs: number;
  /** From the first produce until the view's tag index holds every client. */
  totalMs: number;
  clientsPerSecond: number;
}

/** A directory record as the API would store it; the phone is unique per index so nothing collides. */
export function benchClient(index: number, tag: string, now: number): Client {
  return {
    id: newId(), phone: `7900${String(index).padStart(7, '0')}`, operatorCode: '900', tags: [tag], timezone: 'Europe/Moscow',
    email: null, emailConfirmed: false, name: `Client ${index}`, locale: 'en', deviceTokens: [],
    preferences: { promo: true, channels: {}, quietHours: null }, subscriptions: [], updatedAt: now,
  };
}

/**
 * Loads `count` clients through the real write path (typed producer → state.clients → state view → Redis)
 * and waits for the view's tag index to hold them all. Not through HTTP: POST /api/clients takes one client
 * per request and waits for its own read-your-writes, which would measure the HTTP loop, not the pipeline.
 * Returns the ids so cleanup can tombstone them.
 */
export async function loadClients(vestnik: Deployment, count: number, tag: string, ids: string[]): Promise<LoadResult> {
  const producer = await vestnik.runtime.producer('bench-load');
  const started = Date.now();
  // Minutes at a million: a bar on a terminal, a line every 5 s in a log (cli/output/progress.ts).
  const produced = createProgressView({ label: 'clients produced', mode: outputModeOf({}) });
  for (let offset = 0; offset < count; offset += PRODUCE_BATCH) {
    const records = [];
    for (let i = offset; i < Math.min(count, offset + PRODUCE_BATCH); i++) {
      const client = benchClient(i, tag, Date.now());
      ids.push(client.id);
      records.push({ key: client.id, value: client });
    }
    await producer.send(TOPICS.clients, records);
    produced.update({ value: Math.min(count, offset + PRODUCE_BATCH), total: count });
  }
  produced.stop();
  const produceMs = Date.now() - started;
  const redis = vestnik.runtime.redis();
  const inView = createProgressView({ label: 'clients in the view', mode: outputModeOf({}) });
  await pollUntil(async () => {
    const loaded = await redis.zcard(KEYS.clientsByTag(tag));
    inView.update({ value: Math.min(loaded, count), total: count });
    return loaded >= count ? true : null;
  }, { timeoutMs: 120_000 + count, intervalMs: 50, what: `${count} clients in the view` }).finally(() => inView.stop());
  const totalMs = Date.now() - started;
  return { clients: count, produceMs, totalMs, clientsPerSecond: perSecond(count, totalMs) };
}
