/**
 * A mailing's run record: the Redis hash `mailing-run:<id>` and the set of running mailings. This module
 * is the only one that writes or reads them. The mailing's doc (state.mailings) knows `scheduled` and
 * `cancelled`, the admin's words; the run knows what the pipeline did with it:
 *
 *   (none) ──fan-out starts──► running ──fan-out done, every delivery final or end passed──► finished
 *      └──────────end passed before the fan-out started──────────────────────────────────► finished
 *
 * The fan-out moves a run to `running` and records when its walk is done; the scheduler's lifecycle
 * finishes it. A cancellation is in the doc and wins over the run when the API shows the mailing.
 */
import { VestnikError } from '../../platform/errors';
import type { Redis } from '../../platform/redis/client';
import { KEYS } from '../../platform/redis/keys';
import { MAILING_STATUSES, type Mailing, type MailingStatus } from '../../schemas/types';

/** The run of one mailing as the pipeline recorded it (times are epoch ms). */
export interface MailingRun {
  status: 'running' | 'finished' | null;
  startedAt: number | null;
  finishedAt: number | null;
  /** The fan-out walked the whole audience; `fanoutTotal` deliveries were queued or suppressed. */
  fanoutDone: boolean;
  fanoutTotal: number;
  /** Why it finished without sending, when it did. */
  note: string | null;
}

/** A run hash as read from Redis; an absent hash is a run that has not started. */
export function parseMailingRun(hash: Record<string, string>): MailingRun {
  const status = hash.status === 'running' || hash.status === 'finished' ? hash.status : null;
  const time = (raw: string | undefined) => (raw === undefined || raw === '' ? null : Number(raw));
  return {
    status, startedAt: time(hash.startedAt), finishedAt: time(hash.finishedAt), fanoutDone: hash.fanoutDone === '1',
    fanoutTotal: Number(hash.fanoutTotal ?? 0), note: hash.note ?? null,
  };
}

/** The mailing ended before its fan-out began: finished, with nothing sent. */
export async function finishBeforeStart(redis: Redis, mailingId: string, now: number): Promise<void> {
  await redis.hset(KEYS.mailingRun(mailingId), { status: 'finished', finishedAt: now, note: 'ended before it started' });
}

/**
 * The fan-out begins (or resumes): running, started at the first call, and listed for the lifecycle. One
 * MULTI on one Redis; on a Redis Cluster the run's hash and the running set are in different slots, so the
 * hash first, then the set: a crash between them replays the mailing-started record, which comes here again.
 */
export async function startRun(redis: Redis, mailingId: string, now: number): Promise<void> {
  const run = redis.multi()
    .hset(KEYS.mailingRun(mailingId), { status: 'running' })
    .hsetnx(KEYS.mailingRun(mailingId), 'startedAt', String(now));
  if (redis.isCluster) {
    failOnReplyError(await run.exec());
    await redis.sadd(KEYS.runningMailings, mailingId);
  } else failOnReplyError(await run.sadd(KEYS.runningMailings, mailingId).exec());
}

/** The fan-out walked the whole audience: `total` deliveries were queued or suppressed. */
export async function recordFanoutDone(redis: Redis, mailingId: string, total: number): Promise<void> {
  await redis.hset(KEYS.mailingRun(mailingId), { fanoutDone: '1', fanoutTotal: total });
}

/** A running mailing with its run and its doc from the directory view (null when the doc is gone). */
export interface RunningMailing {
  id: string;
  run: MailingRun;
  mailing: Mailing | null;
}

/** Every running mailing, its run and its doc, in one round trip per server (auto-pipelined, so a Redis Cluster too). */
export async function readRunningMailings(redis: Redis, parseDoc: (raw: string | null) => Mailing | null): Promise<RunningMailing[]> {
  const ids = await redis.smembers(KEYS.runningMailings);
  return Promise.all(ids.map(async (id) => {
    const [run, doc] = await Promise.all([redis.hgetall(KEYS.mailingRun(id)), redis.get(KEYS.mailing(id))]);
    return { id, run: parseMailingRun(run), mailing: parseDoc(doc) };
  }));
}

/**
 * These runs are finished at `now` and leave the running set: together on one Redis (one MULTI). On a Redis
 * Cluster each run's hash first, then the set: a crash between leaves a finished run listed, which the
 * next tick finishes again, never a running one unlisted.
 */
export async function finishRuns(redis: Redis, mailingIds: readonly string[], now: number): Promise<void> {
  if (mailingIds.length === 0) return;
  const finished = { status: 'finished', finishedAt: now };
  if (redis.isCluster) {
    await Promise.all(mailingIds.map((id) => redis.hset(KEYS.mailingRun(id), finished)));
    await redis.srem(KEYS.runningMailings, ...mailingIds);
    return;
  }
  const write = redis.multi();
  for (const id of mailingIds) write.hset(KEYS.mailingRun(id), finished).srem(KEYS.runningMailings, id);
  failOnReplyError(await write.exec());
}

/** The status a mailing shows: a cancellation (an admin decision) wins, else the run's, else the doc's. */
export function effectiveMailingStatus(docStatus: MailingStatus, runStatus: string | null): MailingStatus {
  if (docStatus === 'cancelled') return docStatus;
  const run = MAILING_STATUSES.find((status) => status === runStatus);
  return run ?? docStatus;
}

/** Overlays the run's status on a page of mailings: an HGET per id, one round trip per server (auto-pipelined). */
export function createRunStatusOverlay(redis: Redis): (mailings: Mailing[]) => Promise<Mailing[]> {
  return async (mailings) => {
    const statuses = await Promise.all(mailings.map((mailing) => redis.hget(KEYS.mailingRun(mailing.id), 'status')));
    return mailings.map((mailing, i) => ({ ...mailing, status: effectiveMailingStatus(mailing.status, statuses[i] ?? null) }));
  };
}

type Replies = [Error | null, unknown][] | null;

/**
 * A pipeline or MULTI answers per command; an error in any of them fails the whole read or write, as it
 * is (the Redis edge, platform/redis/client.ts, already made an outage retriable; a WRONGTYPE stays a bug).
 * A MULTI that Redis discarded (null) is retried.
 */
function failOnReplyError(replies: Replies): [Error | null, unknown][] {
  if (!replies) throw new VestnikError('DEPENDENCY_UNAVAILABLE', 'mailing run: transaction aborted', { retriable: true });
  const failed = replies.find(([error]) => error);
  if (failed) throw failed[0];
  return replies;
}
