/**
 * The mailing the fault tests run through their faults, and the checks after it: an audience loaded
 * through the real write path (state.clients → the processors' view), a mailing through the API, then
 * "each matching client got exactly one message id, nobody else got one" from the SMS simulator's ledger
 * and "the statistics are exact" from the stats API (and ClickHouse itself).
 */
import { newId } from '../../platform/ids';
import { KEYS } from '../../platform/redis/keys';
import { TOPICS } from '../../platform/topics';
import type { Client } from '../../schemas/types';
import type { SmsSimulator } from '../../simulators/sms';
import { smsIdOf, iso } from './mailings';
import type { TestStack } from './stack';
import { waitFor } from './wait-for';

export interface Audience {
  tag: string;
  operatorCode: string;
  /** Clients the mailing's filter selects. */
  matching: string[];
  /** Clients with the tag but another operator code: must get nothing. */
  others: string[];
}

const PRODUCE_CHUNK = 1000;

function client(id: string, index: number, tag: string, operatorCode: string): Client {
  return {
    id, phone: `7${operatorCode}${String(index).padStart(7, '0')}`, operatorCode, tags: [tag], timezone: 'Europe/Moscow',
    email: null, emailConfirmed: false, name: `Client ${index}`, locale: 'en', deviceTokens: [],
    preferences: { promo: true, channels: {}, quietHours: null }, subscriptions: [], updatedAt: Date.now(),
  };
}

/**
 * Writes `count` matching and `others` non-matching clients to state.clients in a few produce requests (not
 * one POST each: the API's per-request read-your-writes would make thousands take minutes) and waits until
 * the directory view holds them all.
 */
export async function loadAudience(stack: TestStack, options: { tag: string; operatorCode: string; otherOperatorCode: string; count: number; others: number }): Promise<Audience> {
  const producer = await stack.runtime.producer('test-audience');
  const audience: Audience = { tag: options.tag, operatorCode: options.operatorCode, matching: [], others: [] };
  const records = [];
  for (let i = 0; i < options.count + options.others; i++) {
    const isMatching = i < options.count;
    const id = newId();
    (isMatching ? audience.matching : audience.others).push(id);
    records.push({ key: id, value: client(id, i, options.tag, isMatching ? options.operatorCode : options.otherOperatorCode) });
  }
  for (let i = 0; i < records.length; i += PRODUCE_CHUNK) await producer.send(TOPICS.clients, records.slice(i, i + PRODUCE_CHUNK));
  const redis = stack.runtime.redis();
  await waitFor(async () => (await redis.zcard(KEYS.clientsByTag(options.tag))) >= records.length, {
    timeoutMs: 180_000, intervalMs: 200, description: `${records.length} clients in the directory view`,
  });
  return audience;
}

/** Tombstones the audience on the compacted topic, so later runs' views do not replay thousands of clients. */
export async function removeAudience(stack: TestStack, audience: Audience): Promise<void> {
  const producer = await stack.runtime.producer('test-audience');
  const ids = [...audience.matching, ...audience.others];
  for (let i = 0; i < ids.length; i += PRODUCE_CHUNK) {
    await producer.send(TOPICS.clients, ids.slice(i, i + PRODUCE_CHUNK).map((id) => ({ key: id, value: null })));
  }
}

/** A mailing to the audience (its tag and operator code) that starts now; returns its id. */
export async function startMailing(stack: TestStack, audience: Audience, options: { endInMs?: number; text?: string } = {}): Promise<string> {
  const created = await stack.api('POST', '/api/mailings', {
    text: options.text ?? 'Hello {{name}}', startAt: iso(Date.now()), endAt: iso(Date.now() + (options.endInMs ?? 30 * 60_000)),
    filter: { tags: [audience.tag], operatorCodes: [audience.operatorCode] },
  });
  if (created.status !== 201) throw new Error(`mailing create failed: ${created.status} ${JSON.stringify(created.body)}`);
  return created.body.id as string;
}

/** How many matching clients the simulator has accepted a message for so far. */
export function acceptedCount(sms: SmsSimulator, mailingId: string, audience: Audience): number {
  return audience.matching.filter((clientId) => (sms.message(smsIdOf(mailingId, clientId))?.accepted ?? 0) > 0).length;
}

export interface LedgerCheck {
  /** Matching clients without an accepted message. */
  missing: number;
  /** Non-matching clients with any request at all. */
  toOthers: number;
  /** Acceptances of an already accepted message id (the provider de-duplicates them by id). */
  resentSameId: number;
}

/** Reads the simulator's ledger for the mailing: every matching client's one message id, nobody else's. */
export function checkLedger(sms: SmsSimulator, mailingId: string, audience: Audience): LedgerCheck {
  let missing = 0;
  let resentSameId = 0;
  for (const clientId of audience.matching) {
    const accepted = sms.message(smsIdOf(mailingId, clientId))?.accepted ?? 0;
    if (accepted === 0) missing += 1;
    resentSameId += Math.max(0, accepted - 1);
  }
  const toOthers = audience.others.filter((clientId) => sms.message(smsIdOf(mailingId, clientId)) !== undefined).length;
  return { missing, toOthers, resentSameId };
}

/** Waits until the stats API shows every message of the mailing sent, and returns its counts. */
export async function waitForAllSent(stack: TestStack, mailingId: string, expected: number, timeoutMs: number): Promise<{ total: number; byStatus: Record<string, number> }> {
  return waitFor(async () => {
    const body = (await stack.api('GET', `/api/stats/mailings/${mailingId}?limit=1`)).body;
    return body?.byStatus?.sent === expected ? body : null;
  }, { timeoutMs, intervalMs: 500, description: `${expected} sent messages in the statistics of ${mailingId}` });
}

/** Polls `fn` every 20 ms until it holds (for "now it is mid-run"); throws after `timeoutMs`. */
export async function when(description: string, fn: () => boolean | Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  await waitFor(fn, { timeoutMs, intervalMs: 20, description });
}

/** Stops a stack even after a failed test: if stop() fails half-way (a service still down), its clients are closed anyway. */
export async function stopStackSafely(stack: TestStack | undefined): Promise<void> {
  if (!stack) return;
  try {
    await stack.stop();
  } catch (error) {
    console.warn(`stack stop failed (${String(error)}); closing its clients`);
    await stack.runtime.close();
  }
}

/** The counts that are not zero: `{ sent: 3000 }` says "all sent, nothing in any other status". */
export function nonZero(counts: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).filter(([, n]) => n !== 0));
}

/** Records on a (logical) topic (end minus start over its partitions), through the stack's own Kafka. */
export async function recordsOn(stack: TestStack, topic: string): Promise<number> {
  const admin = stack.runtime.kafka().admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(stack.topic(topic))).reduce((sum, p) => sum + Number(BigInt(p.high) - BigInt(p.low)), 0);
  } finally {
    await admin.disconnect();
  }
}

/** How long `run` took, in ms (a restart, a fail-over), for the figures a fault test reports. */
export async function timed(run: () => Promise<void>): Promise<number> {
  const started = Date.now();
  await run();
  return Date.now() - started;
}
