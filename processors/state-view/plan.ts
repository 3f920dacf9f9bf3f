import { KEYS } from '../../platform/redis/keys';
import { TOPICS } from '../../platform/topics';
import type { Client, Mailing, Template } from '../../schemas/types';

/** One write to the Redis view; applied in order inside one MULTI per consumed batch. */
export type ViewOp =
  | { op: 'set'; key: string; value: string }
  | { op: 'del'; key: string }
  | { op: 'zadd'; key: string; score: number; member: string }
  | { op: 'zrem'; key: string; member: string };

export interface StateRecord {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: Client | Mailing | Template | null;
}

/**
 * Index entries of a client: every index zset it belongs to. Lexicographic zsets (score 0) page by id.
 * A subscription is an index too, so the episode fan-out pages a series' subscribers instead of
 * scanning the whole directory. Phone and email indexes came later: a view written before them needs
 * `vestnik rebuild-view` once, or a search finds only clients written since.
 */
function clientIndexKeys(client: Client): string[] {
  return [
    KEYS.clientIds,
    ...(client.operatorCode ? [KEYS.clientsByOperator(client.operatorCode)] : []), // none without a phone
    ...client.tags.map(KEYS.clientsByTag),
    ...client.subscriptions.map(KEYS.clientsBySeries),
    // Search by phone or email (GET /api/clients?phone=|email=): tiny sets, so a search reads one or two docs.
    ...(client.phone ? [KEYS.clientsByPhone(client.phone)] : []),
    ...(client.email ? [KEYS.clientsByEmail(client.email)] : []),
  ];
}

/** Writes that move a client's doc and indexes from `previous` to `next` (null = absent). */
export function planClientWrites(id: string, previous: Client | null, next: Client | null): ViewOp[] {
  const before = new Set(previous ? clientIndexKeys(previous) : []);
  const after = new Set(next ? clientIndexKeys(next) : []);
  const ops: ViewOp[] = [];
  for (const key of before) if (!after.has(key)) ops.push({ op: 'zrem', key, member: id });
  for (const key of after) if (!before.has(key)) ops.push({ op: 'zadd', key, score: 0, member: id });
  ops.push(next ? { op: 'set', key: KEYS.client(id), value: JSON.stringify(next) } : { op: 'del', key: KEYS.client(id) });
  return ops;
}

/**
 * A mailing's doc, its place in the id index and in the start schedule. Only a scheduled mailing waits in
 * the schedule; cancelling or deleting it takes it out, so it never starts.
 */
export function planMailingWrites(id: string, next: Mailing | null): ViewOp[] {
  if (!next) {
    return [
      { op: 'del', key: KEYS.mailing(id) },
      { op: 'zrem', key: KEYS.mailingIds, member: id },
      { op: 'zrem', key: KEYS.mailingSchedule, member: id },
    ];
  }
  const schedule: ViewOp =
    next.status === 'scheduled'
      ? { op: 'zadd', key: KEYS.mailingSchedule, score: next.startAt, member: id }
      : { op: 'zrem', key: KEYS.mailingSchedule, member: id };
  return [
    { op: 'set', key: KEYS.mailing(id), value: JSON.stringify(next) },
    { op: 'zadd', key: KEYS.mailingIds, score: 0, member: id },
    schedule,
  ];
}

export function planTemplateWrites(id: string, next: Template | null): ViewOp[] {
  if (!next) return [{ op: 'del', key: KEYS.template(id) }, { op: 'zrem', key: KEYS.templateIds, member: id }];
  return [
    { op: 'set', key: KEYS.template(id), value: JSON.stringify(next) },
    { op: 'zadd', key: KEYS.templateIds, score: 0, member: id },
  ];
}

/**
 * Plans a whole batch. `previousClients` holds the view's docs before the batch; a client written twice in
 * one batch diffs against its own earlier write. Ends with the applied offset of every partition seen.
 */
export function planBatch(records: StateRecord[], previousClients: Map<string, Client | null>): ViewOp[] {
  const ops: ViewOp[] = [];
  const latestClient = new Map(previousClients);
  const offsets = new Map<string, StateRecord>();
  for (const record of records) {
    offsets.set(`${record.topic}:${record.partition}`, record);
    const id = record.key;
    if (id === null) continue; // keyless records cannot be state; the consumer dead-letters them
    switch (record.topic) {
      case TOPICS.clients: {
        const next = record.value as Client | null;
        ops.push(...planClientWrites(id, latestClient.get(id) ?? null, next));
        latestClient.set(id, next);
        break;
      }
      case TOPICS.mailings:
        ops.push(...planMailingWrites(id, record.value as Mailing | null));
        break;
      case TOPICS.templates:
        ops.push(...planTemplateWrites(id, record.value as Template | null));
        break;
      default:
        break;
    }
  }
  for (const record of offsets.values()) {
    ops.push({ op: 'set', key: KEYS.viewOffset(record.topic, record.partition), value: record.offset });
  }
  return ops;
}
